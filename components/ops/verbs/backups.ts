import { backupsListCommand, restoreCommand, stopServicesCommand } from "../commands";
import { parseBackups } from "../remote-output";
import { currentTarget, Refused, type OpsContext } from "./context";
import { appServicesStart } from "./start";
import { when } from "./status";

export async function listBackups(ctx: OpsContext): Promise<void> {
  const { stdout } = await ctx.run(backupsListCommand(ctx.settings.target.remoteDir), {
    stream: false,
  });
  const backups = parseBackups(stdout);
  if (backups.length === 0) ctx.say("No backups on the server.");
  for (const b of backups) ctx.out(`${b.file}\t${when(b.mtime)}\t${b.bytes}`);
}

/**
 * Restores a backup into the database: the app services are stopped so nothing writes meanwhile,
 * the restore is one transaction, and the services are started again (and waited on until
 * healthy) whether or not it succeeded, since a failed restore changed nothing.
 */
export async function restore(ctx: OpsContext, request: { backup: string; yes: boolean }) {
  const { settings } = ctx;
  const backups = parseBackups(
    (await ctx.run(backupsListCommand(settings.target.remoteDir), { stream: false })).stdout,
  );
  if (!backups.some((b) => b.file === request.backup)) {
    throw new Error(
      `No backup named ${request.backup} on the server. Backups: ${backups.map((b) => b.file).join(", ") || "none"}.`,
    );
  }
  const target = await currentTarget(ctx);
  const steps = {
    stop: stopServicesCommand(target, settings.appServices),
    restore: restoreCommand(target, settings.backupService, request.backup),
    start: appServicesStart(settings, target),
  };
  if (!request.yes) {
    ctx.say(`With --yes this runs:\n  ${steps.stop}\n  ${steps.restore}\n  ${steps.start}`);
    throw new Refused(`replace the database with ${request.backup}`);
  }
  ctx.say(`1/3 stopping ${settings.appServices.join(", ")}`);
  await ctx.run(steps.stop, { stream: true });
  ctx.say(`2/3 restoring ${request.backup}`);
  let failure: unknown;
  try {
    await ctx.run(steps.restore, { stream: true });
  } catch (err) {
    failure = err;
    ctx.say(
      "The restore failed and was rolled back: the database is as it was. Starting the services again.",
    );
  }
  ctx.say("3/3 starting the app services and waiting until they are healthy");
  await ctx.run(steps.start, { stream: true });
  if (failure) throw failure;
  ctx.say(`Restored ${request.backup}.`);
}
