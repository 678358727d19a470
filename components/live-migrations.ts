// The preview's view of the live database: which migrations `pulumi up` will apply, read from the
// server's django_migrations (read-only, no lock) and checked against the release's files.
import {
  appliedMigrationsCommand,
  parseAppliedRows,
  type AppliedRows,
} from "./compose/applied-migrations";
import type { ComposeTarget } from "./compose/commands";
import { liveMigrationProblems, type FixContext } from "./live-migration-findings";
import { MigrationGraphError } from "./migration-gate";
import { analyzeMigrations } from "./migrations";
import { SshSession, type SshTarget } from "./server/ssh-session";

/**
 * What `up` will apply, for the stack output and the preview summary. `known` only when the
 * database was read: a first deploy or an unreachable server gives the reason instead.
 */
export type MigrationsToApply =
  { known: true; migrations: string[] } | { known: false; reason: string };

/** One line for a preview summary: "migrate will apply 2: accounts.0004_z, billing.0003_coupon". */
export function describeMigrationsToApply(toApply: MigrationsToApply): string {
  if (!toApply.known) return `migrations to apply unknown: ${toApply.reason}`;
  const { migrations } = toApply;
  return migrations.length === 0
    ? "migrate will apply nothing"
    : `migrate will apply ${migrations.length}: ${migrations.join(", ")}`;
}

/**
 * What the preview prints: `migrate`'s own words for each migration, or why the list is unknown
 * (a warning: the preview is then the static check alone).
 */
export function announceMigrationsToApply(toApply: MigrationsToApply): {
  severity: "info" | "warn";
  text: string;
} {
  if (!toApply.known) {
    return {
      severity: "warn",
      text:
        `Live migration check skipped: ${toApply.reason}. Only the release's migration files were checked, so ` +
        "this preview cannot say which migrations `up` will apply, nor see an applied migration that was renamed. " +
        "(pulumi config set liveMigrationCheck false turns the live check off.)",
    };
  }
  const lines = toApply.migrations.map((m) => `  Applying ${m}`);
  return { severity: "info", text: [describeMigrationsToApply(toApply), ...lines].join("\n") };
}

/** Enough for a healthy `compose exec ... psql` on a loaded server; the dial has its own bound. */
const QUERY_SECONDS = 30;

/** The rows, or a rejection when the server cannot be reached or read in time. */
export async function readAppliedRows(
  ssh: SshTarget,
  compose: Omit<ComposeTarget, "releaseId">,
  dbService: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AppliedRows> {
  const seconds = ssh.dialTimeoutSeconds + QUERY_SECONDS;
  let session: SshSession | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      session?.close();
      reject(new Error(`no answer within ${seconds}s`));
    }, seconds * 1000);
  });
  const read = (async () => {
    session = await SshSession.open(ssh, env);
    const { stdout } = await session.run(appliedMigrationsCommand(compose, dbService), {
      stream: false,
    });
    return parseAppliedRows(stdout);
  })();
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
    session?.close();
    // A read that lost the race still settles later; its rejection is not news.
    read.catch(() => undefined);
  }
}

const NOT_KNOWN: Record<Exclude<AppliedRows["kind"], "rows" | "no-table">, string> = {
  "no-release": "no release is current on the server (a first deploy)",
  "no-database": "the database service is not running on the server",
};

/**
 * The release's plan against the applied rows. Throws MigrationGraphError naming each migration
 * and its fix when the rows and the files disagree (a renamed or deleted applied migration, an
 * inconsistent history).
 */
export function planAgainstDatabase(
  projectDir: string,
  rows: AppliedRows,
  ctx: FixContext,
): MigrationsToApply {
  if (rows.kind === "no-release" || rows.kind === "no-database") {
    return { known: false, reason: NOT_KNOWN[rows.kind] };
  }
  const applied = rows.kind === "rows" ? rows.applied : [];
  const report = analyzeMigrations(projectDir, { applied, cache: true });
  const problems = liveMigrationProblems(report, ctx);
  if (problems.length > 0) {
    throw new MigrationGraphError(
      `The server's django_migrations disagree with the release's migration files; nothing was deployed.\n` +
        problems.map((p) => `  error: ${p}`).join("\n"),
    );
  }
  return { known: true, migrations: report.plan };
}

export interface LiveCheckSettings extends SshTarget, FixContext {
  projectDir: string;
  remoteDir: string;
  composeFile: string;
  composeProject: string;
  dockerEnv: Record<string, string>;
  backupService: string;
}

/**
 * Reads the server and plans. A server that cannot be reached is not a failure (a pull request's
 * preview has no SSH agent): the answer is then unknown, with the reason.
 */
export async function liveMigrationCheck(
  s: LiveCheckSettings,
  env: NodeJS.ProcessEnv = process.env,
): Promise<MigrationsToApply> {
  let rows: AppliedRows;
  try {
    rows = await readAppliedRows(s, s, s.backupService, env);
  } catch (err) {
    return {
      known: false,
      reason: `the server's django_migrations could not be read (${(err as Error).message})`,
    };
  }
  return planAgainstDatabase(s.projectDir, rows, s);
}
