// The fault matrix (issue 10): each row injects a fault into a real deploy and checks that the
// running release keeps serving, no data is lost, and the next `pulumi up` (or the documented
// recovery) completes. Rows that live in other files are listed in the summary with where.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pulumi, REPO, run, STACK, type Workspace } from "../../scripts/lib/local-stack";
import {
  containerIdentity,
  containerOf,
  eventually,
  http,
  localDeploy,
  psql,
  removeProject,
  sh,
  type LocalDeploy,
} from "./helpers";

const suffix = Math.random().toString(36).slice(2, 8);
const PROJECT = `e2efault${suffix}`;
const WEB_PORT = 19900 + Math.floor(Math.random() * 90);
const dir = mkdtempSync(join(tmpdir(), "django-deploy-faults-"));
let deployment: LocalDeploy | undefined;
let ws: Workspace;
const summary: [string, string, string][] = [];
const started = Date.now();

function up(...args: string[]) {
  return pulumi(ws, ["up", "--yes", "--stack", STACK, ...args]);
}

function rows(): string[] {
  return psql(
    containerOf(PROJECT, "db")!,
    "select app || '.' || name from django_migrations order by 1",
  );
}

async function serving(): Promise<number> {
  return (await http(`http://127.0.0.1:${WEB_PORT}/healthz/`)).status;
}

/** The release the web answers as, or undefined while it does not answer 200. */
async function servedRelease(): Promise<string | undefined> {
  const r = await http(`http://127.0.0.1:${WEB_PORT}/healthz/`);
  return r.status === 200 ? (JSON.parse(r.body) as { release: string }).release : undefined;
}

/** A data row written before a fault; every one of them must survive every later row. */
function addDataRow(row: string) {
  psql(
    containerOf(PROJECT, "db")!,
    `insert into settings_sitesetting (key, value, updated_at) values ('fault-${row}', 'kept', now())`,
  );
}

function dataRows(): string[] {
  return psql(
    containerOf(PROJECT, "db")!,
    "select key || '=' || value from settings_sitesetting where key like 'fault-%' order by 1",
  );
}

let billingLeaf = "0002_wallettransaction";

/**
 * The next billing migration: creates a table, then (for a fault to hit it mid-way) sleeps in
 * the same transaction, so an interrupted run leaves neither the table nor its row.
 */
function addMigration(name: string, sleepSeconds: number): string {
  const number = String(Number(billingLeaf.slice(0, 4)) + 1).padStart(4, "0");
  const file = `${number}_${name}`;
  const sleep = sleepSeconds
    ? `\n        migrations.RunSQL("select pg_sleep(${sleepSeconds})", migrations.RunSQL.noop),`
    : "";
  writeFileSync(
    join(ws.projectDir, "billing", "migrations", `${file}.py`),
    `from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "${billingLeaf}"),
    ]

    operations = [
        migrations.RunSQL("create table ${name} (id int)", "drop table ${name}"),${sleep}
    ]
`,
  );
  billingLeaf = file;
  return `billing.${file}`;
}

interface Before {
  release: string;
  migrations: string[];
  data: string[];
}

async function snapshot(): Promise<Before> {
  const release = await servedRelease();
  assert.ok(release, "the site serves before the fault");
  return { release, migrations: rows(), data: dataRows() };
}

/** The old release answers /healthz/ (polled a few times, not once). */
async function assertOldServes(before: Before) {
  for (let i = 0; i < 3; i++) {
    assert.equal(await servedRelease(), before.release, "the previous release keeps serving");
    await new Promise((r) => setTimeout(r, 500));
  }
}

function assertNothingLost(before: Before) {
  const now = rows();
  for (const m of before.migrations) assert.ok(now.includes(m), `django_migrations lost ${m}`);
  const data = dataRows();
  for (const d of before.data) assert.ok(data.includes(d), `data row lost: ${d}`);
}

/** The deploy completed: the migration applied once, the new release serves. */
async function assertDeployed(before: Before, migration: string) {
  assertNothingLost(before);
  assert.equal(rows().filter((m) => m === migration).length, 1, `${migration} applied once`);
  const release = await eventually("the new release serves", 60, servedRelease);
  assert.notEqual(release, before.release);
}

async function nextUpCompletes(before: Before, migration: string) {
  const r = up();
  assert.equal(r.code, 0, `the next pulumi up failed:\n${r.stdout}\n${r.stderr}`);
  await assertDeployed(before, migration);
}

const MIGRATE = () => `${PROJECT}-migrate`;

function migrateRunning(): boolean {
  const r = sh("docker", ["inspect", "--format", "{{.State.Running}}", MIGRATE()]);
  return r.code === 0 && r.stdout.trim() === "true";
}

