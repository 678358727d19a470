import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";

import { inputsOf, settled, valueOf } from "./mocks";
import { FIXTURE, fixtureConfig } from "./fixture-config";
import { bootstrapCommand } from "../../../components/server/commands";
import { releaseFiles, releaseId, sha256 } from "../../../components/compose/release";
import { deployRelease, STAGING_DIR } from "../../../components/deploy";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SENTINEL = "SENTINEL-41c0";

// deployRelease stages into a directory relative to the working directory (the Pulumi project).
const cwd = mkdtempSync(join(tmpdir(), "deploy-release-"));
process.chdir(cwd);

const config = fixtureConfig(SENTINEL);

const deployed = deployRelease(config);
const ready = settled([deployed.server, deployed.server.bootstrap, deployed.app]).then(
  () => new Promise((r) => setTimeout(r, 50)),
);
after(() => rmSync(cwd, { recursive: true, force: true }));

describe("deployRelease", () => {
  const id = releaseId(FIXTURE);

  it("exports the release id of the project's content, the app services and its migrations", () => {
    assert.match(id, /^[0-9a-f]{12}$/);
    assert.equal(deployed.app.releaseId, id);
    assert.deepEqual(deployed.app.appServices, ["web", "celery_worker", "celery_beat"]);
    assert.deepEqual(deployed.app.migrationsInRelease, [
      "accounts.0001_initial",
      "accounts.0002_account_email",
      "orders.0001_initial",
    ]);
    assert.equal(deployed.server.address, "deploy@203.0.113.10:22");
    assert.equal(deployed.workflow, undefined);
  });

  it("stages exactly the release's files under .pulumi-release/<id> and uploads that", async () => {
    await ready;
    const staged = join(cwd, STAGING_DIR, id);
    assert.ok(existsSync(staged));
    assert.deepEqual(releaseFiles(staged), releaseFiles(FIXTURE));
    const upload = inputsOf("app-upload");
    assert.ok(upload.source instanceof pulumi.asset.FileArchive);
    assert.equal(await (upload.source as pulumi.asset.FileArchive).path, join(STAGING_DIR, id));
    assert.equal(upload.remotePath, "/srv/shop/releases");
  });

  it("the .env is secret and holds env, secretEnv, APP_RELEASE and COMPOSE_PROJECT_NAME, sorted", async () => {
    await ready;
    assert.deepEqual(inputsOf("app-env").stdin, {
      [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270",
      value:
        "# Written by pulumi up; changes here are overwritten by the next deploy.\n" +
        `APP_RELEASE='${id}'\n` +
        "COMPOSE_PROJECT_NAME='shop'\n" +
        "DJANGO_ALLOWED_HOSTS='shop.example.com'\n" +
        `DJANGO_SECRET_KEY='${SENTINEL}'\n`,
    });
  });

  it("wires config into the steps: bootstrap dir, compose file hash, env digest, migration triggers", async () => {
    await ready;
    assert.equal(inputsOf("server-bootstrap").create, bootstrapCommand({ remoteDir: "/srv/shop" }));
    const composeHash = sha256(readFileSync(join(FIXTURE, "docker-compose.yml"), "utf8")).slice(
      0,
      12,
    );
    const secretList = {
      [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270",
      value: [id, composeHash, "0011223344556677"],
    };
    assert.deepEqual(inputsOf("app-infra").triggers, {
      ...secretList,
      value: [composeHash, "0011223344556677"],
    });
    assert.deepEqual(inputsOf("app-start").triggers, secretList);
    const [release, trigger] = inputsOf("app-migrate").triggers as [string, { migrations: object }];
    assert.equal(release, id);
    assert.deepEqual(Object.keys(trigger.migrations), deployed.app.migrationsInRelease);
  });

  it("appliedMigrations is empty when migrate printed nothing", async () => {
    assert.deepEqual(await valueOf(deployed.app.appliedMigrations), []);
  });
});
