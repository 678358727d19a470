import { dumpDatabaseCommand } from "../../compose/commands";
import { appServicesStart } from "./start";
import { migrateToCommand, opsBackupFileName, showmigrationsCommand } from "../commands";
import { parseMigrationPlan, type PlanEntry } from "../remote-output";
import { rollbackMigrations } from "../rollback-plan";
import type { ComposeTarget } from "../../compose/commands";
import { Refused, serverReleases, targetOf, type OpsContext } from "./context";

async function planOf(ctx: OpsContext, target: ComposeTarget): Promise<PlanEntry[]> {
  const command = showmigrationsCommand(target, ctx.settings.webService, { plan: true });
  return parseMigrationPlan((await ctx.run(command, { stream: false })).stdout);
}

/**
 * Puts the app services back on an earlier release still on the server (its files and image are
 * kept). Migrations newer than that release stay applied unless --unapply-migrations: they are
 * unapplied first, with the current code (only it has their files), after a backup.
 */
export async function rollback(
  ctx: OpsContext,
  request: { to?: string; unapplyMigrations: boolean; yes: boolean },
): Promise<void> {
  const { settings } = ctx;
  const { current, releases } = await serverReleases(ctx);
  if (!current) throw new Error("No release is current on the server: nothing to roll back.");
  const position = releases.findIndex((r) => r.id === current);
  const older = position === -1 ? [] : releases.slice(position + 1);
  const to = request.to ?? older[0]?.id;
  if (!to || to === current || !releases.some((r) => r.id === to)) {
    throw new Error(
      `${to === current ? `${to} is already current` : to ? `No release ${to} on the server` : "No earlier release on the server"}. ` +
        `Releases (newest first): ${releases.map((r) => r.id).join(", ")}.`,
    );
  }
  const now = targetOf(ctx, current);
  const earlier = targetOf(ctx, to);
  ctx.say(`Rolling back from ${current} to ${to}.`);
  const { newer, unapply } = rollbackMigrations(await planOf(ctx, now), await planOf(ctx, earlier));
  const unapplyCommands = unapply.map((u) =>
    migrateToCommand(now, settings.webService, u.app, u.to, false),
  );
  if (newer.length > 0) {
    ctx.out(`migrations applied now that ${to} does not have:`);
    for (const m of newer) ctx.out(`  ${m}`);
    ctx.out("to unapply them (with the current code, before switching):");
    for (const u of unapply)
      ctx.out(`  npm run ops -- migrate ${u.app} ${u.to} --yes --stack ${settings.stack}`);
    ctx.out("which runs on the server:");
    for (const c of unapplyCommands) ctx.out(`  ${c}`);
  } else {
    ctx.out(`no migration applied now is unknown to ${to}`);
  }
  const backup = opsBackupFileName(ctx.now(), "rollback", to);
  const backupCommand = dumpDatabaseCommand(now, settings.backupService, backup);
  const switchCommand = appServicesStart(settings, earlier);
  const unapplying = request.unapplyMigrations && unapply.length > 0;
  if (!request.yes) {
    const steps = [...(unapplying ? [backupCommand, ...unapplyCommands] : []), switchCommand];
    ctx.say(`With --yes this runs:\n${steps.map((s) => `  ${s}`).join("\n")}`);
    throw new Refused(`switch the app services to ${to}`);
  }
  if (unapplying) {
    ctx.say(`Backup before unapplying: ${backup}`);
    await ctx.run(backupCommand, { stream: true });
    for (const c of unapplyCommands) await ctx.run(c, { stream: true });
  } else if (newer.length > 0) {
    ctx.say(
      `Leaving ${newer.length} newer migration(s) applied: ${to}'s code runs on the newer schema.`,
    );
  }
  ctx.say(`Switching ${settings.appServices.join(", ")} to ${to} and waiting until healthy`);
  await ctx.run(switchCommand, { stream: true });
  ctx.say(
    `Done: ${to} is current. Pulumi's state still records ${settings.deployedRelease ?? "the later release"}; ` +
      `the next pulumi up of a new release switches forward, or go back with: npm run ops -- rollback --to ${current} --yes`,
  );
}
