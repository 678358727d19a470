// Which Actions secrets exist, who sets each, and where each is visible.
//
// Scoping: the backend credentials are repository secrets because the pull-request preview job
// needs them too (it reads state and decrypts config) and it must not be gated behind the
// deployment environment's reviewers. The SSH key and the GitHub write token are environment
// secrets: only a job that enters the environment (reviewers, branch policy: runs from the deploy
// branch only) receives them, and a pull request's job cannot, whatever workflow file it runs.
// Neither is known to Pulumi: a value Pulumi set would sit in the state, which the preview job's
// passphrase decrypts. So they are set by hand, once, with `gh secret set`.

import { quote } from "shell-quote";

import type { BackendArgs } from "./backend";

export type SecretScope = "repository" | "environment";

export interface PlannedSecret<S> {
  /** Actions secret name, also the environment variable the workflow exposes it as. */
  name: string;
  scope: SecretScope;
  /** Set by this program from a stack secret, or by a person (the value never reaches Pulumi). */
  setBy: "pulumi" | "hand";
  /** The value, for secrets Pulumi sets. */
  value?: S;
  /** What a person sets it to, for secrets set by hand. */
  holds?: string;
}

export const SSH_PRIVATE_KEY_SECRET = "DEPLOY_SSH_PRIVATE_KEY";
export const GITHUB_TOKEN_SECRET = "DEPLOY_GITHUB_TOKEN";
export const ACCESS_TOKEN_SECRET = "PULUMI_ACCESS_TOKEN";
export const PASSPHRASE_SECRET = "PULUMI_CONFIG_PASSPHRASE";

/** Names the workflow sets itself or that other secrets already use. */
const RESERVED_NAMES = new Set([
  SSH_PRIVATE_KEY_SECRET,
  GITHUB_TOKEN_SECRET,
  "SSH_AUTH_SOCK",
  ACCESS_TOKEN_SECRET,
  PASSPHRASE_SECRET,
  "PULUMI_BACKEND_URL",
  "CI",
  "HOME",
  "PATH",
]);

/**
 * Checks an extra credential name: it becomes both an Actions secret name (letters, digits and
 * underscores, not starting with a digit or GITHUB_) and an environment variable. Upper case
 * only, because GitHub stores secret names upper-cased and the env lookup is case-sensitive.
 */
export function validateCredentialName(name: string): void {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(name) || name.startsWith("GITHUB_")) {
    throw new Error(
      `GitHub workflow backend credential name ${JSON.stringify(name)} is not a usable secret ` +
        "name: it must be upper-case letters, digits and underscores, not start with a digit " +
        "or GITHUB_. Fix: use the environment variable the backend SDK reads, e.g. " +
        "AWS_ACCESS_KEY_ID, AZURE_STORAGE_KEY, GOOGLE_CREDENTIALS.",
    );
  }
  if (RESERVED_NAMES.has(name)) {
    throw new Error(
      `GitHub workflow backend credential name ${JSON.stringify(name)} is reserved: the ` +
        "workflow sets it itself. Fix: remove it from credentials (use the passphrase or " +
        "accessToken setting instead).",
    );
  }
}

export function planSecrets<S>(args: { backend: BackendArgs<S> }): PlannedSecret<S>[] {
  const { backend } = args;
  const repository: PlannedSecret<S>[] = [];
  const managed = (name: string, value: S): PlannedSecret<S> => ({
    name,
    scope: "repository",
    setBy: "pulumi",
    value,
  });
  if (backend.kind === "pulumi-cloud") {
    repository.push(managed(ACCESS_TOKEN_SECRET, backend.accessToken));
  }
  if (backend.passphrase !== undefined) {
    repository.push(managed(PASSPHRASE_SECRET, backend.passphrase));
  }
  if (backend.kind === "self-managed") {
    // Sorted so the rendered workflow and the resource order do not depend on key order.
    for (const name of Object.keys(backend.credentials ?? {}).sort()) {
      validateCredentialName(name);
      repository.push(managed(name, backend.credentials![name]));
    }
  }
  return [
    ...repository,
    {
      name: SSH_PRIVATE_KEY_SECRET,
      scope: "environment",
      setBy: "hand",
      holds: "the deploy user's SSH private key",
    },
    {
      name: GITHUB_TOKEN_SECRET,
      scope: "environment",
      setBy: "hand",
      holds:
        "a GitHub token that may write this repository's workflow file, environments and Actions secrets (fine-grained: Contents, Workflows, Environments, Secrets: read and write)",
    },
  ];
}

/** The command that sets a by-hand secret, reading the value from stdin (never a command line). */
export function setSecretCommand(
  secret: PlannedSecret<unknown>,
  where: { owner?: string; repository: string; environment: string },
): string {
  const repo = where.owner ? `${where.owner}/${where.repository}` : where.repository;
  return quote([
    "gh",
    "secret",
    "set",
    secret.name,
    "--repo",
    repo,
    ...(secret.scope === "environment" ? ["--env", where.environment] : []),
  ]);
}
