import { describeLock, lockStatusCommand } from "./lock";
import { backupsListCommand, containersCommand, showmigrationsCommand } from "../commands";
import { parseBackups, parseContainers, parseMigrationPlan } from "../remote-output";
import { serverReleases, targetOf, type OpsContext } from "./context";

export function when(mtime: number): string {
  return new Date(mtime * 1000).toISOString().replace(/\.\d+Z$/, "Z");
}

/** Releases, containers and health, applied vs pending migrations, the last backup. */
export async function status(ctx: OpsContext): Promise<void> {
  const { settings } = ctx;
  ctx.out(
    `stack ${settings.stack}: ${settings.user}@${settings.host}:${settings.port} ${settings.target.remoteDir}`,
  );
  const { current, releases } = await serverReleases(ctx);
  ctx.out("releases (newest first):");
  for (const r of releases) {
    const notes = [
      r.id === current ? "current" : "",
      r.id === settings.deployedRelease ? "last deployed by pulumi up" : "",
    ].filter(Boolean);
    ctx.out(
      `  ${r.id === current ? "*" : " "} ${r.id}  ${when(r.mtime)}${notes.length ? `  (${notes.join(", ")})` : ""}`,
    );
  }
  if (!current) {
    ctx.out("no release is current: the app was never started (pulumi up)");
    return;
  }
  const target = targetOf(ctx, current);

  const containers = parseContainers(
    (await ctx.run(containersCommand(target), { stream: false })).stdout,
  );
  ctx.out("containers:");
  for (const c of containers) {
    ctx.out(
      `  ${c.service.padEnd(16)} ${c.state.padEnd(8)} ${(c.health || "-").padEnd(9)} ${c.image}  ${c.status}`,
    );
  }

  const plan = parseMigrationPlan(
    (
      await ctx.run(showmigrationsCommand(target, settings.webService, { plan: true }), {
        stream: false,
      })
    ).stdout,
  );
  const pending = plan.filter((e) => !e.applied);
  ctx.out(`migrations: ${plan.length - pending.length} applied, ${pending.length} pending`);
  for (const e of pending) ctx.out(`  [ ] ${e.migration}`);

  const backups = parseBackups(
    (await ctx.run(backupsListCommand(settings.target.remoteDir), { stream: false })).stdout,
  );
  const last = backups[0];
  ctx.out(
    last
      ? `last backup: ${last.file}  ${when(last.mtime)}  ${last.bytes} bytes`
      : "last backup: none",
  );
  const lock = await ctx.run(lockStatusCommand(ctx.settings.target.remoteDir), { stream: false });
  ctx.out(`deploy lock: ${describeLock(lock.stdout)}`);
}
