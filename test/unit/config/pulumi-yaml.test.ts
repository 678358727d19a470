import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";

import { projectConfigBlock } from "../../../components/config-doc";
import { CONFIG_KEYS } from "../../../components/config-schema";

const doc = parse(readFileSync(join(__dirname, "..", "..", "..", "Pulumi.yaml"), "utf8")) as {
  name: string;
  runtime: unknown;
  config: Record<string, Record<string, unknown>>;
};

describe("Pulumi.yaml", () => {
  it("its config block is exactly projectConfigBlock (regenerate: npx tsx scripts/gen-pulumi-yaml.ts)", () => {
    assert.deepEqual(doc.config, projectConfigBlock(doc.name));
  });

  it("declares the project and the nodejs TypeScript runtime", () => {
    assert.equal(doc.name, "django-deploy");
    assert.deepEqual(doc.runtime, {
      name: "nodejs",
      options: { typescript: true, tsconfig: "tsconfig.pulumi.json" },
    });
  });
});

describe("projectConfigBlock", () => {
  const block = projectConfigBlock("p");

  it("has one entry per CONFIG_KEYS key, prefixed with the project", () => {
    assert.deepEqual(
      Object.keys(block),
      Object.keys(CONFIG_KEYS).map((k) => `p:${k}`),
    );
  });

  it("types: scalars typed, lists of strings, maps untyped; defaults declared; required secrets flagged", () => {
    assert.deepEqual(block["p:port"], {
      type: "integer",
      description: "SSH port of the server (default 22).",
      default: 22,
    });
    assert.deepEqual(block["p:infraServices"], {
      type: "array",
      items: { type: "string" },
      description:
        "Compose services that hold state and start first, each with a healthcheck (e.g. db, redis).",
      default: [],
    });
    // Optional secrets have an empty default, which Pulumi would want encrypted: the program checks them.
    assert.deepEqual(block["p:secretEnv"], {
      description:
        "Secret environment variables written to the server's .env (name -> value); set each with --secret.",
      default: {},
    });
    // The SSH key is not config (the agent holds it): an old stack's value gets the retired-key fix.
    assert.equal(block["p:sshPrivateKey"], undefined);
    // A key without a default is required by Pulumi itself: exactly the four the program needs.
    assert.deepEqual(
      Object.entries(block)
        .filter(([, e]) => !("default" in e))
        .map(([k]) => k),
      ["p:host", "p:hostKey", "p:projectPath", "p:composeProject"],
    );
  });
});
