import { dumpDatabaseCommand } from "../../compose/commands";
import {
  migratePlanCommand,
  migrateToCommand,
  opsBackupFileName,
  renameAppliedCommand,
  showmigrationsCommand,
} from "../commands";
import { currentTarget, Refused, type OpsContext } from "./context";

export async function showmigrations(
  ctx: OpsContext,
  options: { app?: string; plan: boolean },
): Promise<void> {
  const target = await currentTarget(ctx);
  await ctx.run(showmigrationsCommand(target, ctx.settings.webService, options), { stream: true });
}

/** Django's words when `migrate <app> <target>` has nothing to do. */
const NOTHING_PLANNED = "No planned migration operations.";

/**
 * `migrate <app> <target> [--fake]` with the current release's code: prints Django's plan first,
 * refuses without --yes, takes a backup, then migrates.
 */
export async function migrate(
  ctx: OpsContext,
  request: { app: string; target: string; fake: boolean; yes: boolean },
): Promise<void> {
  const { webService, backupService } = ctx.settings;
  const target = await currentTarget(ctx);
  const plan = await ctx.run(migratePlanCommand(target, webService, request.app, request.target), {
    stream: true,
  });
  if (plan.stdout.includes(NOTHING_PLANNED)) {
    ctx.say("Nothing to migrate: the database is already there.");
    return;
  }
  const backup = opsBackupFileName(ctx.now(), "migrate", request.app, request.target);
  const backupCommand = dumpDatabaseCommand(target, backupService, backup);
  const migrateCommand = migrateToCommand(
    target,
    webService,
    request.app,
    request.target,
    request.fake,
  );
  if (!request.yes) {
    ctx.say(`With --yes this runs:\n  ${backupCommand}\n  ${migrateCommand}`);
    throw new Refused(`${request.fake ? "fake-" : ""}migrate ${request.app} to ${request.target}`);
  }
  ctx.say(`Backup before migrating: ${backup}`);
  await ctx.run(backupCommand, { stream: true });
  await ctx.run(migrateCommand, { stream: true });
  ctx.say(`Done. To undo: npm run ops -- restore ${backup} --yes`);
}

/**
 * A migration file renamed after it was applied (the live migration check names it): records the
 * new name in place of the old, in the database only. Check first that the schema has the
 * migration's changes; the old name comes back with the same verb, names swapped.
 */
export async function renameMigration(
  ctx: OpsContext,
  request: { app: string; from: string; to: string; yes: boolean },
): Promise<void> {
  const { app, from, to } = request;
  const target = await currentTarget(ctx);
  const command = renameAppliedCommand(target, ctx.settings.webService, app, from, to);
  if (!request.yes) {
    ctx.say(`With --yes this runs:\n  ${command}`);
    throw new Refused(`record ${app}.${to} as applied in place of ${app}.${from}`);
  }
  await ctx.run(command, { stream: true });
  ctx.say(
    `To undo: npm run ops -- rename-migration ${app} ${to} ${from} --yes --stack ${ctx.settings.stack}`,
  );
}
