// The operations command against a real deploy of examples/django-app: the verbs run over SSH
// (agent, pinned host key) and are checked against what a person would look at: the rows of
// django_migrations, the tables, the backups on disk, the web's /healthz/.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  pulumi,
  REPO,
  run,
  STACK,
  type RunResult,
  type Workspace,
  workspaceSecrets,
} from "../../scripts/lib/local-stack";
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
import { COUPON_MIGRATION } from "./billing-migrations";

const suffix = Math.random().toString(36).slice(2, 8);
const PROJECT = `e2eops${suffix}`;
const WEB_PORT = 17100 + Math.floor(Math.random() * 800);
const BACKUPS = `/srv/${PROJECT}/backups`;
const dir = mkdtempSync(join(tmpdir(), "django-deploy-ops-"));
let deployment: LocalDeploy | undefined;
let ws: Workspace;
const printed: string[] = [];

/** `npm run ops -- --stack local <args>`, from the Pulumi project, as a user runs it. */
function ops(...args: string[]): RunResult {
  const r = run("npx", ["tsx", join(REPO, "components/ops/cli.ts"), "--stack", STACK, ...args], {
    cwd: ws.dir,
    env: ws.env,
  });
  printed.push(r.stdout, r.stderr);
  return r;
}

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `ops failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

function up(): void {
  const r = pulumi(ws, ["up", "--yes", "--stack", STACK]);
  assert.equal(r.code, 0, `pulumi up failed:\n${r.stdout}\n${r.stderr}`);
}

function db(sql: string): string[] {
  return psql(containerOf(PROJECT, "db")!, sql);
}

const appliedRows = () => db("select app || '.' || name from django_migrations order by 1");
const billingRows = () => db("select name from django_migrations where app = 'billing' order by 1");
const couponTable = () => db("select coalesce(to_regclass('billing_coupon')::text, 'none')")[0];
const backups = () => readdirSync(BACKUPS).sort();

function releaseId(): string {
  const r = pulumi(ws, ["stack", "output", "releaseId", "--stack", STACK]);
  return r.stdout.trim();
}

describe("ops: day-2 verbs on a deployed stack", { timeout: 30 * 60 * 1000 }, () => {
  let firstRelease = "";
  let secondRelease = "";

  before(() => {
    deployment = localDeploy(dir, PROJECT, WEB_PORT);
    ws = deployment.ws;
    up();
    firstRelease = releaseId();
    writeFileSync(join(ws.projectDir, "billing", "migrations", "0003_coupon.py"), COUPON_MIGRATION);
    up();
    secondRelease = releaseId();
    assert.notEqual(firstRelease, secondRelease);
  });

  after(() => {
    deployment?.stop();
    removeProject(PROJECT);
    rmSync(dir, { recursive: true, force: true });
  });

  it("status: releases, containers, and the applied count of django_migrations", () => {
    const r = ok(ops("status"));
    assert.match(
      r.stdout,
      new RegExp(`^  \\* ${secondRelease} .*current, last deployed by pulumi up`, "m"),
    );
    assert.match(r.stdout, new RegExp(`^    ${firstRelease} `, "m"));
    assert.match(r.stdout, /^ {2}web +running +healthy /m);
    assert.match(
      r.stdout,
      new RegExp(`^migrations: ${appliedRows().length} applied, 0 pending$`, "m"),
    );
    assert.match(
      r.stdout,
      new RegExp(`^last backup: pre-migrate-${secondRelease}-\\d{8}T\\d{6}Z\\.dump `, "m"),
    );
    assert.match(r.stdout, /^deploy lock: free$/m);
    // Every remote command is printed before it runs.
    assert.match(r.stderr, /\$ .*docker compose .* ps --all --format json/);
  });

  it("showmigrations and showmigrations --plan show exactly the rows of django_migrations", () => {
    const plan = ok(ops("showmigrations", "--plan")).stdout;
    const applied = [...plan.matchAll(/^\[X\]\s+(\S+)$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(applied, appliedRows());
    assert.doesNotMatch(plan, /^\[ \]/m);
    const billing = ok(ops("showmigrations", "billing")).stdout;
    assert.deepEqual(
      [...billing.matchAll(/^ \[X\] (\S+)$/gm)].map((m) => m[1]),
      billingRows(),
    );
  });

  it("migrate without --yes prints the plan, refuses, and changes nothing", () => {
    const rowsBefore = appliedRows();
    const backupsBefore = backups();
    const r = ops("migrate", "billing", "0002_wallettransaction");
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /Planned operations:\nbilling\.0003_coupon\n\s+Undo Create model Coupon/,
    );
    assert.match(r.stderr, /Refusing to migrate billing to 0002_wallettransaction without --yes/);
    assert.deepEqual(appliedRows(), rowsBefore);
    assert.deepEqual(backups(), backupsBefore);
  });

  let unapplyBackup = "";

  it("migrate billing 0002 --yes takes a backup, then unapplies 0003", () => {
    const backupsBefore = backups();
    const r = ok(ops("migrate", "billing", "0002_wallettransaction", "--yes"));
    assert.ok(
      r.stdout.indexOf("Planned operations:") <
        r.stdout.indexOf("Unapplying billing.0003_coupon... OK"),
    );
    assert.deepEqual(billingRows(), ["0001_initial", "0002_wallettransaction"]);
    assert.equal(couponTable(), "none");

    const added = backups().filter((b) => !backupsBefore.includes(b));
    assert.equal(added.length, 1, `one new backup: ${added.join(", ")}`);
    unapplyBackup = added[0];
    assert.match(unapplyBackup, /^pre-migrate-\d{8}T\d{6}Z-billing-0002_wallettransaction\.dump$/);
    // Taken before the unapply: it still holds the table that 0003 created.
    const dump = join(BACKUPS, unapplyBackup);
    const listing = sh("sh", [
      "-c",
      `docker exec -i ${containerOf(PROJECT, "db")!} pg_restore --list < ${dump}`,
    ]);
    assert.match(listing.stdout, /TABLE public billing_coupon /);
  });

  it("migrate --fake records 0003 without running it", () => {
    ok(ops("migrate", "billing", "0003_coupon", "--fake", "--yes"));
    assert.deepEqual(billingRows(), ["0001_initial", "0002_wallettransaction", "0003_coupon"]);
    assert.equal(couponTable(), "none", "a faked migration creates no table");
  });

  it("restore refuses without --yes, then brings back a deleted row and the backup's schema", async () => {
    db("delete from settings_sitesetting where key = 'site_name'");
    const refused = ops("restore", unapplyBackup);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Refusing to replace the database with .* without --yes/);
    assert.deepEqual(db("select count(*) from settings_sitesetting where key = 'site_name'"), [
      "0",
    ]);

    ok(ops("restore", unapplyBackup, "--yes"));
    assert.deepEqual(db("select count(*) from settings_sitesetting where key = 'site_name'"), [
      "1",
    ]);
    assert.equal(couponTable(), "billing_coupon");
    assert.deepEqual(billingRows(), ["0001_initial", "0002_wallettransaction", "0003_coupon"]);
    const health = await http(`http://127.0.0.1:${WEB_PORT}/healthz/`);
    assert.equal(health.status, 200, health.body);
  });

  it("a missing backup is an error naming the ones there are", () => {
    const r = ops("restore", "pre-migrate-nope.dump", "--yes");
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`No backup named pre-migrate-nope\\.dump .*${unapplyBackup}`),
    );
  });

  it("rollback --unapply-migrations --yes: the previous release serves, with its migrations only", async () => {
    const r = ok(ops("rollback", "--unapply-migrations", "--yes"));
    assert.match(r.stdout, /^ {2}billing\.0003_coupon$/m);
    assert.match(r.stdout, /npm run ops -- migrate billing 0002_wallettransaction --yes/);
    assert.deepEqual(billingRows(), ["0001_initial", "0002_wallettransaction"]);
    const health = await http(`http://127.0.0.1:${WEB_PORT}/healthz/`);
    assert.equal(health.status, 200, health.body);
    assert.equal((JSON.parse(health.body) as { release: string }).release, firstRelease);
    assert.match(ok(ops("status")).stdout, new RegExp(`^  \\* ${firstRelease} `, "m"));
  });

  it("a failing exec exits non-zero with the remote stderr's tail", () => {
    const r = ops("exec", "web", "--", "sh", "-c", "echo the-last-words >&2; exit 3");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /failed \(exit 3\)[\s\S]*\| the-last-words/);
    // The switch numbers each new web container (web-2, web-3, …).
    assert.match(ok(ops("logs", "web", "--tail", "5")).stdout, /web-\d+ +\| /);
  });

  it("restart refuses without --yes, then restarts web and returns once it is healthy", async () => {
    const started = () => containerIdentity(PROJECT, "web");
    const before = started();
    assert.equal(ops("restart", "web").code, 1);
    assert.equal(started(), before);
    ok(ops("restart", "web", "--yes"));
    assert.notEqual(started(), before);
    const health = await http(`http://127.0.0.1:${WEB_PORT}/healthz/`);
    assert.equal(health.status, 200, health.body);
  });

  it("a server presenting another host key is refused before any command runs", () => {
    const keyFile = join(dir, "other-host-key");
    sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile]);
    const other = readFileSync(`${keyFile}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
    const pinned = pulumi(ws, ["config", "get", "hostKey", "--stack", STACK]).stdout.trim();
    pulumi(ws, ["config", "set", "hostKey", other, "--stack", STACK]);
    try {
      const r = ops("status");
      assert.equal(r.code, 1);
      assert.match(r.stderr, /presented the host key SHA256:\S+, not the pinned hostKey SHA256:/);
      assert.doesNotMatch(r.stderr, /\$ /, "no remote command was printed or run");
    } finally {
      pulumi(ws, ["config", "set", "hostKey", pinned, "--stack", STACK]);
    }
  });

  it("nothing ops printed holds a secret", () => {
    const all = printed.join("\n");
    for (const secret of workspaceSecrets(ws, deployment!.privateKeyFile)) {
      assert.ok(!all.includes(secret), "a secret value was printed");
    }
  });
});
