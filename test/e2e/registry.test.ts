// Registry mode end to end: the real docker provider builds the web image where `pulumi up` runs
// and pushes it to a password-protected registry on loopback; the server logs in, pulls that
// digest, and the web that serves runs exactly it.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  pulumi,
  pulumiTranscript,
  REPO,
  run,
  STACK,
  type Workspace,
  workspaceSecrets,
} from "../../scripts/lib/local-stack";
import { containerOf, http, localDeploy, removeProject, sh, type LocalDeploy } from "./helpers";

const suffix = Math.random().toString(36).slice(2, 8);
const PROJECT = `e2ereg${suffix}`;
const WEB_PORT = 19000 + Math.floor(Math.random() * 800);
const dir = mkdtempSync(join(tmpdir(), "django-deploy-registry-"));
const registryDir = join(dir, "registry");
let ws: Workspace;
let privateKeyFile = "";
let registry = { REGISTRY: "", USERNAME: "", PASSWORD_FILE: "", LOG: "" };

function config(...args: string[]) {
  const r = pulumi(ws, ["config", "set", "--stack", STACK, ...args]);
  assert.equal(r.code, 0, r.stderr);
}

/** Manifests the registry accepted: one per push of a tag. */
function manifestPushes(): number {
  return (
    readFileSync(registry.LOG, "utf8").match(/"PUT \/v2\/[^"]*\/manifests\/[^"]*" 201/g) ?? []
  ).length;
}

let deployment: LocalDeploy | undefined;

describe("registry mode with the real docker provider", { timeout: 20 * 60 * 1000 }, () => {
  before(() => {
    deployment = localDeploy(dir, PROJECT, WEB_PORT);
    ws = deployment.ws;
    privateKeyFile = deployment.privateKeyFile;
    const started = run("bash", [join(REPO, "scripts/start-registry.sh"), registryDir]);
    assert.equal(started.code, 0, started.stderr);
    registry = JSON.parse(readFileSync(join(registryDir, "env.json"), "utf8")) as typeof registry;
    // In registry mode the deploy sets APP_IMAGE itself (to the repository).
    const rm = pulumi(ws, ["config", "rm", "--stack", STACK, "--path", "env.APP_IMAGE"]);
    assert.equal(rm.code, 0, rm.stderr);
    config("--path", "image.registry", registry.REGISTRY);
    config("--path", "image.repository", `e2e/${PROJECT}`);
    config("--path", "image.username", registry.USERNAME);
    config("--path", "image.buildArgs.PYTHON_IMAGE", "django-deploy/python:trixie");
    const password = readFileSync(registry.PASSWORD_FILE, "utf8");
    const r = pulumi(
      ws,
      ["config", "set", "--stack", STACK, "--secret", "imageRegistryPassword"],
      password,
    );
    assert.equal(r.code, 0, r.stderr);
  });

  after(() => {
    if (ws) pulumi(ws, ["destroy", "--yes", "--stack", STACK]);
    deployment?.stop();
    run("bash", [join(REPO, "scripts/start-registry.sh"), "--stop", registryDir]);
    removeProject(PROJECT);
    sh("docker", ["logout", registry.REGISTRY]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("up pushes the image; the server pulls that digest and the web runs exactly it", async () => {
    const r = pulumi(ws, ["up", "--yes", "--stack", STACK]);
    assert.equal(r.code, 0, `pulumi up failed:\n${r.stdout}\n${r.stderr}`);
    assert.ok(manifestPushes() >= 1, "the image was pushed to the registry");

    const out = JSON.parse(pulumi(ws, ["stack", "output", "--json", "--stack", STACK]).stdout) as {
      webImage: string;
      releaseId: string;
    };
    assert.match(
      out.webImage,
      new RegExp(`^${registry.REGISTRY}/e2e/${PROJECT}@sha256:[0-9a-f]{64}$`),
    );
    const pulledId = sh("docker", [
      "image",
      "inspect",
      "-f",
      "{{.Id}}",
      out.webImage,
    ]).stdout.trim();
    assert.match(pulledId, /^sha256:/);
    for (const service of ["web", "celery_worker", "celery_beat"]) {
      const container = containerOf(PROJECT, service);
      assert.ok(container, `${service} runs`);
      const image = sh("docker", ["inspect", "-f", "{{.Image}}", container]).stdout.trim();
      assert.equal(image, pulledId, `${service} runs the pushed digest`);
    }
    const health = await http(`http://127.0.0.1:${WEB_PORT}/healthz/`);
    assert.equal(health.status, 200, health.body);
    assert.equal((JSON.parse(health.body) as { release: string }).release, out.releaseId);
  });

  it("a second up with nothing changed pushes nothing and changes nothing", () => {
    const before = manifestPushes();
    const r = pulumi(ws, ["up", "--yes", "--expect-no-changes", "--stack", STACK]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(manifestPushes(), before);
  });

  it("neither the registry password nor any other secret is in state or output", () => {
    const exported = pulumi(ws, ["stack", "export", "--stack", STACK]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /docker:index\/image:Image/);
    const secrets = [
      readFileSync(registry.PASSWORD_FILE, "utf8").trim(),
      ...workspaceSecrets(ws, privateKeyFile),
    ];
    const printed = pulumiTranscript.join("\n");
    const leaks = secrets.flatMap((secret, i) => [
      ...(exported.stdout.includes(secret) ? [`secret #${i} in pulumi stack export`] : []),
      ...(printed.includes(secret) ? [`secret #${i} in pulumi's output`] : []),
    ]);
    assert.deepEqual(leaks, []);
  });
});
