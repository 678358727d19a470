import { setTimeout as sleep } from "node:timers/promises";
import { run, type RunResult } from "../../scripts/lib/local-stack";

export function sh(cmd: string, args: string[]): RunResult {
  return run(cmd, args);
}

/** The container of one compose service, found by compose's own labels. */
export function containerOf(project: string, service: string): string | undefined {
  const out = sh("docker", [
    "ps",
    "-q",
    "--filter",
    `label=com.docker.compose.project=${project}`,
    "--filter",
    `label=com.docker.compose.service=${service}`,
    "--filter",
    "label=com.docker.compose.oneoff=False",
  ]).stdout.trim();
  return out.split("\n")[0] || undefined;
}

/** Id and start time: both stay the same only if the container was not recreated or restarted. */
export function containerIdentity(project: string, service: string): string {
  const id = containerOf(project, service);
  if (!id) return "absent";
  return sh("docker", ["inspect", "-f", "{{.Id}} {{.State.StartedAt}}", id]).stdout.trim();
}

export function psql(container: string, sql: string): string[] {
  const r = sh("docker", ["exec", container, "psql", "-U", "app", "-d", "app", "-tAc", sql]);
  if (r.code !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "");
}

export async function http(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  return { status: res.status, body: await res.text() };
}

/** Polls until `check` returns a value, or fails after `seconds` with the last error. */
export async function eventually<T>(
  what: string,
  seconds: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(1000);
  }
  throw new Error(
    `${what}: not true after ${seconds}s${last ? ` (last error: ${String(last)})` : ""}`,
  );
}
