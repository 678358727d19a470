import assert from "node:assert/strict";
import { after, describe, it } from "node:test";

import { pullImageCommand } from "../../../components/compose/commands";
import { checkRegistryImages, type ComposeService } from "../../../components/compose/compose-file";
import { planDeploySteps } from "../../../components/compose/steps";
import { HOSTILE, makeSandbox } from "../shell/sandbox";

const DIGEST = "ghcr.io/acme/shop@sha256:" + "ab".repeat(32);

describe("pullImageCommand", () => {
  it("logs in with the password on stdin, pulls the digest and tags it for compose", () => {
    assert.equal(
      pullImageCommand({
        registry: "ghcr.io",
        username: "bot",
        digestRef: DIGEST,
        localTag: "ghcr.io/acme/shop:0123456789ab",
      }),
      "docker login --username bot --password-stdin ghcr.io >/dev/null && " +
        String.raw`docker pull ghcr.io/acme/shop\@sha256\:${"ab".repeat(32)} && ` +
        String.raw`docker tag ghcr.io/acme/shop\@sha256\:${"ab".repeat(32)} ghcr.io/acme/shop\:0123456789ab`,
    );
  });

  const box = makeSandbox();
  after(() => box.cleanup());
  it("hostile values arrive as single arguments, unexecuted; the password only on stdin", () => {
    const result = box.run(
      pullImageCommand({
        registry: "r.example:5000",
        username: HOSTILE,
        digestRef: DIGEST,
        localTag: "r.example:5000/app:1",
      }),
      { input: "s3cret-token\n" },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(
      box.calls().map((c) => c.argv),
      [
        ["login", "--username", HOSTILE, "--password-stdin", "r.example:5000"],
        ["pull", DIGEST],
        ["tag", DIGEST, "r.example:5000/app:1"],
      ],
    );
    assert.deepEqual(box.canaries(), []);
    assert.ok(!box.calls().some((c) => c.argv.join(" ").includes("s3cret-token")));
  });
});

describe("checkRegistryImages", () => {
  const services: ComposeService[] = [
    { name: "db", builds: false, image: "postgres:16", hasHealthcheck: true },
    {
      name: "web",
      builds: true,
      image: "${APP_IMAGE:-app}:${APP_RELEASE:-dev}",
      hasHealthcheck: true,
    },
    { name: "worker", builds: false, image: "${APP_IMAGE}:${APP_RELEASE}", hasHealthcheck: false },
    { name: "beat", builds: false, image: "shop:latest", hasHealthcheck: false },
    { name: "bare", builds: true, hasHealthcheck: false },
  ];
  it("accepts ${APP_IMAGE}:${APP_RELEASE} with or without defaults; names every other app service", () => {
    assert.deepEqual(checkRegistryImages(services, ["web", "worker", "beat", "bare"], "/p/c.yml"), [
      'Service "beat" in /p/c.yml has image "shop:latest"; in registry mode every app service must use image: ${APP_IMAGE}:${APP_RELEASE}. Fix: set that image on the service, or unset the image config key.',
      'Service "bare" in /p/c.yml has image null; in registry mode every app service must use image: ${APP_IMAGE}:${APP_RELEASE}. Fix: set that image on the service, or unset the image config key.',
    ]);
  });
});

describe("planDeploySteps in registry mode", () => {
  const steps = planDeploySteps({
    target: {
      remoteDir: "/srv/shop",
      releaseId: "0123456789ab",
      composeFile: "docker-compose.yml",
      composeProject: "shop",
      dockerEnv: {},
    },
    infraServices: ["db"],
    webService: "web",
    workerServices: [],
    rollingWorkers: [],
    singletonWorkers: [],
    proxy: { ports: [] },
    buildServices: ["web"],
    registryMode: true,
    executableFiles: [],
    migrations: {},
    composeFileHash: "c0ffee123456",
    infraDefinitionHash: "1f1f1f1f1f1f",
    serverAddress: "deploy@203.0.113.10:22",
    envDigest: "0011223344556677",
    backup: { enabled: false, service: "db", keep: 10 },
    collectstatic: false,
    waitTimeoutSeconds: 60,
    stopGraceSeconds: 30,
    keepReleases: 3,
  });
  it("pulls instead of building, before check, with the password on stdin", () => {
    assert.deepEqual(
      steps.map((s) => [s.id, s.dependsOn]),
      [
        ["upload", []],
        ["env", ["upload"]],
        ["infra", ["env"]],
        ["pull", ["infra"]],
        ["check", ["pull"]],
        ["migrate", ["check"]],
        ["start", ["migrate"]],
        ["prune", ["start"]],
      ],
    );
    const pull = steps.find((s) => s.id === "pull")!;
    assert.deepEqual(
      { stdin: pull.stdin, needsImageDigest: pull.needsImageDigest, command: pull.command },
      { stdin: "registryPassword", needsImageDigest: true, command: undefined },
    );
  });
});