/** `pulumi up` in the background, in its own process group (a runner's whole job). */
function upInBackground() {
  const child = spawn("pulumi", ["up", "--yes", "--stack", STACK, "--non-interactive"], {
    cwd: ws.dir,
    env: ws.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Waits until the deploy's migrate container runs, and a little longer (Django is inside). */
async function whenMigrating(bg: ReturnType<typeof upInBackground>) {
  const deadline = Date.now() + 600_000;
  while (!migrateRunning()) {
    assert.equal(bg.child.exitCode, null, `pulumi up ended before migrate ran:\n${bg.output()}`);
    assert.ok(Date.now() < deadline, `no migrate container after 600 s:\n${bg.output()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 3000));
}

/** The shell lines of a README recovery block, exactly as a user copies them. */
function readmeRecovery(name: string): string[] {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const block = new RegExp(
    `<!-- recovery: ${name} -->\\n\`\`\`sh\\n([^]*?)\`\`\`\\n<!-- /recovery: ${name} -->`,
  ).exec(readme);
  assert.ok(block, `README.md has no recovery block ${name}`);
  return block[1].split("\n").filter((l) => l.trim() !== "");
}

function record(row: string, fault: string, outcome: string) {
  summary.push([row, fault, outcome]);
}

describe("fault matrix", { timeout: 30 * 60 * 1000 }, () => {
  before(() => {
    deployment = localDeploy(dir, PROJECT, WEB_PORT);
    ws = deployment.ws;
    const first = up();
    assert.equal(first.code, 0, `first deploy failed:\n${first.stdout}\n${first.stderr}`);
  });

  after(() => {
    deployment?.stop();
    removeProject(PROJECT);
    rmSync(dir, { recursive: true, force: true });
    const width = Math.max(...summary.map(([, fault]) => fault.length));
    console.log(
      [
        "",
        "row | fault | outcome",
        ...summary.map(([r, f, o]) => `${r.padEnd(3)} | ${f.padEnd(width)} | ${o}`),
        `faults.test.ts wall time: ${Math.round((Date.now() - started) / 1000)} s`,
      ].join("\n"),
    );
  });

  it("5. the server presents another host key: refused before any command runs, no key shown", async () => {
    const web = containerIdentity(PROJECT, "web");
    const migrations = rows();
    const pinned = readFileSync(join(dir, "sshd", "env.json"), "utf8");
    const hostKey = (JSON.parse(pinned) as { HOST_KEY: string }).HOST_KEY;
    // Another ed25519 key: what a man in the middle, or a rebuilt server, would present.
    const other = run("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      "",
      "-f",
      join(dir, "other"),
    ]);
    assert.equal(other.code, 0, other.stderr);
    const otherKey = readFileSync(join(dir, "other.pub"), "utf8").split(" ").slice(0, 2).join(" ");
    assert.equal(pulumi(ws, ["config", "set", "--stack", STACK, "hostKey", otherKey]).code, 0);
    try {
      const r = up();
      assert.notEqual(r.code, 0);
      assert.match(
        r.stdout + r.stderr,
        /presented the host key SHA256:\S+, not the pinned hostKey/,
      );
      const keyLines = readFileSync(deployment!.privateKeyFile, "utf8")
        .split("\n")
        .filter((l) => l.length >= 16 && !l.startsWith("-----"));
      for (const line of keyLines) assert.equal((r.stdout + r.stderr).includes(line), false);
      assert.equal(containerIdentity(PROJECT, "web"), web, "nothing was restarted");
      assert.deepEqual(rows(), migrations);
      assert.equal(await serving(), 200);
    } finally {
      assert.equal(pulumi(ws, ["config", "set", "--stack", STACK, "hostKey", hostKey]).code, 0);
    }
    const back = pulumi(ws, ["preview", "--expect-no-changes", "--stack", STACK]);
    assert.equal(back.code, 0, `${back.stdout}\n${back.stderr}`);
    record("5", "server presents another host key", "refused before any command; nothing changed");
  });

  it("7. SSH key rotation per the README: nothing re-runs, no backup is taken or overwritten", async () => {
    const sshd = join(dir, "sshd");
    const newKey = join(dir, "newkey");
    assert.equal(
      run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", newKey]).code,
      0,
    );
    // 1. the new public key next to the old one on the server
    appendFileSync(join(sshd, "authorized_keys"), readFileSync(`${newKey}.pub`, "utf8"));
    // 2. the agent holds the new key only
    const agentEnv = { ...process.env, SSH_AUTH_SOCK: ws.env.SSH_AUTH_SOCK };
    assert.equal(run("ssh-add", ["-D"], { env: agentEnv }).code, 0);
    assert.equal(run("ssh-add", ["-q", newKey], { env: agentEnv }).code, 0);
    const backups = run("ls", [`/srv/${PROJECT}/backups`]).stdout;
    const web = containerIdentity(PROJECT, "web");

    const preview = pulumi(ws, ["preview", "--expect-no-changes", "--stack", STACK]);
    assert.equal(preview.code, 0, `a rotation changed the plan:\n${preview.stdout}`);
    const r = up("--expect-no-changes");
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(run("ls", [`/srv/${PROJECT}/backups`]).stdout, backups);
    assert.equal(containerIdentity(PROJECT, "web"), web);
    assert.equal(await serving(), 200);
    record("7", "SSH key rotated per the README", "no step ran, backups untouched");
  });

  it("3. pulumi up killed with SIGKILL during migrate: the README's recovery lines finish the deploy", async () => {
    addDataRow("3");
    const before = await snapshot();
    const migration = addMigration("fault_killed_up", 20);
    const bg = upInBackground();
    await whenMigrating(bg);
    process.kill(-bg.child.pid!, "SIGKILL");
    await bg.exited;

    await assertOldServes(before);
    assertNothingLost(before);
    // What the README says a killed up leaves: the backend's lock and pending operations.
    const locks = join(ws.dir, "state", ".pulumi", "locks");
    const lockFiles = run("find", [locks, "-type", "f"]).stdout.trim();
    assert.notEqual(lockFiles, "", "the killed up left the backend's lock");
    const exported = pulumi(ws, ["stack", "export", "--stack", STACK]);
    assert.equal(exported.code, 0, exported.stderr);
    const pending = (
      JSON.parse(exported.stdout) as { deployment: { pending_operations?: unknown[] } }
    ).deployment.pending_operations;
    assert.ok(pending && pending.length > 0, "the killed up left pending operations");
    const survived = migrateRunning();

    for (const line of readmeRecovery("killed-up")) {
      const r = run("bash", ["-c", line], { cwd: ws.dir, env: ws.env });
      assert.equal(r.code, 0, `README recovery line failed: ${line}\n${r.stdout}\n${r.stderr}`);
    }
    await assertDeployed(before, migration);
    assert.equal(sh("flock", ["-n", `/srv/${PROJECT}/.deploy.lock`, "true"]).code, 0);
    record(
      "3",
      "pulumi up SIGKILLed during migrate",
      `README recovery ran verbatim; deploy completed (migrate container ${survived ? "outlived the kill" : "ended with it"})`,
    );
  });

  it("1. the SSH connection of migrate is cut: the migrate goes on, the retry waits for it", async () => {
    addDataRow("1");
    const before = await snapshot();
    // Long enough that the retry reaches migrate while the cut one still runs.
    const migration = addMigration("fault_ssh_cut", 45);
    const bg = upInBackground();
    await whenMigrating(bg);
    const session = sshdSessionOf(`--name ${MIGRATE()}`);
    process.kill(session, "SIGKILL");
    const code = await bg.exited;
    assert.notEqual(code, 0, `the cut connection failed the up:\n${bg.output()}`);

    await assertOldServes(before);
    assertNothingLost(before);
    assert.ok(migrateRunning(), "the migrate container outlived its SSH session");
    await nextUpCompletes(before, migration);
    // The step's stderr (a secret output) says the retry waited instead of migrating beside it.
    const state = pulumi(ws, ["stack", "export", "--show-secrets", "--stack", STACK]);
    assert.equal(state.code, 0, state.stderr);
    assert.match(
      state.stdout,
      /waiting for the migrate an interrupted deploy left running \(container [\w-]+-migrate\)/,
    );
    record(
      "1",
      "SSH connection of migrate cut",
      "migrate went on; retry waited for it, then completed",
    );
  });

  it("2a. the db container is stopped before a deploy: the infra step starts it again", async () => {
    addDataRow("2a");
    const before = await snapshot();
    const migration = addMigration("fault_db_stopped", 0);
    assert.equal(sh("docker", ["stop", containerOf(PROJECT, "db")!]).code, 0);
    await nextUpCompletes(before, migration);
    record("2a", "db container stopped before a deploy", "the deploy started it and completed");
  });

  it("2b. the db container is stopped during migrate: the deploy fails, the retry completes", async () => {
    addDataRow("2b");
    const before = await snapshot();
    const web = containerIdentity(PROJECT, "web");
    const migration = addMigration("fault_db_stopped_in_migrate", 20);
    const bg = upInBackground();
    await whenMigrating(bg);
    assert.equal(sh("docker", ["stop", containerOf(PROJECT, "db")!]).code, 0);
    const code = await bg.exited;
    assert.notEqual(code, 0, `the up must fail when its database goes away:\n${bg.output()}`);
    assert.equal(containerIdentity(PROJECT, "web"), web, "the previous release was not touched");

    // The retried migrate (compose run) starts the database it depends on before it runs.
    await nextUpCompletes(before, migration);
    record(
      "2b",
      "db container stopped during migrate",
      "up failed, nothing half-applied; retry started the db and completed",
    );
  });

  it("8. the disk holding the backups is full: the deploy stops before migrate and says why", async () => {
    addDataRow("8");
    const before = await snapshot();
    const migration = addMigration("fault_disk_full", 0);
    const backups = `/srv/${PROJECT}/backups`;
    assert.equal(sh("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", backups]).code, 0);
    try {
      // Fill it: dd stops at "No space left on device".
      sh("dd", ["if=/dev/zero", `of=${backups}/filler`, "bs=64k"]);
      const r = up();
      assert.notEqual(r.code, 0);
      assert.match(
        r.stdout + r.stderr,
        /The database dump into \S+ failed \(a full disk shows as "no space left on device"\), so the deploy stopped before the migrate/,
      );
      assert.deepEqual(
        readdirSync(backups),
        ["filler"],
        "no partial dump is left to hold the space",
      );
      await assertOldServes(before);
      assertNothingLost(before);
      assert.equal(rows().includes(migration), false, "nothing migrated without its backup");

      rmSync(join(backups, "filler"));
      await nextUpCompletes(before, migration);
      assert.equal(readdirSync(backups).filter((f) => f.endsWith(".dump")).length, 1);
    } finally {
      sh("umount", [backups]);
    }
    record(
      "8",
      "disk of the backups full",
      "stopped before migrate, readable reason; retry completed",
    );
  });

  it("6 (defect 2). a new data volume for the db is refused by preview and up, naming the upgrade path", async () => {
    const composeFile = join(ws.projectDir, "docker-compose.yml");
    const original = readFileSync(composeFile, "utf8");
    const changed = original
      .replace("- pgdata:/var/lib/postgresql/data", "- pgdata_new:/var/lib/postgresql/data")
      .replace(/^volumes:\n/m, "volumes:\n  pgdata_new:\n");
    assert.notEqual(changed, original);
    const web = containerIdentity(PROJECT, "web");
    const migrations = rows();
    writeFileSync(composeFile, changed);
    try {
      const refusal =
        /This deploy changes the "db" service's data volume from pgdata:\/var\/lib\/postgresql\/data to pgdata_new:\/var\/lib\/postgresql\/data: the database would start empty.*Nothing was changed on the server.*allowDatabaseChange/s;
      const preview = pulumi(ws, ["preview", "--stack", STACK]);
      assert.notEqual(preview.code, 0);
      assert.match(preview.stdout + preview.stderr, refusal);
      const refused = up();
      assert.notEqual(refused.code, 0);
      assert.match(refused.stdout + refused.stderr, refusal);
      assert.equal(containerIdentity(PROJECT, "web"), web, "nothing was restarted");
      assert.equal(sh("docker", ["volume", "inspect", `${PROJECT}_pgdata_new`]).code, 1);
      assert.deepEqual(rows(), migrations);
      assert.equal(await serving(), 200);
    } finally {
      writeFileSync(composeFile, original);
    }
    record("6", "db data volume changed (defect 2)", "refused by preview and up; nothing touched");
  });
});

/** The server's sshd process of the session that runs a command matching `needle`. */
function sshdSessionOf(needle: string): number {
  const procs = new Map<number, { ppid: number; comm: string; args: string }>();
  for (const line of run("ps", ["-eo", "pid=,ppid=,comm=,args="]).stdout.split("\n")) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (m) procs.set(Number(m[1]), { ppid: Number(m[2]), comm: m[3], args: m[4] });
  }
  for (const [pid, p] of procs) {
    if (!p.args.includes(needle) || p.comm === "sshd" || p.comm === "ps") continue;
    for (let at = procs.get(pid)?.ppid; at && procs.has(at); at = procs.get(at)!.ppid) {
      if (procs.get(at)!.comm === "sshd") return at;
    }
  }
  throw new Error(`no sshd session runs a command with ${needle}`);
}

// Rows checked in other files, so the summary names every row of the matrix.
after(() => {
  console.log(
    [
      "4   | a second deploy while one runs          | deploy.test.ts: refused by the lock, naming the holder",
      "6   | remoteDir change; infra definition change | deploy.test.ts: site keeps serving; running db dumped before the change",
      "9   | restore of a backup                     | ops.test.ts: a deleted row comes back, the app serves",
    ].join("\n"),
  );
});
