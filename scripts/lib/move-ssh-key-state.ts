// Rewrites an exported stack (`pulumi stack export --show-secrets`) from the days when the SSH key
// was stack config to what the agent-based program produces, so that moving the key changes no
// step: every remote step's connection loses `privateKey`, and the settings digest, once keyed
// with that key, becomes the plain digest the program now keeps secret.
import { createHmac } from "node:crypto";

/** Marks a secret in Pulumi's serialized state; its value is the secret signature. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Resource {
  type: string;
  urn: string;
  inputs?: Record<string, Json>;
  outputs?: Record<string, Json>;
}

export interface ExportedStack {
  version: number;
  deployment: { resources?: Resource[] } & Record<string, Json | Resource[] | undefined>;
}

/** The digest earlier versions put in the infra and start triggers: HMAC keyed with the SSH key. */
export function legacyEnvDigest(sshPrivateKey: string, vars: Record<string, string>): string {
  const canonical = JSON.stringify(
    Object.keys(vars)
      .sort()
      .map((k) => [k, vars[k]]),
  );
  return createHmac("sha256", sshPrivateKey).update(canonical).digest("hex").slice(0, 16);
}

export function isSecret(value: Json | undefined): value is { [key: string]: Json } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    value[SECRET_SIG_KEY] === SECRET_SIG
  );
}

export function secretOf(value: Json): Json {
  return { [SECRET_SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify(value) };
}

export function reveal(value: { [key: string]: Json }): Json {
  if (typeof value.plaintext !== "string") {
    throw new Error(
      "the state holds an encrypted value: export it with `pulumi stack export --show-secrets`",
    );
  }
  return JSON.parse(value.plaintext) as Json;
}

/** Applies `edit` to the value under a secret wrapper, keeping the wrapper. */
function withinSecret(value: Json, edit: (inner: Json, inSecret: boolean) => Json): Json {
  return isSecret(value) ? secretOf(edit(reveal(value), true)) : edit(value, false);
}

export interface MoveResult {
  stack: ExportedStack;
  /** Connections that held a private key. */
  connections: number;
  /** Trigger entries that held the legacy digest. */
  digests: number;
}

/**
 * Removes the private key from every `command:remote:*` connection (inputs and outputs) and
 * replaces the legacy digest with the new one in their triggers. Leaves everything else as is.
 */
export function moveKeyOutOfState(
  stack: ExportedStack,
  digests: { legacy: string; current: string },
): MoveResult {
  let connections = 0;
  let replaced = 0;
  const dropKey = (connection: Json): Json => {
    if (typeof connection !== "object" || connection === null || Array.isArray(connection)) {
      return connection;
    }
    if (!("privateKey" in connection)) return connection;
    connections += 1;
    const rest = Object.fromEntries(
      Object.entries(connection).filter(([k]) => k !== "privateKey" && k !== "privateKeyPassword"),
    );
    return rest;
  };
  // The program passes the digest as a secret: the engine keeps that one entry secret (a list
  // that is secret as a whole already hides it).
  const swapDigest = (triggers: Json, inSecret: boolean): Json => {
    if (!Array.isArray(triggers)) return triggers;
    return triggers.map((entry) => {
      if (entry !== digests.legacy) return entry;
      replaced += 1;
      return inSecret ? digests.current : secretOf(digests.current);
    });
  };
  const resources = (stack.deployment.resources ?? []).map((resource) => {
    if (!resource.type.startsWith("command:remote:")) return resource;
    const rewrite = (props: Record<string, Json> | undefined) => {
      if (!props) return props;
      const next = { ...props };
      // The command SDK passes the whole connection as a secret; it stays one, without the key.
      if (next.connection !== undefined) next.connection = withinSecret(next.connection, dropKey);
      if (next.triggers !== undefined) next.triggers = withinSecret(next.triggers, swapDigest);
      return next;
    };
    return { ...resource, inputs: rewrite(resource.inputs), outputs: rewrite(resource.outputs) };
  });
  return {
    stack: { ...stack, deployment: { ...stack.deployment, resources } },
    connections,
    digests: replaced,
  };
}
