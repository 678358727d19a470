// Which of the project's files a release ships: what Docker would send as the build context
// (.dockerignore; a project without one: what git tracks, by .gitignore), minus what must never
// leave the machine.
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import dockerignore from "@balena/dockerignore";
import ignore from "ignore";

/**
 * Settings files and keys: never uploaded, whatever the ignore files say (a `.env.production`
 * or a `deploy_key` left in the project would otherwise reach the server and every release).
 */
const NEVER_UPLOADED_NAMES = [
  /^\.env($|\.)/,
  /^id_(rsa|dsa|ecdsa|ed25519)(_sk)?$/,
  /^deploy_key/,
  /\.(pem|key|p12|pfx)$/,
];
const PRIVATE_KEY_HEADER = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function startsWithPrivateKey(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(256);
    const read = readSync(fd, head, 0, head.length, 0);
    return PRIVATE_KEY_HEADER.test(head.subarray(0, read).toString("latin1"));
  } finally {
    closeSync(fd);
  }
}

export type Verdict = "shipped" | "ignored" | "secret";

export interface ReleaseFilter {
  /** Why a file (relative, '/'-separated) is or is not part of the release. */
  verdict(file: string): Verdict;
}

function readIgnoreFile(root: string, name: string): string | undefined {
  const path = join(root, name);
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/**
 * The filter for a project root. `keep` lists files the deploy needs on the server even when an
 * ignore file leaves them out of the image (the compose file, the Dockerfile), as Docker itself
 * always sends the Dockerfile.
 */
export function releaseFilter(root: string, keep: readonly string[] = []): ReleaseFilter {
  // .dockerignore alone when there is one: it defines the build context exactly, and a file git
  // ignores (built assets, say) may still belong in the image.
  const docker = readIgnoreFile(root, ".dockerignore");
  const git = docker === undefined ? readIgnoreFile(root, ".gitignore") : undefined;
  const byDocker = docker === undefined ? undefined : dockerignore().add(docker);
  const byGit = git === undefined ? undefined : ignore().add(git);
  const kept = new Set(keep);
  return {
    verdict(file) {
      const name = file.slice(file.lastIndexOf("/") + 1);
      if (NEVER_UPLOADED_NAMES.some((re) => re.test(name))) return "secret";
      if (startsWithPrivateKey(join(root, file))) return "secret";
      if (kept.has(file)) return "shipped";
      if (byDocker?.ignores(file) || byGit?.ignores(file)) return "ignored";
      return "shipped";
    },
  };
}
