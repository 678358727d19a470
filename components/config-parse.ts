import type { z } from "zod";
import {
  CONFIG_KEYS,
  type ConfigKey,
  type ConfigKeySpec,
  rawConfigSchema,
  type RawConfig,
  RETIRED_KEYS,
} from "./config-schema";

/** Thrown with every problem found in the stack config, so one preview shows them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Variables the deploy writes itself; a user value would silently lose. */
export const RESERVED_ENV = ["APP_RELEASE", "COMPOSE_PROJECT_NAME"] as const;

export interface ConfigInput {
  project: string;
  /** Config values as Pulumi stores them: strings, with objects and arrays JSON-encoded. */
  values: Record<string, string>;
  /** Keys (without the project prefix) that were set with --secret. */
  secretKeys: ReadonlySet<string>;
}

function isEmptyDefault(key: ConfigKey, text: string): boolean {
  const spec = CONFIG_KEYS[key] as ConfigKeySpec;
  const empty =
    spec.default === "" ||
    (typeof spec.default === "object" &&
      spec.default !== null &&
      !Array.isArray(spec.default) &&
      Object.keys(spec.default).length === 0);
  return empty && (text === "" || text.trim() === "{}");
}

function show(key: string, value: unknown): string {
  if ((CONFIG_KEYS as Record<string, { secret?: boolean }>)[key]?.secret) return "[secret]";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

function decode(
  key: ConfigKey,
  text: string,
): { ok: true; value: unknown } | { ok: false; why: string } {
  const kind = CONFIG_KEYS[key].kind;
  switch (kind) {
    case "string":
      return { ok: true, value: text };
    case "integer":
      return /^-?\d+$/.test(text.trim())
        ? { ok: true, value: Number(text.trim()) }
        : { ok: false, why: "must be a whole number" };
    case "boolean":
      return text === "true" || text === "false"
        ? { ok: true, value: text === "true" }
        : { ok: false, why: "must be true or false" };
    case "array":
    case "object": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return {
          ok: false,
          why: `must be ${kind === "array" ? "a list" : "a map"} (set it with --path)`,
        };
      }
      const isArray = Array.isArray(parsed);
      if (kind === "array" ? !isArray : isArray || typeof parsed !== "object" || parsed === null) {
        return { ok: false, why: `must be ${kind === "array" ? "a list" : "a map"}` };
      }
      return { ok: true, value: parsed };
    }
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") return `must be ${issue.expected}`;
  if (issue.code === "too_small") return `must be at least ${String(issue.minimum)}`;
  if (issue.code === "too_big") return `must be at most ${String(issue.maximum)}`;
  if (issue.code === "invalid_format" || issue.code === "custom") return `must be ${issue.message}`;
  return issue.message;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/**
 * Turns the raw stack config into validated settings, or throws one ConfigError naming every bad
 * key, its value (never a secret's), what is allowed and the command that fixes it.
 */
export function parseConfig(input: ConfigInput): RawConfig {
  const problems: string[] = [];
  const decoded: Record<string, unknown> = {};
  const prefix = (key: string) => `${input.project}:${key}`;
  const fixOf = (key: string) =>
    key in CONFIG_KEYS ? ` Fix: ${CONFIG_KEYS[key as ConfigKey].fix}` : "";

  for (const [key, text] of Object.entries(input.values)) {
    // Pulumi fills in Pulumi.yaml's defaults; an empty one stands for "not set".
    if (key in CONFIG_KEYS && isEmptyDefault(key as ConfigKey, text)) continue;
    if (key in RETIRED_KEYS) {
      problems.push(`${prefix(key)} ${RETIRED_KEYS[key]}`);
      continue;
    }
    if (!(key in CONFIG_KEYS)) {
      const known = Object.keys(CONFIG_KEYS).join(", ");
      problems.push(
        `${prefix(key)} is not a setting of this program. Known keys: ${known}. Fix: pulumi config rm ${key} (or correct its spelling).`,
      );
      continue;
    }
    const result = decode(key as ConfigKey, text);
    if (result.ok) decoded[key] = result.value;
    else problems.push(`${prefix(key)} ${result.why} (got ${show(key, text)}).${fixOf(key)}`);
  }

  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    if (
      "secret" in spec &&
      spec.secret &&
      key in input.values &&
      !isEmptyDefault(key as ConfigKey, input.values[key]) &&
      !input.secretKeys.has(key)
    ) {
      problems.push(
        `${prefix(key)} is stored in plain text in the stack file; it must be encrypted.` +
          ` Fix: pulumi config rm ${key} && ${spec.fix}`,
      );
    }
  }

  // A value set with --secret under a key that is not secret would be decrypted and then used in
  // the clear (command lines, the state, error output): refuse it rather than drop its secrecy.
  for (const key of input.secretKeys) {
    const spec = (CONFIG_KEYS as Record<string, { secret?: boolean }>)[key];
    if (spec && !spec.secret) {
      problems.push(
        `${prefix(key)} holds a value set with --secret, but ${key} is not a secret setting: its values reach command lines, the state and logs in plain text.` +
          ` Fix: keep secret values in secretEnv (pulumi config rm --path <the secret entry> && pulumi config set --secret --path secretEnv.<NAME> <value>), and set ${key} without --secret.`,
      );
    }
  }

  const parsed = rawConfigSchema.safeParse(decoded);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") continue; // reported above with the known keys
      const key = String(issue.path[0] ?? "");
      const where = [prefix(key), ...issue.path.slice(1).map(String)].join(".");
      if (issue.code === "invalid_type" && valueAt(decoded, issue.path) === undefined) {
        problems.push(`${where} is required but not set.${fixOf(key)}`);
        continue;
      }
      if (issue.code === "invalid_key") {
        // A bad map key (env.1BAD): the name is what is wrong, and zod's own text says nothing.
        const why = issue.issues.map((i) => i.message).join("; ");
        problems.push(`${where} is not a valid name: ${why}.${fixOf(key)}`);
        continue;
      }
      const got = show(key, valueAt(decoded, issue.path));
      problems.push(`${where} ${describeIssue(issue)} (got ${got}).${fixOf(key)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = parsed.data as RawConfig;
  problems.push(...crossCheck(config, input.project));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function crossCheck(c: RawConfig, project: string): string[] {
  const problems: string[] = [];
  const roles = new Map<string, string>();
  const claim = (svc: string, role: string) => {
    const before = roles.get(svc);
    if (before) {
      problems.push(
        `${project}: service "${svc}" is listed both as ${before} and as ${role}; each service has one role.` +
          " Fix: remove it from one of infraServices, webService, workerServices.",
      );
    }
    roles.set(svc, role);
  };
  c.infraServices.forEach((s) => claim(s, "infraServices"));
  claim(c.webService, "webService");
  c.workerServices.forEach((s) => claim(s, "workerServices"));

  for (const name of Object.keys(c.env)) {
    if (name in c.secretEnv) {
      problems.push(
        `${project}:env.${name} is also set in secretEnv; the .env file can hold it once.` +
          ` Fix: pulumi config rm --path "env.${name}"`,
      );
    }
  }
  for (const name of RESERVED_ENV) {
    for (const key of ["env", "secretEnv"] as const) {
      if (name in c[key]) {
        problems.push(
          `${project}:${key}.${name} is set by the deploy itself (release id / compose project).` +
            ` Fix: pulumi config rm --path "${key}.${name}"`,
        );
      }
    }
  }
  if (c.backupBeforeMigrate && !c.infraServices.includes(c.backupService)) {
    problems.push(
      `${project}:backupService "${c.backupService}" is not one of infraServices (${c.infraServices.join(", ") || "none"}).` +
        " Fix: pulumi config set backupService <your postgres service>, or pulumi config set backupBeforeMigrate false",
    );
  }
  if (c.image && !c.imageRegistryPassword) {
    problems.push(
      `${project}:imageRegistryPassword is required when image (registry mode) is set.` +
        ` Fix: ${CONFIG_KEYS.imageRegistryPassword.fix}`,
    );
  }
  if (c.image && ("APP_IMAGE" in c.env || "APP_IMAGE" in c.secretEnv)) {
    problems.push(
      `${project}:env.APP_IMAGE is set by the deploy in registry mode (image.registry/image.repository).` +
        ` Fix: pulumi config rm --path "env.APP_IMAGE"`,
    );
  }
  if (c.github?.backend.kind === "pulumi-cloud" && !c.githubBackendAccessToken) {
    problems.push(
      `${project}:githubBackendAccessToken is required when github.backend.kind is pulumi-cloud.` +
        ` Fix: ${CONFIG_KEYS.githubBackendAccessToken.fix}`,
    );
  }
  if (c.github?.backend.kind === "self-managed" && !c.githubBackendPassphrase) {
    problems.push(
      `${project}:githubBackendPassphrase is required when github.backend.kind is self-managed.` +
        ` Fix: ${CONFIG_KEYS.githubBackendPassphrase.fix}`,
    );
  }
  return problems;
}
