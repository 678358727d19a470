// Where the Pulumi state of the CI-run stack lives, and the check that it can survive CI.

/** Where the workflow's `pulumi` commands keep state. `S` is the type of secret values. */
export type BackendArgs<S> =
  | {
      kind: "pulumi-cloud";
      accessToken: S;
      /** Self-hosted Pulumi Cloud API URL; omitted for app.pulumi.com. */
      url?: string;
      /** Only for stacks whose secrets provider is `passphrase`. */
      passphrase?: S;
    }
  | {
      kind: "self-managed";
      /** s3://, azblob:// or gs:// URL, as given to `pulumi login`. */
      url: string;
      /** Decrypts the stack's secrets (passphrase secrets provider). */
      passphrase: S;
      /** Environment variables the backend's SDK reads, e.g. AWS_ACCESS_KEY_ID. */
      credentials?: Record<string, S>;
    };

export type ValidatedBackend =
  | { kind: "pulumi-cloud"; url?: string }
  | { kind: "self-managed"; url: string; scheme: ObjectStoreScheme };

export type ObjectStoreScheme = "s3" | "azblob" | "gs";
const OBJECT_STORE_SCHEMES: readonly ObjectStoreScheme[] = ["s3", "azblob", "gs"];

const FIX =
  'use Pulumi Cloud (backend kind "pulumi-cloud" with an access token) or a self-managed ' +
  'object store (backend kind "self-managed" with an s3://, azblob:// or gs:// URL and a passphrase)';

function localBackendError(what: string): Error {
  return new Error(
    `GitHub workflow backend ${what} is a local file backend: GitHub Actions runners are ` +
      "ephemeral, so the state a deploy writes would be lost with the runner and the next run " +
      `would try to create every resource again. Fix: ${FIX}.`,
  );
}

/**
 * Checks that a backend can serve a CI-run stack. Takes loosely typed input because it guards
 * values read from stack config; returns the normalized backend or throws one error naming the
 * offending value and the fix.
 */
export function validateBackend(backend: { kind: string; url?: string }): ValidatedBackend {
  const { kind, url } = backend;
  if (kind === "local" || url?.trim().toLowerCase().startsWith("file:")) {
    throw localBackendError(url ? `url ${JSON.stringify(url)}` : `kind "${kind}"`);
  }
  if (kind === "pulumi-cloud") {
    if (url === undefined) return { kind };
    if (!/^https:\/\/[^\s/]+/.test(url)) {
      throw new Error(
        `GitHub workflow backend url ${JSON.stringify(url)} is not an https:// URL; a Pulumi Cloud ` +
          "backend is reached over HTTPS. Fix: give the API URL of your Pulumi Cloud " +
          "(https://api.example.com) or leave url unset for app.pulumi.com.",
      );
    }
    return { kind, url };
  }
  if (kind === "self-managed") {
    if (!url) {
      throw new Error(
        'GitHub workflow backend kind "self-managed" needs a url. ' +
          "Fix: set it to the bucket URL given to `pulumi login`, e.g. s3://my-bucket/pulumi.",
      );
    }
    const match = /^([a-z0-9+.-]+):\/\/[^\s/]+/i.exec(url);
    const scheme = match?.[1].toLowerCase();
    if (!scheme || !(OBJECT_STORE_SCHEMES as readonly string[]).includes(scheme)) {
      throw new Error(
        `GitHub workflow backend url ${JSON.stringify(url)} is not an object store URL ` +
          `(allowed: ${OBJECT_STORE_SCHEMES.map((s) => `${s}://<bucket>`).join(", ")}). ` +
          `Fix: ${FIX}.`,
      );
    }
    return { kind, url, scheme: scheme as ObjectStoreScheme };
  }
  throw new Error(
    `GitHub workflow backend kind ${JSON.stringify(kind)} is not supported ` +
      `(allowed: "pulumi-cloud", "self-managed"). Fix: ${FIX}.`,
  );
}
