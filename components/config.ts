import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseConfig } from "./config-parse";
import type { RawConfig } from "./config-schema";
import { type GitHubWorkflowArgs, resolveSettings } from "./github";
import {
  buildServices,
  infraDefinitionHash,
  checkComposeRoles,
  checkRegistryImages,
  readComposeServices,
  switchRoles,
} from "./compose/compose-file";
import { databaseIdentity, type DatabaseIdentity } from "./compose/database-identity";
import type { ProxySpec } from "./compose/proxy";

/** The validated stack settings; secrets stay Outputs marked secret. */
type SecretKeys =
  | "secretEnv"
  | "remoteDir"
  | "github"
  | "githubBackendAccessToken"
  | "githubBackendPassphrase"
  | "githubBackendCredentials"
  | "imageRegistryPassword";

export interface DeployConfig extends Omit<RawConfig, SecretKeys> {
  project: string;
  stack: string;
  remoteDir: string;
  /** Absolute local path of the Django project. */
  projectDir: string;
  buildServices: string[];
  /** The web service's build context and Dockerfile (registry mode builds from them). */
  webBuild: { context: string; dockerfile: string };
  /** What the proxy in front of the web publishes, from the web's definition. */
  proxy: ProxySpec;
  /** Workers started beside the old ones (they have a healthcheck). */
  rollingWorkers: string[];
  /** Workers stopped before their successor starts (no healthcheck: celery beat). */
  singletonWorkers: string[];
  imageRegistryPassword?: pulumi.Output<string>;
  secretEnv: pulumi.Output<Record<string, string>>;
  /**
   * Digest of every env value: it changes with any setting. Kept secret in the state, so it tells
   * nobody without the stack's secrets provider anything about the secret values, and depends on
   * nothing but the settings (not on how the program authenticates).
   */
  envDigest: pulumi.Output<string>;
  /** infraDefinitionHash of the compose file's infra services with these settings; secret. */
  infraDigest: pulumi.Output<string>;
  /** The database service's image and data volume, when it is an infra service. */
  database?: DatabaseIdentity;
  /** The deploy workflow's settings, already validated; undefined when `github` is unset. */
  github?: GitHubWorkflowArgs;
}

// isConfigSecret is exported by the runtime but not typed.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as {
  isConfigSecret(key: string): boolean;
};

