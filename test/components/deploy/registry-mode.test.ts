import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";

import { extraState, inputsOf, registered, settled, valueOf } from "./mocks";
import { FIXTURE, fixtureConfig } from "./fixture-config";
import { pullImageCommand } from "../../../components/compose/commands";
import { releaseId } from "../../../components/compose/release";
import { deployRelease } from "../../../components/deploy";

// How the engine marks a secret value: the special-signature key and the secret's signature.
const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const TOKEN = "REGISTRY-TOKEN-5be1";
const DIGEST = "ghcr.io/acme/shop@sha256:" + "ab".repeat(32);

const cwd = mkdtempSync(join(tmpdir(), "registry-mode-"));
process.chdir(cwd);
after(() => rmSync(cwd, { recursive: true, force: true }));
extraState.set("web-image", { repoDigest: DIGEST });

const config = fixtureConfig("x", {
  workerServices: ["celery_worker"],
  env: {},
  image: {
    registry: "ghcr.io",
    repository: "acme/shop",
    username: "deploy-bot",
    platform: "linux/amd64",
    buildArgs: { PYTHON_IMAGE: "python:3.12-slim" },
  },
  imageRegistryPassword: pulumi.secret(TOKEN),
});

const deployed = deployRelease(config);
const ready = settled([deployed.server, deployed.app]).then(
  () => new Promise((r) => setTimeout(r, 50)),
);

describe("registry mode (@pulumi/docker builds and pushes, the server pulls by digest)", () => {
  const id = releaseId(FIXTURE);

  it("builds the web image from the compose build context and pushes it tagged by release", async () => {
    await ready;
    const image = registered.find((r) => r.name === "web-image");
    assert.equal(image?.type, "docker:index/image:Image");
    const inputs = image!.inputs as Record<string, unknown>;
    assert.equal(inputs.imageName, `ghcr.io/acme/shop:${id}`);
    assert.deepEqual(inputs.build, {
      context: FIXTURE,
      dockerfile: join(FIXTURE, "Dockerfile"),
      platform: "linux/amd64",
      args: { PYTHON_IMAGE: "python:3.12-slim" },
    });
    // The password makes the whole registry block a secret input.
    assert.deepEqual(inputs.registry, {
      [SECRET_KEY]: SECRET_VALUE,
      value: { server: "ghcr.io", username: "deploy-bot", password: TOKEN },
    });
  });

  it("replaces the server-side build with a pull of exactly the pushed digest", async () => {
    await ready;
    const names = registered.map((r) => r.name);
    assert.ok(names.includes("app-pull"));
    assert.ok(!names.includes("app-build"));
    const pull = inputsOf("app-pull");
    assert.equal(
      pull.create,
      pullImageCommand({
        registry: "ghcr.io",
        username: "deploy-bot",
        digestRef: DIGEST,
        localTag: `ghcr.io/acme/shop:${id}`,
      }),
    );
    assert.deepEqual(pull.stdin, { [SECRET_KEY]: SECRET_VALUE, value: TOKEN });
    assert.deepEqual(pull.triggers, [id, DIGEST]);
    assert.ok(!JSON.stringify(pull.create).includes(TOKEN), "the token never is on a command line");
  });

  it("points the app services' image at the registry repository through .env", async () => {
    await ready;
    const env = await valueOf(inputsOf("app-env").stdin as string);
    const text = typeof env === "string" ? env : (env as { value: string }).value;
    assert.match(text, /^APP_IMAGE='ghcr\.io\/acme\/shop'$/m);
    assert.equal(await valueOf(deployed.image), DIGEST);
  });
});
