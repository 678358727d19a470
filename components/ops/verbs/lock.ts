import { argv } from "../../shell/quote";
import { breakLockCommand, holderFile, lockFile, type LockHolder } from "../../server/deploy-lock";
import { Refused, type OpsContext } from "./context";

/** `free`, or `held` and the holder's record. */
export function lockStatusCommand(remoteDir: string): string {
  return `if [ ! -e ${argv(lockFile(remoteDir))} ] || flock -n ${argv(lockFile(remoteDir))} true; then echo free; else echo held; cat -- ${argv(holderFile(remoteDir))} 2>/dev/null; fi`;
}

export function describeLock(output: string): string {
  const [state, record] = output.split("\n");
  if (state === "free") return "free";
  try {
    const { holder: h } = JSON.parse(record) as { holder: LockHolder };
    return `held by stack ${h.stack}, ${h.user}@${h.host} (pid ${h.pid}) since ${h.since}${h.run ? `, ${h.run}` : ""}`;
  } catch {
    return "held (no record of the holder)";
  }
}

/** Ends the session holding the deploy lock: for a holder that is gone but whose session is not. */
export async function unlock(ctx: OpsContext, request: { yes: boolean }): Promise<void> {
  const { remoteDir } = ctx.settings.target;
  const now = await ctx.run(lockStatusCommand(remoteDir), { stream: false });
  const described = describeLock(now.stdout);
  if (described === "free") {
    ctx.out("deploy lock: free; nothing to do");
    return;
  }
  ctx.out(`deploy lock: ${described}`);
  if (!request.yes) {
    ctx.say(
      `With --yes this ends that holder's session on the server:\n  ${breakLockCommand(remoteDir)}`,
    );
    throw new Refused("end the deploy-lock holder");
  }
  const result = await ctx.run(breakLockCommand(remoteDir), { stream: false });
  ctx.out(`deploy lock: ${result.stdout.trim()}`);
}
