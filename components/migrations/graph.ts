// Django's MigrationGraph and MigrationLoader.build_graph (ignore_no_migrations=True), rebuilt
// over plain data. Every traversal is iterative so a 10,000-migration chain cannot overflow
// the stack, and every search keeps a visited set so diamond-shaped graphs stay linear.

export interface Key {
  label: string;
  name: string;
}

export function keyString(label: string, name: string): string {
  return `${label}.${name}`;
}

/** Python's tuple order on (label, name). */
export function compareKeys(a: Key, b: Key): number {
  if (a.label !== b.label) return a.label < b.label ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

function hasSameAppParent(node: GraphNode): boolean {
  for (const p of node.parents.keys()) if (p.label === node.label) return true;
  return false;
}

function hasSameAppChild(node: GraphNode): boolean {
  for (const c of node.children) if (c.label === node.label) return true;
  return false;
}

export class GraphNode implements Key {
  readonly key: string;
  /** Parent -> who declared the edge from this node to it. */
  readonly parents = new Map<GraphNode, EdgeOrigin>();
  readonly children = new Set<GraphNode>();
  constructor(
    readonly label: string,
    readonly name: string,
    /** A dummy node stands for a key that something references but no file defines. */
    readonly dummy: boolean,
  ) {
    this.key = keyString(label, name);
  }
}

/** Who declared an edge: the migration whose `dependencies` or `run_before` holds it. */
export interface EdgeOrigin {
  declarer: string;
  line: number;
  via: "dependencies" | "run_before";
}

export class MigrationGraph {
  /** Real and dummy nodes, like Django's node_map. */
  readonly nodeMap = new Map<string, GraphNode>();
  /** First declarer of each dummy node (Django's DummyNode.origin). */
  readonly dummyOrigins = new Map<string, EdgeOrigin>();
  private readonly appCache = new Map<string, { roots: GraphNode[]; leaves: GraphNode[] }>();
  /** Real nodes per app label. */
  private readonly appNodes = new Map<string, Set<GraphNode>>();

  addNode(label: string, name: string): GraphNode {
    const node = new GraphNode(label, name, false);
    this.nodeMap.set(node.key, node);
    let set = this.appNodes.get(label);
    if (!set) this.appNodes.set(label, (set = new Set()));
    set.add(node);
    return node;
  }

  private removeNode(node: GraphNode): void {
    this.nodeMap.delete(node.key);
    this.appNodes.get(node.label)?.delete(node);
    this.appCache.delete(node.label);
  }

  hasNode(key: string): boolean {
    const node = this.nodeMap.get(key);
    return node !== undefined && !node.dummy;
  }

  private ensure(key: Key, origin: EdgeOrigin): GraphNode {
    const k = keyString(key.label, key.name);
    let node = this.nodeMap.get(k);
    if (!node) {
      node = new GraphNode(key.label, key.name, true);
      this.nodeMap.set(k, node);
      this.dummyOrigins.set(k, origin);
    }
    return node;
  }

  addDependency(child: Key, parent: Key, origin: EdgeOrigin): void {
    const c = this.ensure(child, origin);
    const p = this.ensure(parent, origin);
    this.link(c, p, origin);
  }

  private link(child: GraphNode, parent: GraphNode, origin: EdgeOrigin): void {
    if (!child.parents.has(parent)) child.parents.set(parent, origin);
    parent.children.add(child);
    if (child.label === parent.label) this.appCache.delete(child.label);
  }

  private unlink(child: GraphNode, parent: GraphNode): EdgeOrigin | undefined {
    const origin = child.parents.get(parent);
    child.parents.delete(parent);
    parent.children.delete(child);
    if (child.label === parent.label) this.appCache.delete(child.label);
    return origin;
  }

  edgeOrigin(child: GraphNode, parent: GraphNode): EdgeOrigin | undefined {
    return child.parents.get(parent);
  }

  private appShape(label: string): { roots: GraphNode[]; leaves: GraphNode[] } {
    let shape = this.appCache.get(label);
    if (!shape) {
      const roots: GraphNode[] = [];
      const leaves: GraphNode[] = [];
      for (const node of this.appNodes.get(label) ?? []) {
        if (!hasSameAppParent(node)) roots.push(node);
        if (!hasSameAppChild(node)) leaves.push(node);
      }
      roots.sort(compareKeys);
      leaves.sort(compareKeys);
      shape = { roots, leaves };
      this.appCache.set(label, shape);
    }
    return shape;
  }

  /** Real nodes of the app with no parent in the same app, sorted. */
  rootNodes(label: string): GraphNode[] {
    return this.appShape(label).roots;
  }

  /** Real nodes of the app with no child in the same app, sorted. */
  leafNodes(label: string): GraphNode[] {
    return this.appShape(label).leaves;
  }

  /**
   * Squash fully applied or not applied at all: the replaced nodes leave the graph and their
   * outside edges move onto the replacement (Django's remove_replaced_nodes).
   */
  removeReplacedNodes(replacementKey: string, replaced: string[]): void {
    const replacement = this.nodeMap.get(replacementKey);
    if (!replacement) return;
    const replacedSet = new Set(replaced);
    for (const key of replacedSet) {
      const node = this.nodeMap.get(key);
      if (!node) continue;
      this.removeNode(node);
      for (const child of [...node.children]) {
        const origin = this.unlink(child, node);
        if (!replacedSet.has(child.key) && origin) this.link(child, replacement, origin);
      }
      for (const parent of [...node.parents.keys()]) {
        const origin = this.unlink(node, parent);
        if (!replacedSet.has(parent.key) && origin) this.link(replacement, parent, origin);
      }
    }
  }

  /**
   * Squash partly applied: the replacement leaves the graph and its children depend on the
   * last replaced nodes instead (Django's remove_replacement_node).
   */
  removeReplacementNode(replacementKey: string, replaced: string[]): void {
    const replacement = this.nodeMap.get(replacementKey);
    if (!replacement) return;
    this.removeNode(replacement);
    const replacedNodes = new Set<GraphNode>();
    const replacedParents = new Set<GraphNode>();
    for (const key of replaced) {
      const node = this.nodeMap.get(key);
      if (!node) continue;
      replacedNodes.add(node);
      for (const p of node.parents.keys()) replacedParents.add(p);
    }
    const last = [...replacedNodes].filter((n) => !replacedParents.has(n));
    for (const child of [...replacement.children]) {
      const origin = this.unlink(child, replacement);
      for (const node of last) if (origin) this.link(child, node, origin);
    }
    for (const parent of [...replacement.parents.keys()]) this.unlink(replacement, parent);
  }

  /** Real nodes in sorted order. */
  sortedNodes(): GraphNode[] {
    return [...this.nodeMap.values()].filter((n) => !n.dummy).sort(compareKeys);
  }

  /**
   * One dependency cycle as a list of nodes (each depends on the next's predecessor), or null.
   * Same walk as Django's ensure_not_cyclic, with sorted starts so the answer is stable.
   * Nodes whose keys are in `without` are left out, as if they were not in the graph.
   */
  findCycle(without: ReadonlySet<string> = new Set()): GraphNode[] | null {
    const todo = new Set(this.sortedNodes().filter((n) => !without.has(n.key)));
    const onStack = new Set<GraphNode>();
    for (const start of [...todo]) {
      if (!todo.has(start)) continue;
      todo.delete(start);
      const stack: Array<{ node: GraphNode; children: Iterator<GraphNode> }> = [
        { node: start, children: start.children.values() },
      ];
      onStack.add(start);
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        const next = top.children.next();
        if (next.done) {
          stack.pop();
          onStack.delete(top.node);
          continue;
        }
        const child = next.value;
        if (onStack.has(child)) {
          const from = stack.findIndex((f) => f.node === child);
          return stack.slice(from).map((f) => f.node);
        }
        if (todo.has(child)) {
          todo.delete(child);
          onStack.add(child);
          stack.push({ node: child, children: child.children.values() });
        }
      }
    }
    return null;
  }
}

