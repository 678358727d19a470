import { execCommand, logsCommand } from "../commands";
import { currentTarget, type OpsContext } from "./context";

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
