// A real `pulumi up` of examples/django-app to this machine: the engine built from Go modules, a
// loopback sshd, dockerd, Postgres, Redis, gunicorn and Celery. The scenarios build on each other.
import assert from "node:assert/strict";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { parseDocument } from "yaml";
import {
  pulumi,
  pulumiTranscript,
  REPO,
  run,
  STACK,
  type Workspace,
  workspaceSecrets,
} from "../../scripts/lib/local-stack";
import { migrationFileHashes } from "../../components/compose/migration-files";
import { envDigest } from "../../components/config";
import { holdLockCommand } from "../../components/server/deploy-lock";
import { legacyEnvDigest, type ExportedStack } from "../../scripts/lib/move-ssh-key-state";
import { COUPON_MIGRATION } from "./billing-migrations";
import { legacyStateOf } from "./legacy-state";
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
const PROJECT = `e2e${suffix}`;
const WEB_PORT = 18100 + Math.floor(Math.random() * 800);
const BASE = `http://127.0.0.1:${WEB_PORT}`;
const MOVED_DIR = `/srv/${PROJECT}-moved`;
const DEPLOY_USER = "deploy";
const dir = mkdtempSync(join(tmpdir(), "django-deploy-e2e-"));
let ws: Workspace;
let privateKeyFile = "";
// Goes through Pulumi config, the .env file (stdin, single-quoted) and compose's env_file.
const HOSTILE_SETTING = 'a b  "dq" $(touch /tmp/CANARY) `id` ${HOME} ; && x\\y';

function up(...args: string[]) {
  return pulumi(ws, ["up", "--yes", "--stack", STACK, ...args]);
}

