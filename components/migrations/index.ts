// The migration-graph analyzer's public API (used by the deploy program and the CLI).
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
