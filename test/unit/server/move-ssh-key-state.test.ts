import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { envDigest } from "../../../components/config";
import {
  legacyEnvDigest,
  moveKeyOutOfState,
  SECRET_SIG,
  SECRET_SIG_KEY,
  type ExportedStack,
} from "../../../scripts/lib/move-ssh-key-state";

const KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nSENTINEL-KEY\n-----END OPENSSH PRIVATE KEY-----\n";
const VARS = { DJANGO_DEBUG: "0", DJANGO_SECRET_KEY: "s3cret" };
const LEGACY = legacyEnvDigest(KEY, VARS);
const CURRENT = envDigest(VARS);
const CONNECTION = {
  host: "203.0.113.10",
  port: 22,
  user: "deploy",
  hostKey: "ssh-ed25519 AAAA",
  dialErrorLimit: 3,
  perDialTimeout: 10,
};
const secret = (value: unknown) => ({
  [SECRET_SIG_KEY]: SECRET_SIG,
  plaintext: JSON.stringify(value),
});

/** A step as the key-in-config program left it in `pulumi stack export --show-secrets`. */
function step(name: string, triggers: unknown[]) {
  return {
    urn: `urn:pulumi:prod::django-deploy::django-deploy:compose:ComposeStack$command:remote:Command::${name}`,
    type: "command:remote:Command",
    inputs: { connection: secret({ ...CONNECTION, privateKey: KEY }), create: "true", triggers },
    outputs: {
      connection: secret({ ...CONNECTION, privateKey: KEY }),
      create: "true",
      triggers,
      stdout: secret(""),
    },
  };
}

function legacyStack(): ExportedStack {
  return {
    version: 3,
    deployment: {
      manifest: { time: "t" },
      resources: [
        {
          urn: "urn:pulumi:prod::django-deploy::pulumi:pulumi:Stack::django-deploy-prod",
          type: "pulumi:pulumi:Stack",
        },
        step("app-infra", ["rel1", "c0ffee", LEGACY]),
        step("app-migrate", ["rel1", { "accounts.0001_initial": "a1" }]),
      ],
    },
  } as unknown as ExportedStack;
}

describe("moveKeyOutOfState", () => {
  const moved = moveKeyOutOfState(legacyStack(), { legacy: LEGACY, current: CURRENT });
  const [stackResource, infra, migrate] = moved.stack.deployment.resources!;

  it("counts what it changed", () => {
    assert.equal(moved.connections, 4);
    assert.equal(moved.digests, 2);
  });

  it("the connection stays secret (the command SDK makes it so), without the key", () => {
    for (const r of [infra, migrate]) {
      assert.deepEqual(r.inputs!.connection, secret(CONNECTION));
      assert.deepEqual(r.outputs!.connection, secret(CONNECTION));
    }
  });

  it("the legacy digest becomes the current one, that entry secret as the engine keeps it; other triggers are untouched", () => {
    assert.deepEqual(infra.inputs!.triggers, ["rel1", "c0ffee", secret(CURRENT)]);
    assert.deepEqual(infra.outputs!.triggers, ["rel1", "c0ffee", secret(CURRENT)]);
    assert.deepEqual(migrate.inputs!.triggers, ["rel1", { "accounts.0001_initial": "a1" }]);
  });

  it("leaves other resources and fields alone, and no key remains anywhere", () => {
    assert.deepEqual(stackResource, legacyStack().deployment.resources![0]);
    assert.deepEqual(infra.outputs!.stdout, legacyStack().deployment.resources![1].outputs!.stdout);
    assert.equal(JSON.stringify(moved.stack).includes("SENTINEL-KEY"), false);
  });

  it("is idempotent: a second run finds nothing", () => {
    const again = moveKeyOutOfState(moved.stack, { legacy: LEGACY, current: CURRENT });
    assert.equal(again.connections, 0);
    assert.equal(again.digests, 0);
    assert.deepEqual(again.stack, moved.stack);
  });

  it("refuses an export whose secrets are encrypted, naming the flag", () => {
    const encrypted = legacyStack();
    encrypted.deployment.resources![1].inputs!.connection = {
      [SECRET_SIG_KEY]: SECRET_SIG,
      ciphertext: "v1:abc",
    };
    assert.throws(
      () => moveKeyOutOfState(encrypted, { legacy: LEGACY, current: CURRENT }),
      /export it with `pulumi stack export --show-secrets`/,
    );
  });
});

describe("legacyEnvDigest", () => {
  it("is the HMAC-SHA256 keyed with the SSH key that earlier versions used (checked with openssl)", () => {
    assert.equal(legacyEnvDigest("k", { B: "two", A: "1" }), "349e973a1d1636a9");
  });
});

describe("moveKeyOutOfState on a list that is secret as a whole", () => {
  it("replaces the digest inside it, which stays secret", () => {
    const stack = legacyStack();
    const infra = stack.deployment.resources![1];
    infra.inputs!.triggers = secret(["rel1", "c0ffee", LEGACY]);
    const moved = moveKeyOutOfState(stack, { legacy: LEGACY, current: CURRENT });
    assert.deepEqual(
      moved.stack.deployment.resources![1].inputs!.triggers,
      secret(["rel1", "c0ffee", CURRENT]),
    );
  });
});