/**
 * Django's forwards plan for every leaf: depth-first post-order over parents. The stack is fed
 * each node's parents in sorted order, exactly as Django's iterative_dfs does.
 */
export function migratePlan(graph: MigrationGraph, applied: Set<string>): string[] {
  const leaves = graph.sortedNodes().filter((n) => !hasSameAppChild(n));
  const plan: string[] = [];
  const planned = new Set<string>();
  // A node emitted by an earlier walk has had its whole ancestry walked already; walking it
  // again cannot add anything, so it is skipped (this keeps the total work linear).
  const explored = new Set<GraphNode>();
  // Only a cycle through a migration whose edges could not all be read gets this far; entering
  // each node once keeps the walk finite there and changes nothing on an acyclic graph.
  const entered = new Set<GraphNode>();
  for (const leaf of leaves) {
    if (applied.has(leaf.key)) continue;
    const stack: Array<[GraphNode, boolean]> = [[leaf, false]];
    while (stack.length > 0) {
      const [node, processed] = stack.pop() as [GraphNode, boolean];
      if (explored.has(node)) continue;
      if (processed) {
        explored.add(node);
        if (!applied.has(node.key) && !planned.has(node.key)) {
          planned.add(node.key);
          plan.push(node.key);
        }
      } else {
        if (entered.has(node)) continue;
        entered.add(node);
        stack.push([node, true]);
        for (const parent of [...node.parents.keys()].sort(compareKeys))
          stack.push([parent, false]);
      }
    }
  }
  return plan;
}
