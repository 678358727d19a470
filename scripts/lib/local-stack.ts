// A Pulumi workspace outside the repo that deploys to this machine's loopback sshd: shared by the
// README's main job (scripts/deploy-local.ts) and the end-to-end tests, so both run the same path.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";

export const REPO = resolve(__dirname, "..", "..");
export const STACK = "local";

export interface Sshd {
  port: number;
  privateKeyFile: string;
  hostKey: string;
}

export interface Workspace {
  dir: string;
  /** The Django project this workspace deploys. */
  projectDir: string;
  env: NodeJS.ProcessEnv;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): RunResult {
  const result: SpawnSyncReturns<string> = spawnSync(cmd, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function must(what: string, result: RunResult): RunResult {
  if (result.code !== 0) {
    throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** The engine's bin directory, from the installer (which builds it when missing). */
export function engineBinDir(): string {
  return must(
    "scripts/install-engine.sh --print-path",
    run("bash", [join(REPO, "scripts/install-engine.sh"), "--print-path"]),
  ).stdout.trim();
}

/** Starts (or reuses) the loopback sshd whose state lives in `dir`. */
export function startSshd(dir: string, options: { reuse?: boolean } = {}): Sshd {
  mkdirSync(dir, { recursive: true });
  const args = [join(REPO, "scripts/start-sshd.sh"), ...(options.reuse ? ["--reuse"] : []), dir];
  must("scripts/start-sshd.sh", run("bash", args));
  const vars = JSON.parse(readFileSync(join(dir, "env.json"), "utf8")) as Record<string, string>;
  return {
    port: Number(vars.SSH_PORT),
    privateKeyFile: vars.SSH_PRIVATE_KEY_FILE,
    hostKey: vars.HOST_KEY,
  };
}

export function stopSshd(dir: string): void {
  run("bash", [join(REPO, "scripts/start-sshd.sh"), "--stop", dir]);
}

export interface Agent {
  socket: string;
  stop(): void;
}

/**
 * Starts an ssh-agent on a socket in `dir` holding `privateKeyFile`, as a user's agent or the
 * workflow's would: the program signs in through it and never sees the key.
 */
function startAgent(dir: string, privateKeyFile: string): Agent {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socket = join(dir, "agent.sock");
  rmSync(socket, { force: true });
  const started = must("ssh-agent", run("ssh-agent", ["-s", "-a", socket]));
  const pid = /SSH_AGENT_PID=(\d+)/.exec(started.stdout)?.[1];
  if (!pid) throw new Error(`ssh-agent printed no pid:\n${started.stdout}`);
  const env = { ...process.env, SSH_AUTH_SOCK: socket };
  must("ssh-add", run("ssh-add", ["-q", privateKeyFile], { env }));
  return {
    socket,
    stop: () => {
      run("ssh-agent", ["-k"], { env: { ...env, SSH_AGENT_PID: pid } });
      rmSync(socket, { force: true });
    },
  };
}

/**
 * `link` -> `target`, replacing a link to anything else: a workspace kept from an earlier clone
 * (moved or deleted since) must run this clone's program, not fail on a dangling link or run the
 * other clone's code.
 */
function linkIntoRepo(target: string, link: string): void {
  let current: string | undefined;
  try {
    if (!lstatSync(link).isSymbolicLink()) {
      throw new Error(
        `${link} is not a link into the repository; remove it so the workspace can link ${target}`,
      );
    }
    current = readlinkSync(link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (current === target) return;
  if (current !== undefined) unlinkSync(link);
  symlinkSync(target, link);
}

/**
 * Lays out `dir` as a Pulumi project that runs this repo's program (symlinks), with its own state
 * backend and stack file, so nothing is written into the repo.
 */
export function createWorkspace(dir: string, options: { copyExample: boolean }): Workspace {
  mkdirSync(join(dir, "state"), { recursive: true });
  writeFileSync(join(dir, "Pulumi.yaml"), readFileSync(join(REPO, "Pulumi.yaml")));
  for (const name of [
    "index.ts",
    "components",
    "node_modules",
    "package.json",
    "tsconfig.json",
    "tsconfig.pulumi.json",
  ]) {
    linkIntoRepo(join(REPO, name), join(dir, name));
  }
  let projectDir = join(REPO, "examples", "django-app");
  if (options.copyExample) {
    projectDir = join(dir, "django-app");
    cpSync(join(REPO, "examples", "django-app"), projectDir, {
      recursive: true,
      filter: (src) => !src.includes("__pycache__"),
    });
  }
  const binDir = engineBinDir();
  const passphraseFile = join(dir, "passphrase");
  if (!existsSync(passphraseFile))
    writeFileSync(passphraseFile, randomBytes(24).toString("hex"), { mode: 0o600 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${binDir}:${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    NO_COLOR: "1",
  };
  delete env.PULUMI_CONFIG_PASSPHRASE;
  return { dir, projectDir, env };
}

/**
 * Moves a workspace made by an earlier version (SSH key in the stack config) to the agent, with
 * the same script users run, so its next deploy re-runs no step.
 */
export function moveLegacyKey(ws: Workspace): RunResult | undefined {
  const stackFile = join(ws.dir, `Pulumi.${STACK}.yaml`);
  const stack = parse(readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> };
  if (stack.config?.["django-deploy:sshPrivateKey"] === undefined) return undefined;
  return must(
    "npm run move-ssh-key",
    run("npx", ["tsx", join(REPO, "scripts", "move-ssh-key.ts"), "--stack", STACK], {
      cwd: ws.dir,
      env: ws.env,
    }),
  );
}

/** Starts an agent with the sshd's client key for this workspace's pulumi runs. */
export function useAgent(ws: Workspace, sshd: Sshd): Agent {
  const agent = startAgent(join(ws.dir, "agent"), sshd.privateKeyFile);
  ws.env.SSH_AUTH_SOCK = agent.socket;
  return agent;
}

/** Everything the pulumi runs of this process printed, so tests can scan it for secrets. */
export const pulumiTranscript: string[] = [];

export function pulumi(ws: Workspace, args: string[], input?: string): RunResult {
  const result = run("pulumi", [...args, "--non-interactive"], { cwd: ws.dir, env: ws.env, input });
  pulumiTranscript.push(result.stdout, result.stderr);
  return result;
}

/**
 * The secret values a workspace's stack was configured with: the SSH private key's lines, the
 * generated app secrets and the passphrase. None may appear in state or in what pulumi printed.
 */
export function workspaceSecrets(ws: Workspace, privateKeyFile: string): string[] {
  const keyLines = readFileSync(privateKeyFile, "utf8")
    .split("\n")
    .filter((line) => line.length >= 16 && !line.startsWith("-----"));
  const appSecrets = JSON.parse(readFileSync(join(ws.dir, "app-secrets.json"), "utf8")) as Record<
    string,
    string
  >;
  return [
    ...keyLines,
    ...Object.values(appSecrets),
    readFileSync(join(ws.dir, "passphrase"), "utf8").trim(),
  ];
}

/** Creates the stack (if new) and writes its config from Pulumi.local.yaml plus this machine's sshd. */
export function configureStack(
  ws: Workspace,
  sshd: Sshd,
  extra: {
    webPort: number;
    remoteDir: string;
    composeProject: string;
    env?: Record<string, string>;
    /** The SSH user; root unless a test deploys as a prepared non-root user. */
    user?: string;
  },
): void {
  if (pulumi(ws, ["stack", "select", STACK]).code !== 0) {
    must(
      "pulumi stack init",
      pulumi(ws, ["stack", "init", STACK, "--secrets-provider", "passphrase"]),
    );
  }
  const template = parse(readFileSync(join(REPO, `Pulumi.${STACK}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  const stackFile = join(ws.dir, `Pulumi.${STACK}.yaml`);
  const current = (existsSync(stackFile) ? parse(readFileSync(stackFile, "utf8")) : {}) as {
    config?: Record<string, unknown>;
  };
  const p = (key: string) => `django-deploy:${key}`;
  const env = {
    ...(template.config[p("env")] as Record<string, string>),
    ...extra.env,
    WEB_PORT: String(extra.webPort),
  };
  const config: Record<string, unknown> = {
    ...template.config,
    [p("projectPath")]: ws.projectDir,
    [p("host")]: "127.0.0.1",
    [p("port")]: sshd.port,
    [p("user")]: extra.user ?? "root",
    [p("hostKey")]: sshd.hostKey,
    [p("remoteDir")]: extra.remoteDir,
    [p("composeProject")]: extra.composeProject,
    [p("env")]: env,
  };
  // The SSH key is not config: the program signs in through the agent (see startAgent). A
  // workspace from an earlier version keeps its key until moveLegacyKey takes it out of the state.
  for (const key of [p("secretEnv"), p("sshPrivateKey")]) {
    if (current.config?.[key] !== undefined) config[key] = current.config[key];
  }
  writeFileSync(stackFile, stringify({ ...current, config }));
  // Generated once per workspace and kept: a new one would not match the database's password.
  const secretsFile = join(ws.dir, "app-secrets.json");
  if (!existsSync(secretsFile)) {
    const secrets = {
      DJANGO_SECRET_KEY: randomBytes(32).toString("base64url"),
      POSTGRES_PASSWORD: randomBytes(16).toString("hex"),
    };
    writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
  }
  const secrets = JSON.parse(readFileSync(secretsFile, "utf8")) as Record<string, string>;
  for (const [name, value] of Object.entries(secrets)) {
    must(
      `pulumi config set secretEnv.${name}`,
      pulumi(
        ws,
        ["config", "set", "--stack", STACK, "--secret", "--path", `secretEnv.${name}`],
        value,
      ),
    );
  }
}
