// Module-level names of a migration file and what each is bound to, so that
// `dependencies = DEPS`, `BASE + [...]` and tuple constants used as items can be resolved the way
// Python would, without running the module. A name is only resolved when the answer is certain:
// bound exactly once, unconditionally, by a plain `NAME = value` before it is used, and never
// changed afterwards. Anything else is reported with the reason, so the caller can say why the
// migration's edges are unknown.
import type { SyntaxNode } from "@lezer/common";
import { childrenOf } from "./python-syntax";

/** What the binding collector needs from the file: node text and 1-based line numbers. */
export interface SourceText {
  text(node: SyntaxNode): string;
  line(node: SyntaxNode): number;
}

interface Binding {
  /** The value's parts: one expression, or the items of an implicit tuple (`X = a, b`); null when not a plain assignment. */
  value: SyntaxNode[] | null;
  /** What binds the name when it is not a plain assignment ("an import", "a for loop", ...). */
  how: string;
  conditional: boolean;
  line: number;
  /** End of the binding statement: a use before it would be a NameError. */
  end: number;
}

export type Resolution = { value: SyntaxNode[] } | { why: string };

// Compound statements whose bodies run in module scope; a name bound inside one may or may not be
// bound (or may be bound many times) when the class body runs.
const BLOCKS = new Set([
  "IfStatement",
  "TryStatement",
  "WithStatement",
  "ForStatement",
  "WhileStatement",
]);

function isNamed(node: SyntaxNode | undefined, name: string): boolean {
  return node !== undefined && node.name === name;
}

/** The variable a target expression is rooted at: `X` in `X`, `X.a`, `X[0]`, `X.a[1].b`. */
function rootName(node: SyntaxNode): SyntaxNode | null {
  let n: SyntaxNode | null = node;
  while (n && n.name === "MemberExpression") n = n.firstChild;
  return n && n.name === "VariableName" ? n : null;
}

export class ModuleNames {
  private readonly bindings = new Map<string, Binding[]>();
  private readonly changes = new Map<string, number>();
  private readonly starImports: Array<{ line: number; at: number }> = [];

  constructor(
    script: SyntaxNode,
    private readonly src: SourceText,
  ) {
    this.collect(script, false);
  }

  /** The value `name` has when code at offset `usedAt` runs, or why that cannot be known. */
  resolve(name: string, usedAt: number): Resolution {
    const found = this.bindings.get(name) ?? [];
    const star = this.starImports.find((s) => s.at < usedAt);
    if (found.length === 0) {
      return star
        ? { why: `${name} may come from the \`import *\` at line ${star.line}` }
        : { why: `${name} is not bound at module level in this file` };
    }
    if (found.length > 1) {
      const lines = found.map((b) => b.line).join(", ");
      return { why: `${name} is bound more than once, at lines ${lines}` };
    }
    const b = found[0];
    if (b.conditional) {
      return { why: `${name} is bound inside an if/for/while/try/with block, at line ${b.line}` };
    }
    if (b.value === null) return { why: `${name} is bound by ${b.how}, at line ${b.line}` };
    if (b.end > usedAt) return { why: `${name} is bound only after it is used, at line ${b.line}` };
    const changed = this.changes.get(name);
    if (changed !== undefined) return { why: `${name} is changed at line ${changed}` };
    const later = this.starImports.find((s) => s.at > b.end && s.at < usedAt);
    if (later) return { why: `${name} may be rebound by the \`import *\` at line ${later.line}` };
    return { value: b.value };
  }

  private bind(nameNode: SyntaxNode, binding: Omit<Binding, "line">): void {
    const name = this.src.text(nameNode);
    const list = this.bindings.get(name) ?? [];
    list.push({ ...binding, line: this.src.line(nameNode) });
    this.bindings.set(name, list);
  }

  private change(nameNode: SyntaxNode): void {
    const name = this.src.text(nameNode);
    if (!this.changes.has(name)) this.changes.set(name, this.src.line(nameNode));
  }

  /** Every name in `node` bound some way other than a plain assignment. */
  private bindAll(node: SyntaxNode, how: string, conditional: boolean, end: number): void {
    if (node.name === "VariableName") {
      this.bind(node, { value: null, how, conditional, end });
      return;
    }
    for (const child of childrenOf(node)) this.bindAll(child, how, conditional, end);
  }

  private collect(block: SyntaxNode, conditional: boolean): void {
    for (const stmt of childrenOf(block)) {
      if (BLOCKS.has(stmt.name)) this.collectBlock(stmt);
      else if (stmt.name === "StatementGroup") this.collect(stmt, conditional);
      else this.collectStatement(stmt, conditional);
    }
  }

