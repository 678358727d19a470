// Which Actions secrets exist, and where each is visible.
//
// Scoping: the backend credentials are repository secrets because the pull-request preview job
// needs them too (it reads state and decrypts config) and it must not be gated behind the
// deployment environment's reviewers. The SSH key and host key are environment secrets: only
// the deploy job, which runs in the environment (reviewers, branch policy), receives them, so
// a preview job never holds a credential that opens the server directly.

import type { BackendArgs } from "./backend";

export type SecretScope = "repository" | "environment";

export interface PlannedSecret<S> {
  /** Actions secret name, also the environment variable the workflow exposes it as. */
  name: string;
  scope: SecretScope;
  value: S;
}

export const SSH_PRIVATE_KEY_SECRET = "DEPLOY_SSH_PRIVATE_KEY";
export const SSH_HOST_KEY_SECRET = "DEPLOY_SSH_HOST_KEY";
export const ACCESS_TOKEN_SECRET = "PULUMI_ACCESS_TOKEN";
export const PASSPHRASE_SECRET = "PULUMI_CONFIG_PASSPHRASE";

/** Names the workflow sets itself or that other secrets already use. */
const RESERVED_NAMES = new Set([
  SSH_PRIVATE_KEY_SECRET,
  SSH_HOST_KEY_SECRET,
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

export function planSecrets<S>(args: {
  backend: BackendArgs<S>;
  sshPrivateKey: S;
  hostKey: S;
}): PlannedSecret<S>[] {
  const { backend } = args;
  const repository: PlannedSecret<S>[] = [];
  if (backend.kind === "pulumi-cloud") {
    repository.push({ name: ACCESS_TOKEN_SECRET, scope: "repository", value: backend.accessToken });
  }
  if (backend.passphrase !== undefined) {
    repository.push({ name: PASSPHRASE_SECRET, scope: "repository", value: backend.passphrase });
  }
  if (backend.kind === "self-managed") {
    // Sorted so the rendered workflow and the resource order do not depend on key order.
    for (const name of Object.keys(backend.credentials ?? {}).sort()) {
      validateCredentialName(name);
      repository.push({ name, scope: "repository", value: backend.credentials![name] });
    }
  }
  return [
    ...repository,
    { name: SSH_PRIVATE_KEY_SECRET, scope: "environment", value: args.sshPrivateKey },
    { name: SSH_HOST_KEY_SECRET, scope: "environment", value: args.hostKey },
  ];
}
