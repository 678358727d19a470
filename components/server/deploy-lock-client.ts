import { hostname, userInfo } from "node:os";
import {
  HELD,
  HELD_EXIT,
  heldMessage,
  holdLockCommand,
  LOCKED,
  type LockHolder,
} from "./deploy-lock";
import { SshSession, tail, type SshTarget } from "./ssh-session";

/** Who this process is, for the lock record a second deploy is shown. */
export function currentHolder(stack: string, env: NodeJS.ProcessEnv = process.env): LockHolder {
  const run =
    env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY
      ? `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  return {
    stack,
    user: userInfo().username,
    host: hostname(),
    pid: process.pid,
    since: new Date().toISOString(),
    ...(run ? { run } : {}),
  };
}

/**
 * Takes the server's deploy lock for the rest of this process's life: the SSH session that holds
 * it neither keeps the process alive nor outlives it, so the lock goes with the process however
 * it ends (success, failure, kill). Rejects, changing nothing, when another holder has it.
 */
export async function holdDeployLock(
  target: SshTarget,
  remoteDir: string,
  holder: LockHolder,
): Promise<void> {
  const session = await SshSession.open(target);
  const channel = await session.start(holdLockCommand(remoteDir, holder));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    let err = "";
    channel.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.startsWith(`${LOCKED}\n`)) {
        // Held: the session may now end with the process, and must not keep it alive.
        session.detach();
        resolve();
      }
    });
    channel.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
    });
    channel.on("exit", (code: number | null) => {
      if (code === HELD_EXIT && out.startsWith(`${HELD}\n`)) {
        reject(new Error(heldMessage(remoteDir, out.slice(HELD.length + 1).trim(), holder)));
      } else {
        reject(
          new Error(`Could not take the server's deploy lock (exit ${code}): ${tail(err || out)}`),
        );
      }
      session.close();
    });
  });
}
