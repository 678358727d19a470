import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { opsSettingsFrom, type StackConfig } from "../../../components/ops/settings";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFvKYEu1QEn52exUXmPEWfKiTUFZIo7xcVL6x0uOkTSm";

function config(extra: Record<string, string> = {}): StackConfig {
  const plain: Record<string, string> = {
    host: "203.0.113.10",
    hostKey: HOST_KEY,
    projectPath: "app",
    composeProject: "shop",
    infraServices: '["db","redis"]',
    workerServices: '["worker"]',
    dockerEnv: '{"DOCKER_BUILDKIT":"0"}',
    ...extra,
  };
  return {
    ...Object.fromEntries(
      Object.entries(plain).map(([k, v]) => [`django-deploy:${k}`, { value: v }]),
    ),
    "django-deploy:secretEnv": { value: '{"DJANGO_SECRET_KEY":"s3cr3t-value"}', secret: true },
    "other:setting": { value: "ignored" },
  };
}

describe("opsSettingsFrom", () => {
  it("applies the program's defaults and keeps no secret", () => {
    const settings = opsSettingsFrom("django-deploy", "prod", config(), {
      releaseId: { value: "897a0ddd33bf" },
    });
    assert.deepEqual(settings, {
      stack: "prod",
      host: "203.0.113.10",
      port: 22,
      user: "deploy",
      hostKey: HOST_KEY,
      dialTimeoutSeconds: 10,
      target: {
        remoteDir: "/srv/shop",
        composeFile: "docker-compose.yml",
        composeProject: "shop",
        dockerEnv: { DOCKER_BUILDKIT: "0" },
      },
      webService: "web",
      appServices: ["web", "worker"],
      backupService: "db",
      waitTimeoutSeconds: 180,
      deployedRelease: "897a0ddd33bf",
    });
    assert.doesNotMatch(JSON.stringify(settings), /s3cr3t-value/);
  });

  it("the switchSpec output: rollback and restore switch like the deploy; malformed is ignored", () => {
    const spec = {
      web: "web",
      rollingWorkers: ["worker"],
      singletonWorkers: [],
      proxy: { ports: [{ published: "8000", target: 8000 }] },
      waitSeconds: 180,
      graceSeconds: 30,
    };
    const s = opsSettingsFrom("django-deploy", "prod", config(), { switchSpec: { value: spec } });
    assert.deepEqual(s.switchSpec, spec);
    const old = opsSettingsFrom("django-deploy", "prod", config(), {
      switchSpec: { value: { web: "web" } },
    });
    assert.equal(old.switchSpec, undefined);
  });

  it("an explicit remoteDir loses its trailing slash", () => {
    const s = opsSettingsFrom("django-deploy", "prod", config({ remoteDir: "/opt/shop/" }), {});
    assert.equal(s.target.remoteDir, "/opt/shop");
    assert.equal(s.deployedRelease, undefined);
  });

  it("a broken stack config fails with the program's own message", () => {
    assert.throws(
      () => opsSettingsFrom("django-deploy", "prod", config({ port: "ssh" }), {}),
      /django-deploy:port must be a whole number/,
    );
  });
});
