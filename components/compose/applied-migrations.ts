// Reading the server's django_migrations rows for the preview, through the compose files of the
// release that runs now: read-only, no lock, nothing started.
import { argv } from "../shell/quote";
import { composeWordsIn, currentLink, type ComposeTarget } from "./commands";

/** What the read found instead of rows: each one means "nothing applied is known". */
export const NO_RELEASE = "#no-release";
export const NO_DATABASE = "#no-database";
export const NO_TABLE = "#no-table";

/**
 * Runs in the database container. The session is read-only (default_transaction_read_only), so
 * the read can never write, whatever the SQL. Rows come in the order they were applied.
 */
const SELECT_SCRIPT = [
  "export PGOPTIONS='-c default_transaction_read_only=on'",
  'q() { psql --no-psqlrc --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" -c "$1"; }',
  `if [ "$(q "select to_regclass('django_migrations') is not null")" = t ]; then q "select app || '.' || name from django_migrations order by id"; else echo '${NO_TABLE}'; fi`,
].join("; ");

/**
 * Prints one `app.name` line per applied migration, or one of the markers above when there is no
 * current release, no running database, or no django_migrations table yet.
 */
export function appliedMigrationsCommand(
  t: Omit<ComposeTarget, "releaseId">,
  dbService: string,
): string {
  const current = currentLink(t.remoteDir);
  const compose = composeWordsIn(t, current);
  const running = `"$(${argv(...compose, "ps", "--quiet", "--status", "running", dbService)} 2>/dev/null)"`;
  return (
    `if [ ! -e ${argv(current)} ]; then ${argv("echo", NO_RELEASE)}; ` +
    `elif [ -z ${running} ]; then ${argv("echo", NO_DATABASE)}; ` +
    `else ${argv(...compose, "exec", "-T", dbService, "sh", "-c", SELECT_SCRIPT)}; fi`
  );
}

export type AppliedRows =
  { kind: "rows"; applied: string[] } | { kind: "no-release" | "no-database" | "no-table" };

const ROW = /^[A-Za-z_][A-Za-z0-9_]*\.[^\s.][^\s]*$/;

/** Strict: a line that is neither a marker nor `app.name` is an error naming it. */
export function parseAppliedRows(stdout: string): AppliedRows {
  const lines = stdout.split("\n").filter((l) => l.trim() !== "");
  const marker = {
    [NO_RELEASE]: "no-release",
    [NO_DATABASE]: "no-database",
    [NO_TABLE]: "no-table",
  } as const;
  if (lines.length === 1 && lines[0] in marker) {
    return { kind: marker[lines[0] as keyof typeof marker] };
  }
  for (const line of lines) {
    if (!ROW.test(line)) {
      throw new Error(`Unexpected line reading django_migrations: ${JSON.stringify(line)}`);
    }
  }
  return { kind: "rows", applied: lines };
}
