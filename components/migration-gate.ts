import { analyzeMigrations, formatFindings, type MigrationReport } from "./migrations";

export class MigrationGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationGraphError";
  }
}

/**
 * Runs the analyzer on the release before any resource exists, so a broken graph fails
 * `pulumi preview` without touching the server.
 */
export function checkMigrationGraph(
  projectDir: string,
  options: { failOnWarnings: boolean },
): MigrationReport {
  // The parse cache is keyed by file content, so every preview after the first re-parses only
  // the migrations that changed.
  const report = analyzeMigrations(projectDir, { cache: true });
  const failing =
    report.errors.length > 0 || (options.failOnWarnings && report.warnings.length > 0);
  if (failing) {
    throw new MigrationGraphError(
      `The migration graph of ${projectDir} is broken; nothing was deployed.\n${formatFindings(report)}`,
    );
  }
  return report;
}