  /** A compound statement: names bound in its header and its bodies are all conditional. */
  private collectBlock(stmt: SyntaxNode): void {
    const parts = childrenOf(stmt);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part.name === "Body") this.collect(part, true);
      else if (isNamed(parts[i - 1], "as")) this.bindAll(part, "an `as` clause", true, stmt.to);
      else if (stmt.name === "ForStatement" && parts.slice(i).some((p) => p.name === "in"))
        this.bindAll(part, "a for loop", true, stmt.to);
      else this.collectWalrus(part, true, stmt.to);
    }
  }

  private collectStatement(stmt: SyntaxNode, conditional: boolean): void {
    const parts = childrenOf(stmt);
    switch (stmt.name) {
      case "AssignStatement":
        this.collectAssignment(stmt, parts, conditional);
        return;
      case "UpdateStatement": {
        const target = parts[0];
        if (target?.name === "VariableName") {
          this.bind(target, {
            value: null,
            how: "an augmented assignment",
            conditional,
            end: stmt.to,
          });
        } else if (target) {
          const root = rootName(target);
          if (root) this.change(root);
        }
        return;
      }
      case "DeleteStatement":
        for (const part of parts) {
          const root = part.name === "del" || part.name === "," ? null : rootName(part);
          if (root) this.change(root);
        }
        return;
      case "ImportStatement":
        this.collectImport(stmt, parts, conditional);
        return;
      case "FunctionDefinition":
      case "ClassDefinition": {
        const name = parts.find((p) => p.name === "VariableName");
        if (name)
          this.bind(name, { value: null, how: "a def or class", conditional, end: stmt.to });
        return;
      }
      case "DecoratedStatement": {
        const inner = parts.find(
          (p) => p.name === "FunctionDefinition" || p.name === "ClassDefinition",
        );
        if (inner) this.collectStatement(inner, conditional);
        return;
      }
      case "ExpressionStatement": {
        // `X.append(...)`, `X.extend(...)`: a method call may change the object X is bound to.
        const call = parts[0];
        const callee = call?.name === "CallExpression" ? call.firstChild : null;
        const root = callee?.name === "MemberExpression" ? rootName(callee) : null;
        if (root) this.change(root);
        this.collectWalrus(stmt, conditional, stmt.to);
        return;
      }
      default:
        // Any other compound statement (`match`, ...) may bind whatever names it contains.
        if (parts.some((p) => p.name === "Body" || p.name === "MatchBody"))
          this.bindAll(stmt, "a compound statement", true, stmt.to);
    }
  }

  private collectAssignment(stmt: SyntaxNode, parts: SyntaxNode[], conditional: boolean): void {
    // `a = b = value`: every segment between `=` but the last is a target.
    const segments: SyntaxNode[][] = [[]];
    for (const part of parts) {
      if (part.name === "AssignOp") segments.push([]);
      else if (part.name !== "TypeDef") segments[segments.length - 1].push(part);
    }
    if (segments.length < 2) return; // `X: int` alone binds nothing
    const value = segments[segments.length - 1].filter((p) => p.name !== ",");
    for (const target of segments.slice(0, -1)) {
      if (target.length === 1 && target[0].name === "VariableName") {
        this.bind(target[0], { value, how: "an assignment", conditional, end: stmt.to });
      } else if (target.length === 1 && target[0].name === "MemberExpression") {
        const root = rootName(target[0]);
        if (root) this.change(root);
      } else {
        for (const t of target) this.bindAll(t, "unpacking", conditional, stmt.to);
      }
    }
    for (const v of value) this.collectWalrus(v, conditional, stmt.to);
  }

  private collectImport(stmt: SyntaxNode, parts: SyntaxNode[], conditional: boolean): void {
    // `import a.b as c, d` binds c and d; `from x import a as b, c` binds b and c.
    const start = parts.findIndex((p) => p.name === "import") + 1;
    let segment: SyntaxNode[] = [];
    const flush = () => {
      const as = segment.findIndex((p) => p.name === "as");
      const bound = as >= 0 ? segment[as + 1] : segment.find((p) => p.name === "VariableName");
      if (bound?.name === "VariableName")
        this.bind(bound, { value: null, how: "an import", conditional, end: stmt.to });
      segment = [];
    };
    for (const part of parts.slice(start)) {
      if (part.name === "*") this.starImports.push({ line: this.src.line(part), at: stmt.to });
      else if (part.name === ",") flush();
      else if (part.name !== "(" && part.name !== ")") segment.push(part);
    }
    flush();
  }

  /** `(X := value)` binds X in module scope too. */
  private collectWalrus(node: SyntaxNode, conditional: boolean, end: number): void {
    const cursor = node.cursor();
    do {
      if (cursor.name === "NamedExpression") {
        const name = cursor.node.firstChild;
        if (name?.name === "VariableName")
          this.bind(name, { value: null, how: "an := expression", conditional, end });
      }
    } while (cursor.next() && cursor.from < node.to);
  }
}
