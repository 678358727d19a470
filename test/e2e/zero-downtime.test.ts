// The switch drops no request: a poller asks the real proxy for /healthz/ at 20 Hz from loopback
// while real `pulumi up`s replace the web, with a migration, and with a release whose web never
// becomes healthy.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pulumi, STACK, type Workspace } from "../../scripts/lib/local-stack";
import { startPoller, type PollResult } from "../../scripts/lib/health-poller";
import { COUPON_MIGRATION } from "./billing-migrations";
import {
  containerIdentity,
  containerOf,
  http,
  localDeploy,
  psql,
  removeProject,
  sh,
  type LocalDeploy,
} from "./helpers";

const PROJECT = `zd${Math.random().toString(36).slice(2, 8)}`;
const WEB_PORT = 16100 + Math.floor(Math.random() * 100);
const BASE = `http://127.0.0.1:${WEB_PORT}`;
const dir = mkdtempSync(join(tmpdir(), "django-deploy-zd-"));
let ws: Workspace;
let deployment: LocalDeploy | undefined;

function up() {
  return pulumi(ws, ["up", "--yes", "--stack", STACK]);
}

/** Runs `pulumi up` while polling; the poller goes on 3 s after it, as a client would. */
async function upWhilePolling(): Promise<{ code: number; out: string; poll: PollResult }> {
  const poller = startPoller(`${BASE}/healthz/`, 20, 900);
  await new Promise((r) => setTimeout(r, 1000));
  const r = up();
  await new Promise((r) => setTimeout(r, 3000));
  const poll = await poller.stop();
  return { code: r.code, out: `${r.stdout}\n${r.stderr}`, poll };
}

async function release(): Promise<string> {
  const r = await http(`${BASE}/healthz/`);
  assert.equal(r.status, 200, r.body);
  return (JSON.parse(r.body) as { release: string }).release;
}

const current = () => readlinkSync(`/srv/${PROJECT}/current`).split("/").pop();

describe("zero-downtime switch", { timeout: 30 * 60 * 1000 }, () => {
  before(() => {
    deployment = localDeploy(dir, PROJECT, WEB_PORT);
    ws = deployment.ws;
    // Bounded, so the broken release fails in reasonable time.
    const set = pulumi(ws, ["config", "set", "--stack", STACK, "waitTimeoutSeconds", "40"]);
    assert.equal(set.code, 0, set.stderr);
  });
  after(() => {
    deployment?.stop();
    removeProject(PROJECT);
    rmSync(dir, { recursive: true, force: true });
  });

  it("first deploy: the proxy publishes the web's port, the web publishes none", async () => {
    const r = up();
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(await release(), current());
    const web = containerOf(PROJECT, "web")!;
    assert.equal(sh("docker", ["port", web]).stdout.trim(), "");
    const proxy = containerOf(PROJECT, "proxy")!;
    assert.match(sh("docker", ["port", proxy]).stdout, new RegExp(`127\\.0\\.0\\.1:${WEB_PORT}`));
  });

  it("a deploy with a new migration: 0 failed requests, new web, same proxy", async () => {
    const before = { release: current(), proxy: containerIdentity(PROJECT, "proxy") };
    const oldWeb = containerOf(PROJECT, "web");
    writeFileSync(join(ws.projectDir, "billing", "migrations", "0003_coupon.py"), COUPON_MIGRATION);
    const { code, out, poll } = await upWhilePolling();
    assert.equal(code, 0, out);
    assert.equal(poll.failed, 0, JSON.stringify(poll));
    assert.ok(poll.requests > 100, JSON.stringify(poll));
    assert.notEqual(current(), before.release);
    assert.equal(await release(), current());
    assert.equal(containerIdentity(PROJECT, "proxy"), before.proxy, "the proxy was only reloaded");
    assert.notEqual(containerOf(PROJECT, "web"), oldWeb);
    assert.equal(sh("docker", ["ps", "-aq", "--filter", `id=${oldWeb}`]).stdout.trim(), "");
    const db = containerOf(PROJECT, "db")!;
    assert.deepEqual(psql(db, "select count(*) from billing_coupon"), ["0"]);
    // One container per app service, beat included: never two.
    for (const service of ["web", "celery_worker", "celery_beat"]) {
      const ids = sh("docker", [
        "ps",
        "-q",
        "--filter",
        `label=com.docker.compose.project=${PROJECT}`,
        "--filter",
        `label=com.docker.compose.service=${service}`,
      ]).stdout.trim();
      assert.equal(ids.split("\n").length, 1, `${service}: ${ids}`);
    }
  });

  it("a release whose web never becomes healthy: the old one serves, up fails saying why", async () => {
    const before = { release: current(), web: containerIdentity(PROJECT, "web") };
    const views = join(ws.projectDir, "config", "views.py");
    const good = readFileSync(views, "utf8");
    writeFileSync(
      views,
      good.replace(
        '    body = {"release": settings.APP_RELEASE}\n',
        '    raise RuntimeError("this release is broken on purpose")\n',
      ),
    );
    const { code, out, poll } = await upWhilePolling();
    assert.notEqual(code, 0, out);
    assert.match(out, /did not become healthy within 40s/);
    assert.match(out, /Last healthcheck output of /);
    assert.match(out, /Last log lines of /);
    assert.equal(poll.failed, 0, JSON.stringify(poll));
    assert.equal(current(), before.release);
    assert.equal(await release(), before.release);
    assert.equal(containerIdentity(PROJECT, "web"), before.web);

    // Fixed, the next up switches normally.
    writeFileSync(views, good);
    const fixed = up();
    assert.equal(fixed.code, 0, `${fixed.stdout}\n${fixed.stderr}`);
    assert.equal(await release(), current());
  });
});
