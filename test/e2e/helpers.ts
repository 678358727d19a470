import { setTimeout as sleep } from "node:timers/promises";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  configureStack,
  createWorkspace,
  REPO,
  run,
  startSshd,
  stopSshd,
  useAgent,
  type RunResult,
  type Workspace,
} from "../../scripts/lib/local-stack";

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

export interface LocalDeploy {
  ws: Workspace;
  privateKeyFile: string;
  /** Stops the agent and the sshd. */
  stop(): void;
}

/**
 * A workspace (copy of the example) that deploys `project` to `/srv/<project>` over its own
 * loopback sshd, signing in through its own agent.
 */
export function localDeploy(
  dir: string,
  project: string,
  webPort: number,
  env?: Record<string, string>,
  options: { user?: string } = {},
): LocalDeploy {
  const ws = createWorkspace(dir, { copyExample: true });
  const sshd = startSshd(join(dir, "sshd"));
  const agent = useAgent(ws, sshd);
  const remoteDir = `/srv/${project}`;
  if (options.user) {
    // The server preparation the README gives, done the same way.
    const prepared = run("bash", [
      join(REPO, "scripts", "prepare-deploy-user.sh"),
      options.user,
      `${sshd.privateKeyFile}.pub`,
      remoteDir,
    ]);
    if (prepared.code !== 0) throw new Error(`prepare-deploy-user.sh failed:\n${prepared.stderr}`);
  }
  configureStack(ws, sshd, {
    webPort,
    remoteDir,
    composeProject: project,
    env,
    user: options.user,
  });
  return {
    ws,
    privateKeyFile: sshd.privateKeyFile,
    stop: () => {
      agent.stop();
      stopSshd(join(dir, "sshd"));
    },
  };
}

/** Removes what deploys of `project` left here, the volumes the deploy keeps by design included. */
export function removeProject(project: string): void {
  sh("docker", ["compose", "-p", project, "down", "--remove-orphans", "--volumes"]);
  for (const volume of [`${project}_pgdata`, `${project}_static`])
    sh("docker", ["volume", "rm", "-f", volume]);
  rmSync(`/srv/${project}`, { recursive: true, force: true });
}
