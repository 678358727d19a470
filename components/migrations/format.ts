// Human-readable renderings of a MigrationReport.
import { compareKeys } from "./graph";
import type { Finding, MigrationReport } from "./types";

function findingLine(kind: "error" | "warning", finding: Finding): string {
  return `  ${kind} [${finding.code}] ${finding.message}`;
}

/** Every error and warning, one per line, for an Error message (e.g. a failed `pulumi preview`). */
export function formatFindings(report: MigrationReport): string {
  const { errors, warnings } = report;
  if (errors.length === 0 && warnings.length === 0) return "Migration graph: no problems found.";
  const lines = [`Migration graph: ${errors.length} error(s), ${warnings.length} warning(s).`];
  for (const e of errors) lines.push(findingLine("error", e));
  for (const w of warnings) lines.push(findingLine("warning", w));
  return lines.join("\n");
}

/** Every node of the final graph as "label.name", sorted by (label, name). */
export function migrationNames(report: MigrationReport): string[] {
  const keys: Array<{ label: string; name: string }> = [];
  for (const [label, app] of Object.entries(report.apps)) {
    for (const name of app.nodes) keys.push({ label, name });
  }
  return keys.sort(compareKeys).map((k) => `${k.label}.${k.name}`);
}

// Errors that stop Django before it has a graph: no leaves or plan exist then.
const GRAPH_STOPPING = new Set([
  "parse-error",
  "bad-migration",
  "node-not-found",
  "circular-dependency",
]);

/** The CLI's report without --json. */
export function formatReport(report: MigrationReport): string {
  const stopped = report.errors.some((e) => GRAPH_STOPPING.has(e.code));
  const labels = Object.keys(report.apps).sort();
  const total = labels.reduce((n, l) => n + report.apps[l].nodes.length, 0);
  const lines = [`${labels.length} app(s), ${total} migration(s).`];
  for (const label of labels) {
    const app = report.apps[label];
    const leaves =
      app.nodes.length === 0
        ? "no migrations"
        : stopped
          ? "graph not built"
          : `leaf ${app.leaves.join(", ")}`;
    lines.push(`  ${label}: ${app.nodes.length} migration(s), ${leaves}`);
  }
  if (report.external.length > 0)
    lines.push(`External dependencies: ${report.external.join(", ")}`);
  lines.push(
    stopped
      ? "No migrate plan: Django would stop at the errors below."
      : report.plan.length > 0
        ? `migrate would apply ${report.plan.length} migration(s):`
        : "migrate would apply nothing.",
  );
  for (const key of report.plan) lines.push(`  ${key}`);
  lines.push(formatFindings(report));
  return lines.join("\n");
}