function outputs(): Record<string, unknown> {
  const r = pulumi(ws, ["stack", "output", "--json", "--stack", STACK]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** The pre-migrate dumps on the server, oldest first. */
function dumps(): string[] {
  const dir = `/srv/${PROJECT}/backups`;
  return readdirSync(dir)
    .filter((f) => f.endsWith(".dump"))
    .sort((a, b) => statSync(join(dir, a)).mtimeMs - statSync(join(dir, b)).mtimeMs);
}

function appliedRows(): string[] {
  return psql(
    containerOf(PROJECT, "db")!,
    "select app || '.' || name from django_migrations where app in ('accounts','billing','settings') order by 1",
  );
}

function releaseMigrations(): string[] {
  return Object.keys(migrationFileHashes(ws.projectDir)).sort();
}

function addMigration(file: string, body: string) {
  writeFileSync(join(ws.projectDir, "billing", "migrations", file), body);
}

function runPythonMigration(body: string) {
  return `from django.db import migrations


def forwards(apps, schema_editor):
${body}


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0003_coupon"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
`;
}

async function health(): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await http(`${BASE}/healthz/`);
  return { status: r.status, json: JSON.parse(r.body) as Record<string, unknown> };
}

let deployment: LocalDeploy | undefined;

describe("end-to-end deploy of examples/django-app", { timeout: 40 * 60 * 1000 }, () => {
  before(() => {
    // As the README's default: a non-root user in the docker group, prepared as it says.
    deployment = localDeploy(dir, PROJECT, WEB_PORT, { HOSTILE_SETTING }, { user: DEPLOY_USER });
    ws = deployment.ws;
    privateKeyFile = deployment.privateKeyFile;
  });

  after(() => {
    deployment?.stop();
    removeProject(PROJECT);
    rmSync(MOVED_DIR, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it("a. first deploy: migrations applied, static collected, web healthy, Celery works", async () => {
    const r = up();
    assert.equal(r.code, 0, `pulumi up failed:\n${r.stdout}\n${r.stderr}`);

    const expected = releaseMigrations();
    assert.deepEqual(appliedRows(), expected);
    const out = outputs();
    const appliedLocal = (out.migrationsApplied as string[]).filter((m) =>
      /^(accounts|billing|settings)\./.test(m),
    );
    assert.deepEqual(appliedLocal.sort(), expected);
    assert.deepEqual(out.migrationsInRelease, expected);
    assert.deepEqual(out.appServices, ["web", "celery_worker", "celery_beat"]);

    const h = await health();
    assert.equal(h.status, 200);
    assert.equal(h.json.release, out.releaseId);
    assert.deepEqual(h.json.migrations, { applied: true, unapplied: 0, pending: [] });

    const env = sh("docker", ["exec", containerOf(PROJECT, "web")!, "printenv", "HOSTILE_SETTING"]);
    assert.equal(
      env.stdout,
      `${HOSTILE_SETTING}\n`,
      "a setting with $, quotes and spaces arrives intact",
    );

    const css = await http(`${BASE}/static/site.css`);
    assert.equal(css.status, 200, "collectstatic output is served");
    assert.equal(css.body, readFileSync(join(ws.projectDir, "static", "site.css"), "utf8"));

    const ping = await http(`${BASE}/tasks/ping/`, { method: "POST" });
    assert.equal(ping.status, 202, ping.body);
    const { id } = JSON.parse(ping.body) as { id: number };
    const run = await eventually("the Celery worker ran the ping task", 90, async () => {
      const detail = JSON.parse((await http(`${BASE}/tasks/ping/${id}/`)).body) as {
        status: string;
      };
      return detail.status === "done" ? detail : undefined;
    });
    assert.equal(run.status, "done");
  });

  it("b. a second up with nothing changed changes nothing and runs nothing", () => {
    const before = ["web", "celery_worker", "db"].map((s) => containerIdentity(PROJECT, s));
    const preview = pulumi(ws, ["preview", "--expect-no-changes", "--stack", STACK]);
    assert.equal(preview.code, 0, `preview saw changes:\n${preview.stdout}\n${preview.stderr}`);
    const r = up("--expect-no-changes");
    assert.equal(r.code, 0, `up saw changes:\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /\b(created|updated|replaced|deleted)\b/);
    assert.deepEqual(
      ["web", "celery_worker", "db"].map((s) => containerIdentity(PROJECT, s)),
      before,
    );
  });

  it("a second deploy while one holds the server's deploy lock is refused, naming the holder", async () => {
    // Another deploy (any stack, any backend) holding the lock, as its SSH session would.
    const holder = spawn(
      "sh",
      [
        "-c",
        holdLockCommand(`/srv/${PROJECT}`, {
          stack: "someone-else",
          user: "bob",
          host: "ci-runner-7",
          pid: 31337,
          since: "2026-12-02T09:00:00.000Z",
        }),
      ],
      { stdio: "pipe" },
    );
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
    const before = containerIdentity(PROJECT, "web");
    try {
      const refused = up();
      assert.notEqual(refused.code, 0);
      assert.match(
        refused.stdout + refused.stderr,
        /Another deploy holds the server's deploy lock .*stack someone-else, bob@ci-runner-7 \(pid 31337\)/,
      );
      assert.equal(containerIdentity(PROJECT, "web"), before);
    } finally {
      holder.stdin.end();
      await new Promise((resolve) => holder.on("exit", resolve));
    }
    // Once the holder is gone, the next up goes through (and its own lock ends with it).
    const r = up("--expect-no-changes");
    assert.equal(r.code, 0, `pulumi up failed:\n${r.stdout}\n${r.stderr}`);
    const lockFree = sh("flock", ["-n", `/srv/${PROJECT}/.deploy.lock`, "true"]);
    assert.equal(lockFree.code, 0, "the up released its lock when it ended");
  });

  it("c. a new migration: preview names it, up applies exactly it, earlier rows survive", () => {
    const db = containerOf(PROJECT, "db")!;
    const rowsBefore = psql(db, "select id, status from settings_taskrun order by id");
    assert.ok(rowsBefore.length > 0);
    addMigration("0003_coupon.py", COUPON_MIGRATION);

    const preview = pulumi(ws, ["preview", "--diff", "--stack", STACK]);
    assert.equal(preview.code, 0, preview.stderr);
    // The migrate step's trigger is keyed by migration name: the diff adds exactly the new one.
    const added = [...preview.stdout.matchAll(/^\s*\+ ((?:accounts|billing|settings)\.\w+)\s*:/gm)];
    assert.deepEqual([...new Set(added.map((m) => m[1]))], ["billing.0003_coupon"], preview.stdout);
    // The live migration check announces what migrate will apply (on stderr with --diff).
    const text = preview.stdout + preview.stderr;
    const announced = [...text.matchAll(/^\s+Applying (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(announced, ["billing.0003_coupon"], text);

    const dumpsBefore = dumps();
    const r = up();
    assert.equal(r.code, 0, `pulumi up failed:\n${r.stdout}\n${r.stderr}`);
    assert.deepEqual(outputs().migrationsApplied, announced);
    assert.deepEqual(outputs().migrationsToApply, announced);
    assert.ok(appliedRows().includes("billing.0003_coupon"));
    assert.deepEqual(psql(db, "select id, status from settings_taskrun order by id"), rowsBefore);

    // A backup preceded the migrate: a new file of its own, readable by the deploy user only, that
    // pg_restore can read.
    const newDumps = dumps().filter((f) => !dumpsBefore.includes(f));
    assert.equal(newDumps.length, 1, dumps().join(", "));
    const dump = `/srv/${PROJECT}/backups/${newDumps[0]}`;
    assert.equal(statSync(dump).mode & 0o777, 0o600);
    assert.equal(statSync(`/srv/${PROJECT}/backups`).mode & 0o777, 0o700);
    const listed = sh("bash", ["-c", `docker exec -i ${db} pg_restore --list < '${dump}'`]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /TABLE DATA public settings_taskrun/);
  });

  it("d. a failing migration stops the deploy; the previous release keeps serving", async () => {
    const db = containerOf(PROJECT, "db")!;
    const releaseBefore = outputs().releaseId;
    const servingBefore = ["web", "celery_worker", "celery_beat"].map((s) =>
      containerIdentity(PROJECT, s),
    );
    const rowsBefore = psql(db, "select id, status from settings_taskrun order by id");
    addMigration(
      "0004_backfill.py",
      runPythonMigration('    raise RuntimeError("backfill failed on purpose")'),
    );

    const failed = up();
    assert.notEqual(failed.code, 0, "pulumi up must fail when a migration raises");
    assert.match(failed.stdout + failed.stderr, /backfill failed on purpose/);
    assert.deepEqual(
      ["web", "celery_worker", "celery_beat"].map((s) => containerIdentity(PROJECT, s)),
      servingBefore,
      "the app services were not restarted",
    );
    const h = await health();
    assert.equal(h.status, 200);
    assert.equal(h.json.release, releaseBefore, "the web still answers as the previous release");
    assert.ok(!appliedRows().includes("billing.0004_backfill"));
    assert.deepEqual(psql(db, "select id, status from settings_taskrun order by id"), rowsBefore);

    addMigration(
      "0004_backfill.py",
      runPythonMigration("    apps.get_model('billing', 'Coupon').objects.create(code='WELCOME')"),
    );
    const fixed = up();
    assert.equal(
      fixed.code,
      0,
      `pulumi up after the fix failed:\n${fixed.stdout}\n${fixed.stderr}`,
    );
    assert.deepEqual(outputs().migrationsApplied, ["billing.0004_backfill"]);
    assert.deepEqual(outputs().migrationsToApply, ["billing.0004_backfill"]);
    assert.deepEqual(psql(db, "select code from billing_coupon"), ["WELCOME"]);
    const after = await health();
    assert.equal(after.json.release, outputs().releaseId);
    assert.notEqual(after.json.release, releaseBefore);
  });

  it("the key lives only in the agent: without one a preview sees no change and up names the fix", () => {
    const socket = ws.env.SSH_AUTH_SOCK;
    delete ws.env.SSH_AUTH_SOCK;
    try {
      const preview = pulumi(ws, ["preview", "--expect-no-changes", "--stack", STACK]);
      assert.equal(preview.code, 0, `preview saw changes:\n${preview.stdout}\n${preview.stderr}`);
      const refused = up();
      assert.notEqual(refused.code, 0);
      assert.match(refused.stdout + refused.stderr, /SSH_AUTH_SOCK is not set.*ssh-add/);
    } finally {
      ws.env.SSH_AUTH_SOCK = socket;
    }
  });

  it("a settings and code change restarts the app services, and takes no backup (no migration)", () => {
    const before = containerIdentity(PROJECT, "web");
    const dumpsBefore = dumps();
    const template = join(ws.projectDir, "templates", "index.html");
    writeFileSync(template, `${readFileSync(template, "utf8")}\n<!-- code-only change -->\n`);
    const set = pulumi(ws, [
      "config",
      "set",
      "--stack",
      STACK,
      "--path",
      "env.FEATURE_FLAG",
      "on-7c1d",
    ]);
    assert.equal(set.code, 0, set.stderr);
    const r = up();
    assert.equal(r.code, 0, `pulumi up failed:\n${r.stdout}\n${r.stderr}`);
    assert.notEqual(containerIdentity(PROJECT, "web"), before, "web was recreated");
    const env = sh("docker", ["exec", containerOf(PROJECT, "web")!, "printenv", "FEATURE_FLAG"]);
    assert.equal(env.stdout, "on-7c1d\n");
    assert.deepEqual(dumps(), dumpsBefore, "no new migration, so no new dump");
  });

  it("a change to the db's definition dumps the running database before it reaches it", () => {
    const db = containerOf(PROJECT, "db")!;
    const rowsBefore = psql(db, "select id, status from settings_taskrun order by id");
    const composeFile = join(ws.projectDir, "docker-compose.yml");
    const doc = parseDocument(readFileSync(composeFile, "utf8"));
    doc.setIn(["services", "db", "labels", "e2e.infra-change"], "1");
    writeFileSync(composeFile, doc.toString());
    const dumpsBefore = dumps();

    const preview = pulumi(ws, ["preview", "--diff", "--stack", STACK]);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /app-infra-backup/);
    const r = up();
    assert.equal(r.code, 0, `pulumi up failed:\n${r.stdout}\n${r.stderr}`);
    const added = dumps().filter((f) => !dumpsBefore.includes(f));
    assert.equal(added.length, 1, dumps().join(", "));
    assert.match(added[0], /^pre-infra-/);
    assert.notEqual(containerOf(PROJECT, "db"), db, "the db container was recreated");
    assert.deepEqual(
      psql(containerOf(PROJECT, "db")!, "select id, status from settings_taskrun order by id"),
      rowsBefore,
    );
  });

  it("moving remoteDir redeploys into the new directory and never takes the site down", async () => {
    const db = containerOf(PROJECT, "db")!;
    const rowsBefore = psql(db, "select id, status from settings_taskrun order by id");
    // The new directory is prepared as the README says (the deploy user cannot create /srv/*).
    const prepared = run("bash", [
      join(REPO, "scripts", "prepare-deploy-user.sh"),
      DEPLOY_USER,
      `${privateKeyFile}.pub`,
      MOVED_DIR,
    ]);
    assert.equal(prepared.code, 0, prepared.stderr);
    const set = pulumi(ws, ["config", "set", "--stack", STACK, "remoteDir", MOVED_DIR]);
    assert.equal(set.code, 0, set.stderr);
    const r = up();
    assert.equal(r.code, 0, `pulumi up failed:\n${r.stdout}\n${r.stderr}`);
    // Before the fix the teardown was replaced, and its delete ran `compose down` on the project
    // the same update had just started.
    assert.doesNotMatch(r.stdout, /app-teardown.*deleted/);
    const h = await health();
    assert.equal(h.status, 200);
    assert.equal(h.json.release, outputs().releaseId);
    assert.ok(readlinkSync(`${MOVED_DIR}/current`).startsWith(`${MOVED_DIR}/releases/`));
    const dbNow = containerOf(PROJECT, "db")!;
    assert.deepEqual(
      psql(dbNow, "select id, status from settings_taskrun order by id"),
      rowsBefore,
    );
    const again = pulumi(ws, ["preview", "--expect-no-changes", "--stack", STACK]);
    assert.equal(again.code, 0, `preview saw changes:\n${again.stdout}\n${again.stderr}`);
  });

  it("a stack from the key-in-config days moves to the agent without any step running again", () => {
    const secrets = JSON.parse(readFileSync(join(ws.dir, "app-secrets.json"), "utf8")) as Record<
      string,
      string
    >;
    const config = JSON.parse(pulumi(ws, ["config", "--json", "--stack", STACK]).stdout) as Record<
      string,
      { objectValue?: Record<string, string> }
    >;
    const vars = { ...config["django-deploy:env"].objectValue, ...secrets };
    // The key as the old program read it: set with --secret, then read back from the config.
    assert.equal(
      pulumi(
        ws,
        ["config", "set", "--secret", "--stack", STACK, "sshPrivateKey"],
        readFileSync(privateKeyFile, "utf8"),
      ).code,
      0,
    );
    const key = run("pulumi", ["config", "get", "sshPrivateKey", "--stack", STACK], {
      cwd: ws.dir,
      env: ws.env,
    }).stdout.replace(/\n$/, "");
    assert.match(key, /-----BEGIN OPENSSH PRIVATE KEY-----/);
    const digests = { legacy: legacyEnvDigest(key, vars), current: envDigest(vars) };
    // run(), not pulumi(): this export holds every secret and must not reach the transcript.
    const exported = run("pulumi", ["stack", "export", "--show-secrets", "--stack", STACK], {
      cwd: ws.dir,
      env: ws.env,
    });
    assert.equal(exported.code, 0, exported.stderr);
    const legacy = legacyStateOf(JSON.parse(exported.stdout) as ExportedStack, key, digests);
    assert.equal(legacy.digests, 6, "infra, check and start, inputs and outputs, held the digest");
    const imported = run("pulumi", ["stack", "import", "--stack", STACK, "--non-interactive"], {
      cwd: ws.dir,
      env: ws.env,
      input: JSON.stringify(legacy.stack),
    });
    assert.equal(imported.code, 0, imported.stderr);

    const refused = pulumi(ws, ["preview", "--stack", STACK]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /sshPrivateKey is no longer read.*move-ssh-key/);

    const moved = run("npx", ["tsx", join(REPO, "scripts", "move-ssh-key.ts"), "--stack", STACK], {
      cwd: ws.dir,
      env: ws.env,
    });
    pulumiTranscript.push(moved.stdout, moved.stderr);
    assert.equal(moved.code, 0, `${moved.stdout}\n${moved.stderr}`);
    assert.match(moved.stdout, /: \d+ connection\(s\) hold the private key, 6 trigger\(s\)/);

    const preview = pulumi(ws, ["preview", "--expect-no-changes", "--diff", "--stack", STACK]);
    assert.equal(preview.code, 0, `preview saw changes:\n${preview.stdout}\n${preview.stderr}`);
    const again = run("npx", ["tsx", join(REPO, "scripts", "move-ssh-key.ts"), "--stack", STACK], {
      cwd: ws.dir,
      env: ws.env,
    });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /no sshPrivateKey setting: nothing to move/);
  });

  it("state and everything pulumi printed hold no secret value", () => {
    const exported = pulumi(ws, ["stack", "export", "--stack", STACK]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /command:remote:Command/, "the state holds the deploy's steps");
    const secrets = workspaceSecrets(ws, privateKeyFile);
    assert.ok(secrets.length >= 4, `too few secrets to scan for: ${secrets.length}`);
    const printed = pulumiTranscript.join("\n");
    const exportedText = exported.stdout;
    const leaks = secrets.flatMap((secret, i) => [
      ...(exportedText.includes(secret) ? [`secret #${i} in pulumi stack export`] : []),
      ...(printed.includes(secret) ? [`secret #${i} in pulumi's output`] : []),
    ]);
    assert.deepEqual(leaks, []);
  });

  it("e. pulumi destroy stops the stack and keeps the database volume and its data", async () => {
    const rowsBefore = psql(
      containerOf(PROJECT, "db")!,
      "select id, status from settings_taskrun order by id",
    );
    const r = pulumi(ws, ["destroy", "--yes", "--stack", STACK]);
    assert.equal(r.code, 0, `pulumi destroy failed:\n${r.stdout}\n${r.stderr}`);
    assert.equal(containerOf(PROJECT, "web"), undefined, "the app was stopped");
    assert.equal(containerOf(PROJECT, "db"), undefined);
    assert.equal(
      sh("docker", ["volume", "inspect", `${PROJECT}_pgdata`]).code,
      0,
      "the volume is still there",
    );

    // Read the data back with a throwaway Postgres on the same volume.
    const name = `${PROJECT}-inspect`;
    const password = JSON.parse(readFileSync(join(dir, "app-secrets.json"), "utf8"))
      .POSTGRES_PASSWORD as string;
    const start = sh("docker", [
      "run",
      "-d",
      "--name",
      name,
      "-v",
      `${PROJECT}_pgdata:/var/lib/postgresql/data`,
      "-e",
      "POSTGRES_USER=app",
      "-e",
      "POSTGRES_DB=app",
      "-e",
      `POSTGRES_PASSWORD=${password}`,
      "django-deploy/postgres:trixie",
    ]);
    assert.equal(start.code, 0, start.stderr);
    try {
      await eventually("postgres on the kept volume is ready", 60, async () =>
        sh("docker", ["exec", name, "pg_isready", "-h", "127.0.0.1", "-U", "app"]).code === 0
          ? true
          : undefined,
      );
      assert.deepEqual(
        psql(name, "select id, status from settings_taskrun order by id"),
        rowsBefore,
      );
    } finally {
      sh("docker", ["rm", "-f", name]);
    }
  });
});
