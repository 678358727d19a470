// What the release's migration files and the server's django_migrations rows say together: the
// problems `migrate` would hit (or silently cause), each with the exact command that fixes it.
import type { Finding, MigrationReport } from "./migrations";
import { argv } from "./shell/quote";

export interface FixContext {
  stack: string;
  webService: string;
}

const split = (key: string) => {
  const dot = key.indexOf(".");
  return { app: key.slice(0, dot), name: key.slice(dot + 1) };
};

/** `0003` of `0003_coupon`; undefined for a name without a leading number. */
function numberOf(name: string): string | undefined {
  return /^\d+/.exec(name)?.[0];
}

/**
 * The arguments of `npm run ops -- exec <web> -- python manage.py shell -c ...` that record and
 * remove rows of django_migrations with Django's own recorder, in one transaction. It runs in the
 * current release's container, which does not need the files: this is Django's `migrate --fake`
 * for a migration that only the next release has.
 */
function recordMigrationsOpsArgs(
  ctx: Pick<FixContext, "stack" | "webService">,
  change: { record?: string; remove?: string },
): string[] {
  const calls = [
    ...(change.record ? [["record_applied", change.record] as const] : []),
    ...(change.remove ? [["record_unapplied", change.remove] as const] : []),
  ].map(([method, key]) => {
    const { app, name } = split(key);
    return `r.${method}(${JSON.stringify(app)}, ${JSON.stringify(name)})`;
  });
  const python =
    "from django.db import connection, transaction; " +
    "from django.db.migrations.recorder import MigrationRecorder; " +
    `r = MigrationRecorder(connection); transaction.atomic()(lambda: [${calls.join(", ")}])()`;
  return [
    "exec",
    ctx.webService,
    "--stack",
    ctx.stack,
    "--",
    "python",
    "manage.py",
    "shell",
    "-c",
    python,
  ];
}

/** recordMigrationsOpsArgs as the command a person types. */
export function recordMigrationsFix(
  ctx: Pick<FixContext, "stack" | "webService">,
  change: { record?: string; remove?: string },
): string {
  return `npm run ops -- ${argv(...recordMigrationsOpsArgs(ctx, change))}`;
}

/** `ops rename-migration`'s arguments: `to` recorded as applied in place of `gone`. */
export function renameFixOpsArgs(
  ctx: Pick<FixContext, "stack">,
  gone: string,
  to: string,
): string[] {
  const { app, name } = split(gone);
  return ["rename-migration", app, name, split(to).name, "--yes", "--stack", ctx.stack];
}

/**
 * An unapplied migration of the same app and number as `gone`, first of its app in the plan (so
 * every parent it has in its app is applied): the file `gone` most likely became.
 */
export function renamedTo(gone: string, plan: string[]): string | undefined {
  const { app, name } = split(gone);
  const number = numberOf(name);
  if (number === undefined) return undefined;
  const first = plan.find((key) => split(key).app === app);
  return first !== undefined && numberOf(split(first).name) === number ? first : undefined;
}

function goneMessage(gone: string, plan: string[], ctx: FixContext): string {
  const { app, name } = split(gone);
  const file = `${name}.py in app ${app}'s migrations`;
  const to = renamedTo(gone, plan);
  if (to !== undefined) {
    const newName = split(to).name;
    return (
      `${gone} is recorded as applied in the server's database, but the release has no ${file}; it has ${to}, ` +
      `with the same number, not applied, right after the applied ones: it looks like ${name} was renamed to ${newName}. ` +
      `\`pulumi up\` would run ${newName}'s operations again on a schema that already has them, and migrate would fail.\n` +
      `    Fix: check that the database's schema already has ${to}'s changes (they should be ${gone}'s), then record ` +
      `${to} as applied in place of ${gone} (Django's \`migrate ${app} ${newName} --fake\` cannot: the release on the ` +
      `server does not have ${newName} yet, and the old row would stay):\n` +
      `      npm run ops -- ${argv(...renameFixOpsArgs(ctx, gone, to))}\n` +
      `    If ${newName} is a different change that must run, restore ${name}.py and give ${newName} the next number instead.`
    );
  }
  return (
    `${gone} is recorded as applied in the server's database, but the release has no ${file} (deleted or renamed): ` +
    `the schema keeps what it did while the code no longer knows it.\n` +
    `    Fix: restore ${name}.py in app ${app}'s migrations. If it was removed on purpose (e.g. a squash's replaced migration, ` +
    `after its \`replaces\` was removed), remove its row:\n` +
    `      ${recordMigrationsFix(ctx, { remove: gone })}`
  );
}

function inconsistentMessage(finding: Finding, ctx: FixContext): string {
  const child = finding.node ?? "?";
  const parent = finding.missing ?? "?";
  return (
    `Inconsistent migration history on the server: ${child} is recorded as applied but its dependency ${parent} is not; ` +
    `\`manage.py migrate\` refuses to run at all (InconsistentMigrationHistory), --fake included.\n` +
    `    Fix: if ${parent}'s changes are already in the database, record it as applied:\n` +
    `      ${recordMigrationsFix(ctx, { record: parent })}\n` +
    `    otherwise correct ${child}'s dependency${finding.file ? ` in ${finding.file}` : ""}.`
  );
}

/**
 * Every problem of the release against the applied rows (the report of analyzeMigrations with
 * `applied`), as messages naming the migration and the fix; empty when `migrate` will do exactly
 * report.plan.
 */
export function liveMigrationProblems(report: MigrationReport, ctx: FixContext): string[] {
  return [
    ...(report.appliedWithoutFile ?? []).map((gone) => goneMessage(gone, report.plan, ctx)),
    ...report.errors.map((e) =>
      e.code === "inconsistent-history" ? inconsistentMessage(e, ctx) : `[${e.code}] ${e.message}`,
    ),
  ];
}
