// Remote commands of the operations verbs. Paths, compose calls and quoting come from the deploy's
// own builders, so `ops` and `pulumi up` always talk about the same directories and project.
import { composeWords, currentLink, type ComposeTarget, runOnceWords } from "../compose/commands";
import { backupsDir, releasesDir } from "../server/commands";
import { and, argv, orFail } from "../shell/quote";

/** Separates the current link's target from the release list in releasesCommand's output. */
export const RELEASES_SEPARATOR = "---";

/**
 * Where `current` points, then one `<mtime> <release id>` line per release directory: what runs
 * now and what a rollback can go back to.
 */
export function releasesCommand(remoteDir: string): string {
  const dir = releasesDir(remoteDir);
  return and(
    `{ ${argv("readlink", "--", currentLink(remoteDir))} || true; }`,
    argv("printf", "%s\\n", RELEASES_SEPARATOR),
    `if [ -d ${argv(dir)} ]; then ${argv("find", dir, "-mindepth", "1", "-maxdepth", "1", "-type", "d", "-printf", "%T@ %f\\n")}; fi`,
  );
}

/** One `<mtime> <bytes> <file>` line per backup. */
export function backupsListCommand(remoteDir: string): string {
  const dir = backupsDir(remoteDir);
  return `if [ -d ${argv(dir)} ]; then ${argv("find", dir, "-mindepth", "1", "-maxdepth", "1", "-type", "f", "-name", "*.dump", "-printf", "%T@ %s %f\\n")}; fi`;
}

/** Every container of the project, stopped ones too, as compose's JSON (state and health). */
export function containersCommand(t: ComposeTarget): string {
  return argv(...composeWords(t), "ps", "--all", "--format", "json");
}

function manage(t: ComposeTarget, web: string, ...args: string[]): string {
  return argv(...runOnceWords(t, web, "python", "manage.py", ...args));
}

export function showmigrationsCommand(
  t: ComposeTarget,
  web: string,
  options: { app?: string; plan: boolean },
): string {
  return manage(
    t,
    web,
    "showmigrations",
    ...(options.plan ? ["--plan"] : []),
    ...(options.app ? [options.app] : []),
  );
}

/** What `migrate <app> <target>` would apply or unapply, without touching the database. */
export function migratePlanCommand(t: ComposeTarget, web: string, app: string, to: string): string {
  return manage(t, web, "migrate", app, to, "--plan");
}

export function migrateToCommand(
  t: ComposeTarget,
  web: string,
  app: string,
  to: string,
  fake: boolean,
): string {
  return manage(t, web, "migrate", app, to, ...(fake ? ["--fake"] : []), "--noinput");
}

/**
 * Django's recorder, in one transaction: `to` recorded as applied in place of `from`. Refuses
 * (exit 1, nothing changed) unless `from` is applied and `to` is not; says so and changes nothing
 * when that was already done.
 */
const RENAME_SCRIPT = `import sys
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
r = MigrationRecorder(connection)
with transaction.atomic():
    applied = r.applied_migrations()
    if (app, new) in applied and (app, old) not in applied:
        print(f"{app}.{new} is already recorded in place of {app}.{old}: nothing to do.")
    elif (app, old) not in applied:
        sys.exit(f"{app}.{old} is not recorded as applied: nothing to rename (see: showmigrations {app}).")
    elif (app, new) in applied:
        sys.exit(f"{app}.{old} and {app}.{new} are both recorded as applied; remove the row you do not want by hand.")
    else:
        r.record_applied(app, new)
        r.record_unapplied(app, old)
        print(f"Recorded {app}.{new} as applied in place of {app}.{old}.")
`;

/**
 * For a migration file renamed after it was applied: the row is renamed, nothing is migrated.
 * Django's `migrate <app> <to> --fake` cannot do it: the release on the server does not have `to`
 * yet, and the old row would stay. The names were checked as app label and migration names
 * (letters, digits, _), and reach Python as string literals.
 */
export function renameAppliedCommand(
  t: ComposeTarget,
  web: string,
  app: string,
  from: string,
  to: string,
): string {
  const names = [app, from, to].map((n) => JSON.stringify(n)).join(", ");
  return manage(t, web, "shell", "-c", `app, old, new = ${names}\n${RENAME_SCRIPT}`);
}

/**
 * `pre-migrate-20250131T120000Z-billing-0002.dump`: what it was taken before, sorting by time; a
 * new name each time, so no verb overwrites a backup (the deploy's own are `pre-migrate-<release>`).
 */
export function opsBackupFileName(now: Date, before: "migrate" | "rollback", ...what: string[]) {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/[-:]/g, "");
  return `pre-${before}-${[stamp, ...what].join("-")}.dump`;
}

/**
 * Restarts the services' containers as they are (no new image, no new settings), then waits for
 * their healthchecks, so the verb returns only when they serve again.
 */
export function restartServicesCommand(
  t: ComposeTarget,
  services: string[],
  waitSeconds: number,
): string {
  return and(
    argv(...composeWords(t), "restart", ...services),
    argv(
      ...composeWords(t),
      "up",
      "--detach",
      "--no-build",
      "--no-recreate",
      "--wait",
      "--wait-timeout",
      String(waitSeconds),
      ...services,
    ),
  );
}

export function stopServicesCommand(t: ComposeTarget, services: string[]): string {
  return argv(...composeWords(t), "stop", ...services);
}

/**
 * Replaces the database's public schema with the dump's, in one transaction: a failing restore
 * leaves the database as it was. Tables that later migrations created go with the old schema, so
 * the schema and django_migrations agree afterwards. The dump is turned into SQL first, inside
 * the container, because a pipe into psql would commit whatever part of a failing dump arrived.
 */
const RESTORE_SCRIPT = [
  "sql=$(mktemp) && trap 'rm -f \"$sql\"' EXIT",
  'pg_restore --no-owner --no-acl --file="$sql"',
  'psql --quiet --no-psqlrc -v ON_ERROR_STOP=1 --single-transaction --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}"' +
    " -c 'SET client_min_messages = warning' -c 'DROP SCHEMA public CASCADE' -c 'CREATE SCHEMA public' -f \"$sql\" >/dev/null",
].join(" && ");

export function restoreCommand(t: ComposeTarget, dbService: string, fileName: string): string {
  const file = `${backupsDir(t.remoteDir)}/${fileName}`;
  return and(
    orFail(
      argv("test", "-f", file),
      `No backup ${file} on the server. Fix: pick a name from \`ops backups\`.`,
    ),
    `${argv(...composeWords(t), "exec", "-T", dbService, "sh", "-c", RESTORE_SCRIPT)} < ${argv(file)}`,
  );
}

export function logsCommand(
  t: ComposeTarget,
  service: string,
  options: { since?: string; tail: number; follow: boolean },
): string {
  return argv(
    ...composeWords(t),
    "logs",
    "--no-color",
    "--timestamps",
    ...(options.since ? ["--since", options.since] : ["--tail", String(options.tail)]),
    ...(options.follow ? ["--follow"] : []),
    service,
  );
}

/** `-T` unless the caller has a terminal: a pipe gets no pseudo-terminal, so output stays clean. */
export function execCommand(
  t: ComposeTarget,
  service: string,
  command: string[],
  tty: boolean,
): string {
  return argv(...composeWords(t), "exec", ...(tty ? [] : ["-T"]), service, ...command);
}
