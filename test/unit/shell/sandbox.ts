// A temp dir where built commands run for real under /bin/sh, with a stub `docker` on PATH that
// records every call (argv NUL-separated, environment via `env -0`), so a test can prove that
// hostile values arrived as single arguments and that nothing in them was executed.

import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Put in hostile values: each fragment creates a file named CANARY in the shell's working
 * directory if the shell ever executes it, and `*` expands to the sandbox's files if unquoted.
 */
export const HOSTILE =
  "a b  'sq' \"dq\" $(touch CANARY) `touch CANARY` ; touch CANARY && touch CANARY | touch CANARY\ntouch CANARY * ~ #x \\n";

export interface StubCall {
  argv: string[];
  env: Record<string, string>;
}

export interface ShResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  dir: string;
  /** Runs `command` with /bin/sh -c in the sandbox; PATH is the stub dir, then /usr/bin:/bin. */
  run(command: string, options?: { input?: string; path?: string }): ShResult;
  /** Every call the stub docker received, in order. */
  calls(): StubCall[];
  /** Every path below the sandbox whose last component is exactly CANARY. */
  canaries(): string[];
  cleanup(): void;
}

/**
 * `behaviour` is sh code run by the stub after recording; it sees the call's "$@". The default
 * succeeds silently.
 */
export function makeSandbox(behaviour = "exit 0"): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "deploy-sh-"));
  const bin = join(dir, ".stub-bin");
  const calls = join(dir, ".stub-calls");
  mkdirSync(bin);
  mkdirSync(calls);
  // Something for an unquoted `*` to expand to.
  writeFileSync(join(dir, "GLOB_MATCH"), "");
  const stub = [
    "#!/bin/sh",
    'n=$(ls "$STUB_CALLS" | wc -l)',
    'f="$STUB_CALLS/$(printf %04d $((n / 2)))"',
    'printf \'%s\\0\' "$@" > "$f.argv"',
    'env -0 > "$f.env"',
    behaviour,
    "",
  ].join("\n");
  writeFileSync(join(bin, "docker"), stub);
  chmodSync(join(bin, "docker"), 0o755);

  const splitNul = (text: string) => (text === "" ? [] : text.slice(0, -1).split("\0"));
  return {
    dir,
    run(command, options = {}) {
      const result = spawnSync("/bin/sh", ["-c", command], {
        cwd: dir,
        input: options.input ?? "",
        encoding: "utf8",
        env: { PATH: options.path ?? `${bin}:/usr/bin:/bin`, STUB_CALLS: calls },
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    calls() {
      const names = readdirSync(calls)
        .filter((f) => f.endsWith(".argv"))
        .sort();
      return names.map((name) => {
        const base = join(calls, name.slice(0, -".argv".length));
        const env: Record<string, string> = {};
        for (const entry of splitNul(readFileSync(`${base}.env`, "utf8"))) {
          const eq = entry.indexOf("=");
          env[entry.slice(0, eq)] = entry.slice(eq + 1);
        }
        return { argv: splitNul(readFileSync(`${base}.argv`, "utf8")), env };
      });
    },
    canaries() {
      const found: string[] = [];
      const walk = (d: string) => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          if (e.name === "CANARY") found.push(join(d, e.name));
          if (e.isDirectory() && !e.isSymbolicLink()) walk(join(d, e.name));
        }
      };
      walk(dir);
      return found;
    },
    cleanup() {
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