/** Checks what the config points at on this machine: the project directory and its compose file. */
export function checkProjectFiles(raw: RawConfig, baseDir: string, project: string) {
  const projectDir = resolve(baseDir, raw.projectPath);
  if (!existsSync(projectDir) || !statSync(projectDir).isDirectory()) {
    throw new ConfigError([
      `${project}:projectPath ${JSON.stringify(raw.projectPath)} is not a directory (resolved to ${projectDir}). Fix: pulumi config set projectPath <path of the Django project, relative to Pulumi.yaml>`,
    ]);
  }
  if (!existsSync(resolve(projectDir, "manage.py"))) {
    throw new ConfigError([
      `${project}:projectPath ${JSON.stringify(raw.projectPath)} has no manage.py, so it is not a Django project root. Fix: point projectPath at the directory that holds manage.py.`,
    ]);
  }
  const composePath = resolve(projectDir, raw.composeFile);
  if (!existsSync(composePath)) {
    throw new ConfigError([
      `${project}:composeFile ${JSON.stringify(raw.composeFile)} does not exist in ${projectDir}. Fix: pulumi config set composeFile <file name inside projectPath>`,
    ]);
  }
  const services = readComposeServices(composePath);
  const problems = checkComposeRoles(services, raw, composePath);
  if (raw.image) {
    problems.push(
      ...checkRegistryImages(services, [raw.webService, ...raw.workerServices], composePath),
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const webBuild = services.find((s) => s.name === raw.webService)?.build ?? {
    context: ".",
    dockerfile: "Dockerfile",
  };
  return {
    projectDir,
    composePath,
    buildServices: buildServices(services),
    webBuild,
    ...switchRoles(services, raw),
  };
}

/** Maps the `github` settings onto the workflow component's args and validates them now. */
function githubWorkflowArgs(
  raw: RawConfig,
  stack: string,
  project: string,
  secrets: { accessToken?: string; passphrase?: string; credentials?: Record<string, string> },
  /** `github:owner`, for the commands the component prints (the provider reads it itself). */
  owner: string | undefined,
): GitHubWorkflowArgs {
  const g = raw.github!;
  const secret = (v: string) => pulumi.secret(v);
  const args: GitHubWorkflowArgs = {
    repository: g.repository,
    owner,
    branch: g.branch,
    stack,
    workflowName: g.workflowName,
    workingDirectory: g.workingDirectory,
    nodeVersion: g.nodeVersion,
    pullRequestPreviews: g.pullRequestPreviews,
    environment: g.environment,
    backend:
      g.backend.kind === "pulumi-cloud"
        ? { kind: "pulumi-cloud", url: g.backend.url, accessToken: secret(secrets.accessToken!) }
        : {
            kind: "self-managed",
            url: g.backend.url,
            passphrase: secret(secrets.passphrase!),
            credentials: Object.fromEntries(
              Object.entries(secrets.credentials ?? {}).map(([k, v]) => [k, secret(v)]),
            ),
          },
  };
  try {
    resolveSettings(args);
  } catch (err) {
    throw new ConfigError([`${project}:github: ${(err as Error).message}`]);
  }
  return args;
}

export function envDigest(vars: Record<string, string>): string {
  const canonical = JSON.stringify(
    Object.keys(vars)
      .sort()
      .map((k) => [k, vars[k]]),
  );
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

/** Where the stack's releases and backups live: `remoteDir`, or `/srv/<composeProject>`. */
export function remoteDirOf(raw: Pick<RawConfig, "remoteDir" | "composeProject">): string {
  return (raw.remoteDir ?? `/srv/${raw.composeProject}`).replace(/\/+$/, "");
}

/** The only place that reads pulumi.Config: validate everything before any resource exists. */
export function loadConfig(): DeployConfig {
  const project = pulumi.getProject();
  const prefix = `${project}:`;
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    values[key] = value;
    if (runtimeConfig.isConfigSecret(fullKey)) secretKeys.add(key);
  }
  const raw = parseConfig({ project, values, secretKeys });
  const files = checkProjectFiles(raw, process.cwd(), project);
  const {
    secretEnv,
    remoteDir,
    github,
    githubBackendAccessToken,
    githubBackendPassphrase,
    githubBackendCredentials,
    imageRegistryPassword,
    ...plain
  } = raw;
  const workflow = github
    ? githubWorkflowArgs(
        raw,
        pulumi.getStack(),
        project,
        {
          accessToken: githubBackendAccessToken,
          passphrase: githubBackendPassphrase,
          credentials: githubBackendCredentials,
        },
        pulumi.runtime.allConfig()["github:owner"],
      )
    : undefined;
  return {
    ...plain,
    project,
    stack: pulumi.getStack(),
    remoteDir: remoteDirOf(raw),
    projectDir: files.projectDir,
    buildServices: files.buildServices,
    webBuild: files.webBuild,
    proxy: files.proxy,
    rollingWorkers: files.rollingWorkers,
    singletonWorkers: files.singletonWorkers,
    imageRegistryPassword:
      imageRegistryPassword === undefined ? undefined : pulumi.secret(imageRegistryPassword),
    secretEnv: pulumi.secret(secretEnv),
    envDigest: pulumi.secret(envDigest({ ...plain.env, ...secretEnv })),
    infraDigest: pulumi.secret(
      infraDefinitionHash(files.composePath, raw.infraServices, { ...plain.env, ...secretEnv }),
    ),
    database: raw.infraServices.includes(raw.backupService)
      ? databaseIdentity(files.composePath, raw.backupService, plain.env)
      : undefined,
    github: workflow,
  };
}
