import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";

import { checkProjectFiles } from "../../../components/config";
import { parseConfig } from "../../../components/config-parse";

const ROOT = join(__dirname, "..", "..", "..");
const P = "django-deploy";
const stack = parse(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
  encryptionsalt: string;
  config: Record<string, unknown>;
};

const isSecure = (v: unknown) => typeof v === "object" && v !== null && "secure" in v;

/** What the program would receive: secure values decrypted (here: stand-ins of the right shape). */
function decrypted(value: unknown): string {
  if (isSecure(value)) {
    return "decrypted";
  }
  if (Array.isArray(value)) return JSON.stringify(value);
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => [k, isSecure(v) ? "decrypted" : v]);
    return JSON.stringify(Object.fromEntries(entries));
  }
  return String(value);
}

describe("Pulumi.prod.yaml, the production example", () => {
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [fullKey, value] of Object.entries(stack.config)) {
    if (!fullKey.startsWith(`${P}:`)) continue;
    const key = fullKey.slice(P.length + 1);
    values[key] = decrypted(value);
    const nested = typeof value === "object" && value !== null ? Object.values(value) : [];
    if (isSecure(value) || nested.some(isSecure)) secretKeys.add(key);
  }

  it("uses the passphrase secrets provider and encrypts every secret", () => {
    assert.match(stack.encryptionsalt, /^v1:/);
    for (const key of ["secretEnv", "githubBackendPassphrase", "githubBackendCredentials"]) {
      assert.ok(secretKeys.has(key), `${key} is encrypted`);
    }
  });

  it("holds no SSH key and no GitHub write token: the preview job's passphrase would decrypt them", () => {
    // They live in the deploy environment's secrets and the agent / GITHUB_TOKEN instead.
    assert.equal(stack.config[`${P}:sshPrivateKey`], undefined);
    assert.equal(stack.config["github:token"], undefined);
    const text = readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8");
    assert.doesNotMatch(text, /^\s*(django-deploy:sshPrivateKey|github:token)\s*:/m);
  });

  it("is a complete, valid configuration for the example project", () => {
    const config = parseConfig({ project: P, values, secretKeys });
    assert.equal(config.composeProject, "shop");
    assert.deepEqual(config.workerServices, ["celery_worker", "celery_beat"]);
    assert.equal(config.github?.backend.kind, "self-managed");
    const files = checkProjectFiles(config, ROOT, P);
    assert.deepEqual(files.buildServices, ["web"]);
  });
});
