// The component's arguments, their defaults, and the checks that run before anything renders.

import { validateBackend, type BackendArgs, type ValidatedBackend } from "./backend";

export interface EnvironmentSettings {
  /** GitHub deployment environment the deploy job runs in, e.g. "production". */
  name: string;
  /** Numeric GitHub user / team ids allowed to approve a deploy (up to 6 of each). */
  reviewers?: { users?: number[]; teams?: number[] };
  /** Forbid the person who pushed from approving their own deploy (needs reviewers). */
  preventSelfReview?: boolean;
}

/**
 * Everything the workflow and its secrets are made from. `S` is the type of secret values:
 * `pulumi.Input<string>` for the component, anything for the pure builders, which never read
 * them.
 */
export interface GitHubWorkflowSettings<S> {
  /** Repository name; the owner comes from the GitHub provider (`github:owner`). */
  repository: string;
  /**
   * The repository's owner, only for the `gh secret set` commands the component prints; the
   * GitHub provider itself reads `github:owner`.
   */
  owner?: string;
  /** Branch whose pushes deploy and whose pull requests get a preview. Default "main". */
  branch?: string;
  /** Pulumi stack the workflow previews and deploys, e.g. "prod" or "acme/prod". */
  stack: string;
  /** File name stem: .github/workflows/<workflowName>.yml. Default "deploy". */
  workflowName?: string;
  environment: EnvironmentSettings;
  backend: BackendArgs<S>;
  /**
   * "branches" (default): pull requests from branches of the repository get a preview job, which
   * holds the backend credentials and the passphrase (so it can read the state and decrypt
   * `secretEnv`). "off": no preview job; pull requests only run the tests, with no secret.
   */
  pullRequestPreviews?: "branches" | "off";
  /** Folder of Pulumi.yaml and package.json, relative to the repository root. Default ".". */
  workingDirectory?: string;
  /** Node.js major version for actions/setup-node. Default "20". */
  nodeVersion?: string;
  /** Pulumi CLI version the workflow installs. Default: the SDK version this project uses. */
  pulumiVersion?: string;
  /** Checks run before a deploy, each one step. Default: this project's static, unit and component tests. */
  testCommands?: string[];
}

export const DEFAULT_PULUMI_VERSION = "3.248.0";

// The e2e suite is left out: it needs dockerd, sshd and a local Pulumi engine built from source,
// which a hosted runner does not have and which would take most of a CI run to build.
export const DEFAULT_TEST_COMMANDS: readonly string[] = [
  "bash scripts/install-actionlint.sh",
  "npm run test:static",
  "npm run test:unit",
  "npm run test:components",
];

export interface ResolvedSettings<S> {
  repository: string;
  branch: string;
  stack: string;
  workflowName: string;
  workflowPath: string;
  environment: EnvironmentSettings;
  backend: BackendArgs<S>;
  validatedBackend: ValidatedBackend;
  pullRequestPreviews: "branches" | "off";
  workingDirectory: string;
  nodeVersion: string;
  pulumiVersion: string;
  testCommands: string[];
}

function fail(key: string, value: unknown, rule: string, fix: string): never {
  throw new Error(`GitHub workflow ${key} ${JSON.stringify(value)} ${rule}. Fix: ${fix}.`);
}

function check(ok: boolean, key: string, value: unknown, rule: string, fix: string): void {
  if (!ok) fail(key, value, rule, fix);
}

/** Fills defaults and validates; throws one error naming the key, the value and the fix. */
export function resolveSettings<S>(args: GitHubWorkflowSettings<S>): ResolvedSettings<S> {
  const branch = args.branch ?? "main";
  const workflowName = args.workflowName ?? "deploy";
  const workingDirectory = (args.workingDirectory ?? ".").replace(/\/+$/, "") || ".";
  const nodeVersion = args.nodeVersion ?? "20";
  const pulumiVersion = args.pulumiVersion ?? DEFAULT_PULUMI_VERSION;
  const testCommands = [...(args.testCommands ?? DEFAULT_TEST_COMMANDS)];
  const pullRequestPreviews = args.pullRequestPreviews ?? "branches";

  check(
    /^[A-Za-z0-9_.-]+$/.test(args.repository) && !args.repository.includes(".."),
    "repository",
    args.repository,
    "is not a bare repository name",
    'give the name only ("my-app"); set the owner with `pulumi config set github:owner <owner>`',
  );
  check(
    /^[A-Za-z0-9._/-]+$/.test(branch) && !branch.startsWith("-") && !branch.includes(".."),
    "branch",
    branch,
    "is not a plain branch name",
    'use the branch name without wildcards, e.g. "main"',
  );
  check(
    /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/.test(args.stack),
    "stack",
    args.stack,
    "is not a Pulumi stack name",
    'use "<stack>", "<org>/<stack>" or "<org>/<project>/<stack>"',
  );
  check(
    /^[A-Za-z0-9_-]+$/.test(workflowName),
    "workflowName",
    workflowName,
    "is not a file name stem",
    'use letters, digits, "-" and "_" only, e.g. "deploy"',
  );
  check(
    /^[A-Za-z0-9_. -]{1,255}$/.test(args.environment.name) && args.environment.name.trim() !== "",
    "environment.name",
    args.environment.name,
    "is not a GitHub environment name",
    'use letters, digits, spaces, ".", "-" and "_", e.g. "production"',
  );
  for (const kind of ["users", "teams"] as const) {
    const ids = args.environment.reviewers?.[kind] ?? [];
    check(
      ids.length <= 6 && ids.every((id) => Number.isInteger(id) && id > 0),
      `environment.reviewers.${kind}`,
      ids,
      "is not a list of at most 6 numeric ids",
      `list the numeric ${kind === "users" ? "user" : "team"} ids (gh api /users/<login> --jq .id)`,
    );
  }
  check(
    !workingDirectory.startsWith("/") && !workingDirectory.split("/").includes(".."),
    "workingDirectory",
    args.workingDirectory,
    "is not a folder inside the repository",
    'give a path relative to the repository root, e.g. "." or "infra"',
  );
  check(
    /^\d+(\.\d+){0,2}$/.test(nodeVersion),
    "nodeVersion",
    nodeVersion,
    "is not a Node.js version",
    'use a version such as "20" or "20.19.0"',
  );
  check(
    /^\d+\.\d+\.\d+$/.test(pulumiVersion),
    "pulumiVersion",
    pulumiVersion,
    "is not an exact Pulumi CLI version",
    'pin an exact release, e.g. "3.248.0"',
  );
  check(
    pullRequestPreviews === "branches" || pullRequestPreviews === "off",
    "pullRequestPreviews",
    pullRequestPreviews,
    'is not "branches" or "off"',
    'use "off" to give pull requests no preview job (and so no secret)',
  );
  check(
    testCommands.every((c) => c.trim() !== "" && !c.includes("\n")),
    "testCommands",
    testCommands,
    "has an empty or multi-line command",
    "give one single-line shell command per entry",
  );

  return {
    repository: args.repository,
    branch,
    stack: args.stack,
    workflowName,
    workflowPath: `.github/workflows/${workflowName}.yml`,
    environment: args.environment,
    backend: args.backend,
    validatedBackend: validateBackend(args.backend),
    pullRequestPreviews,
    workingDirectory,
    nodeVersion,
    pulumiVersion,
    testCommands,
  };
}
