// The migration-graph analyzer's public API (used by the deploy program and the CLI).
//
//   analyzeMigrations(root, { applied?, cache? }): MigrationReport
//     apps: { [label]: { nodes, leaves } }, plan: ["label.name"...] (migrate's order),
//     errors/warnings: Finding[] ({ code, message, node?, missing?, app?, leaves?, file?, line? }),
//     warnings are "auto-named-migration" and "unreadable-dependencies" (a value that cannot be
//     evaluated statically: that app's conflict and cycle checks are incomplete, never errors),
//     external: dependencies on apps outside root; with `applied`, appliedWithoutFile: applied
//     rows of local apps whose file is gone (renamed or deleted) and that no squash replaces.
//     Throws MigrationInputError for bad input (root not a directory, applied entry without ".",
//     two apps with one label).
//   formatFindings(report): every error and warning as a multi-line message.
//   migrationNames(report): every node as "label.name", sorted by (label, name).
export { analyzeMigrations, type AnalyzeOptions } from "./analyze";
export { formatFindings, formatReport, migrationNames } from "./format";
export { parseAppliedList } from "./applied";
export {
  MigrationInputError,
  type AppReport,
  type Finding,
  type FindingCode,
  type MigrationReport,
} from "./types";
