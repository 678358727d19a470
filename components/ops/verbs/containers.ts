import { execCommand, logsCommand, restartServicesCommand } from "../commands";
import { currentTarget, Refused, type OpsContext } from "./context";

export async function logs(
  ctx: OpsContext,
  request: { service: string; since?: string; tail: number; follow: boolean },
): Promise<void> {
  const target = await currentTarget(ctx);
  await ctx.run(logsCommand(target, request.service, request), { stream: true });
}

/** Runs a command in the service's running container; interactive when this side is a terminal. */
export async function exec(
  ctx: OpsContext,
  request: { service: string; command: string[] },
): Promise<void> {
  const target = await currentTarget(ctx);
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  await ctx.run(execCommand(target, request.service, request.command, tty), { stream: true, tty });
}

/** Restarts services as they are and waits until they are healthy; default: the app services. */
export async function restart(
  ctx: OpsContext,
  request: { services: string[]; yes: boolean },
): Promise<void> {
  const target = await currentTarget(ctx);
  const services = request.services.length > 0 ? request.services : ctx.settings.appServices;
  const command = restartServicesCommand(target, services, ctx.settings.waitTimeoutSeconds);
  if (!request.yes) {
    ctx.say(`With --yes this runs:\n  ${command}`);
    throw new Refused(`restart ${services.join(", ")}`);
  }
  await ctx.run(command, { stream: true });
}
