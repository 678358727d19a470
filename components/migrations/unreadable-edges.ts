// Migrations whose edges cannot be read statically (`dependencies = make_deps()`, a name bound
// twice or inside `if`, `Migration` imported from elsewhere). Django imports the module and may
// well see a sound graph, so such a value is a warning, never an error: the errors that the
// unknown edges could explain (several leaves in that app, a cycle through that migration) are
// folded into the warning instead of failing the check.
import type { ExtractNote } from "./extract";
import type { Finding } from "./types";

export class UnreadableEdges {
  /** Keys ("label.name") of the migrations whose edges are not all known. */
  readonly nodes = new Set<string>();
  private readonly byApp = new Map<string, Finding[]>();
  private readonly byNode = new Map<string, Finding[]>();

  /** The warning for one value that could not be read; kept so later checks can add to it. */
  warning(file: string, label: string, node: string, note: ExtractNote): Finding {
    const finding: Finding = {
      code: "unreadable-dependencies",
      node,
      app: label,
      file,
      line: note.line,
      message:
        `${file}:${note.line}: ${note.message}. Django evaluates it when it imports ${node}; ` +
        `this check cannot, so the check of app "${label}" is incomplete: with ${node}'s edges ` +
        `unknown, several leaves in "${label}" or a cycle through ${node} are not reported as errors. ` +
        `Bind the value once at module level to a list or tuple literal (or write it in the class) so it can be checked.`,
    };
    this.nodes.add(node);
    for (const [map, key] of [
      [this.byApp, label],
      [this.byNode, node],
    ] as const) {
      map.set(key, [...(map.get(key) ?? []), finding]);
    }
    return finding;
  }

  hasApp(label: string): boolean {
    return this.byApp.has(label);
  }

  /** An app with several leaves and unknown edges: the leaves may be joined in Django's graph. */
  explainConflict(label: string, leaves: string[]): void {
    for (const finding of this.byApp.get(label) ?? []) {
      finding.leaves = leaves;
      finding.message +=
        ` Its edges as read leave "${label}" with ${leaves.length} leaves (${leaves.join(", ")}); ` +
        `if Django reports a conflict, run \`python manage.py makemigrations --merge ${label}\`.`;
    }
  }

  /** A cycle found through a migration whose edges are only partly known. */
  explainCycle(cycle: string[]): void {
    const through = cycle.filter((key) => this.nodes.has(key));
    for (const finding of through.flatMap((key) => this.byNode.get(key) ?? [])) {
      finding.cycle = cycle;
      finding.message +=
        ` The edges that could be read form a cycle (${[...cycle, cycle[0]].join(" is needed by ")}); ` +
        `check it with \`python manage.py migrate --plan\`.`;
    }
  }
}
