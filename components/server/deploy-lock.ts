// The server-side deploy lock: one deploy (or destructive ops verb) per remoteDir at a time,
// whatever stack, backend or person starts it. It is a flock(1) held by a shell that lives exactly
// as long as the SSH session of its holder, so a deploy that ends, fails or is killed releases it
// with its connection: no held lock is ever left behind to clean up.
import { and, argv, orFail } from "../shell/quote";

export interface LockHolder {
  stack: string;
  user: string;
  host: string;
  pid: number;
  /** ISO time the lock was taken. */
  since: string;
  /** A link to the CI run holding it, when there is one. */
  run?: string;
}

export function lockFile(remoteDir: string): string {
  return `${remoteDir}/.deploy.lock`;
}

export function holderFile(remoteDir: string): string {
  return `${remoteDir}/.deploy.lock.json`;
}

export const LOCKED = "LOCKED";
export const HELD = "HELD";
/** Exit status of the lock command when another holder has the lock (EX_TEMPFAIL). */
export const HELD_EXIT = 75;

/**
 * Takes the lock without waiting, records the holder (and the server-side pid that holds it),
 * prints LOCKED and keeps it until its stdin closes, i.e. until the holder's connection ends; the
 * `cat` that waits for that does not inherit the lock, so ending this shell releases it. When the
 * lock is taken, prints HELD and the holder's record, and exits 75.
 */
export function holdLockCommand(remoteDir: string, holder: LockHolder): string {
  const lock = lockFile(remoteDir);
  const record = holderFile(remoteDir);
  return and(
    orFail(
      "command -v flock >/dev/null 2>&1",
      "flock (util-linux) is missing on this server; the deploy lock needs it. Fix: apt-get install util-linux (it is part of every Debian/Ubuntu base system).",
    ),
    // Nothing here is secret, and a holder running as another user (root, say) must stay
    // readable: the lock is taken on a read-only descriptor, the record is world-readable.
    "umask 022",
    argv("mkdir", "-p", "--", remoteDir),
    `{ [ -e ${argv(lock)} ] || : >${argv(lock)}; }`,
    `exec 9<${argv(lock)}`,
    `if flock -n 9; then ${and(
      argv("rm", "-f", "--", record),
      `${argv("printf", '{"holder":%s,"pid":%s}\\n', JSON.stringify(holder))} "$$" > ${argv(record)}`,
      argv("echo", LOCKED),
    )}; cat >/dev/null 9>&-; ${argv("rm", "-f", "--", record)}; else ${argv("echo", HELD)}; ${argv("cat", "--", record)} 2>/dev/null; exit ${HELD_EXIT}; fi`,
  );
}

/**
 * Ends the shell that holds the lock (for a holder whose connection the server still keeps),
 * then says whether the lock is free.
 */
export function breakLockCommand(remoteDir: string): string {
  const record = holderFile(remoteDir);
  return [
    `pid=$(sed -n 's/.*"pid":\\([0-9][0-9]*\\)}$/\\1/p' ${argv(record)} 2>/dev/null)`,
    'if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; sleep 1; fi',
    `if flock -n ${argv(lockFile(remoteDir))} true; then ${argv("rm", "-f", "--", record)}; echo released; else echo 'still held' >&2; exit 1; fi`,
  ].join("; ");
}

/** The error a second deploy gets: who holds the lock, and how to end a holder that is gone. */
export function heldMessage(remoteDir: string, holderText: string, ops: { stack: string }): string {
  let who = "a holder that left no record";
  try {
    const h = (JSON.parse(holderText) as { holder: LockHolder }).holder;
    who = `stack ${h.stack}, ${h.user}@${h.host} (pid ${h.pid}), since ${h.since}${h.run ? `, ${h.run}` : ""}`;
  } catch {
    // keep the generic description
  }
  return (
    `Another deploy holds the server's deploy lock (${lockFile(remoteDir)}): ${who}. ` +
    "Nothing was changed. Wait for it to finish, then run pulumi up again. The lock lasts exactly " +
    "as long as that deploy's SSH session; if that deploy is gone but the server still keeps its " +
    `session, end it with: npm run ops -- unlock --yes --stack ${ops.stack}`
  );
}
