// The preview against the live database, with the real engine, sshd, Postgres and Django: the
// renamed-migration outage is caught before `up`, its printed fix works, and the list of
// migrations the preview announces is exactly what `migrate` then applies.
import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
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
} from "../../scripts/lib/local-stack";
import { renameFixOpsArgs } from "../../components/live-migration-findings";
import { argv } from "../../components/shell/quote";
import { containerOf, localDeploy, psql, removeProject, type LocalDeploy } from "./helpers";

const suffix = Math.random().toString(36).slice(2, 8);
const PROJECT = `live${suffix}`;
const WEB_PORT = 15100 + Math.floor(Math.random() * 50);
const dir = mkdtempSync(join(tmpdir(), "django-deploy-live-"));
let deployment: LocalDeploy | undefined;
let ws: Workspace;

/** accounts.<name>: a new table, so running it twice fails the way the classic outage did. */
const BADGE_MIGRATION = `from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_account_timezone"),
    ]

    operations = [
        migrations.CreateModel(
            name="Badge",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(max_length=32)),
            ],
        ),
    ]
`;

const migrationsDir = () => join(ws.projectDir, "accounts", "migrations");

function preview(...args: string[]): RunResult {
  return pulumi(ws, ["preview", "--stack", STACK, ...args]);
}

function up(): RunResult {
  const r = pulumi(ws, ["up", "--yes", "--stack", STACK]);
  assert.equal(r.code, 0, `pulumi up failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** What the preview announced `up` will apply: its "  Applying app.name" lines, in order. */
function announced(r: RunResult): string[] {
  assert.equal(r.code, 0, `preview failed:\n${r.stdout}\n${r.stderr}`);
  // Pulumi prints the program's info lines on stdout, or on stderr with --diff.
  const text = r.stdout + r.stderr;
  assert.match(text, /migrate will apply/);
  return [...text.matchAll(/^\s+Applying (\S+)$/gm)].map((m) => m[1]);
}

function outputs(): Record<string, unknown> {
  const r = pulumi(ws, ["stack", "output", "--json", "--stack", STACK]);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const accountsRows = () =>
  psql(
    containerOf(PROJECT, "db")!,
    "select name from django_migrations where app = 'accounts' order by id",
  );

describe("preview against the live database", { timeout: 30 * 60 * 1000 }, () => {
  before(() => {
    deployment = localDeploy(dir, PROJECT, WEB_PORT);
    ws = deployment.ws;
  });

  after(() => {
    deployment?.stop();
    removeProject(PROJECT);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a first deploy is a warning and the static check alone", () => {
    const r = preview();
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /Live migration check skipped: no release is current on the server \(a first deploy\)/,
    );
    up();
  });

  it("a new migration: the preview's list is exactly what up's migrate applies", () => {
    writeFileSync(join(migrationsDir(), "0003_x.py"), BADGE_MIGRATION);
    const listed = announced(preview());
    assert.deepEqual(listed, ["accounts.0003_x"]);
    up();
    const out = outputs();
    assert.deepEqual(out.migrationsApplied, listed, "migrate printed the same Applying lines");
    assert.deepEqual(out.migrationsToApply, listed);
    assert.deepEqual(accountsRows(), ["0001_initial", "0002_account_timezone", "0003_x"]);
  });

  const fix = renameFixOpsArgs({ stack: STACK }, "accounts.0003_x", "accounts.0003_y");
  const ops = (...args: string[]) =>
    run("npx", ["tsx", join(REPO, "components/ops/cli.ts"), ...args], {
      cwd: ws.dir,
      env: ws.env,
    });

  it("the renamed-migration outage: preview fails naming both and the fix, and nothing runs", () => {
    renameSync(join(migrationsDir(), "0003_x.py"), join(migrationsDir(), "0003_y.py"));
    const r = preview();
    assert.notEqual(r.code, 0);
    const text = r.stdout + r.stderr;
    assert.match(text, /accounts\.0003_x is recorded as applied in the server's database/);
    assert.match(text, /it looks like 0003_x was renamed to 0003_y/);
    assert.ok(text.includes(`npm run ops -- ${argv(...fix)}`), text);
    // up stops at the same check, before any step: the rows are untouched.
    const refused = pulumi(ws, ["up", "--yes", "--stack", STACK]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /it looks like 0003_x was renamed to 0003_y/);
    assert.deepEqual(accountsRows(), ["0001_initial", "0002_account_timezone", "0003_x"]);
  });

  it("after the printed fix, preview lists nothing to apply and up succeeds", () => {
    const refused = ops(...fix.filter((a) => a !== "--yes"));
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /Refusing to record accounts\.0003_y as applied in place of accounts\.0003_x without --yes/,
    );
    assert.deepEqual(accountsRows(), ["0001_initial", "0002_account_timezone", "0003_x"]);

    const done = ops(...fix);
    assert.equal(done.code, 0, `the fix failed:\n${done.stdout}\n${done.stderr}`);
    assert.match(
      done.stdout,
      /Recorded accounts\.0003_y as applied in place of accounts\.0003_x\./,
    );
    assert.deepEqual(accountsRows(), ["0001_initial", "0002_account_timezone", "0003_y"]);
    // Run twice (a retry after a dropped connection): nothing more changes.
    const again = ops(...fix);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already recorded in place of accounts\.0003_x: nothing to do/);
    assert.deepEqual(accountsRows(), ["0001_initial", "0002_account_timezone", "0003_y"]);

    const r = preview();
    assert.deepEqual(announced(r), []);
    assert.match(r.stdout, /migrate will apply nothing/);
    up();
    assert.deepEqual(outputs().migrationsToApply, []);
    assert.deepEqual(outputs().migrationsApplied, []);
    assert.deepEqual(accountsRows(), ["0001_initial", "0002_account_timezone", "0003_y"]);
  });

  it("without an SSH agent (a pull request's preview) it is a warning, and no change", () => {
    const socket = ws.env.SSH_AUTH_SOCK;
    delete ws.env.SSH_AUTH_SOCK;
    try {
      const r = preview("--expect-no-changes");
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(
        r.stdout,
        /Live migration check skipped: the server's django_migrations could not be read \(SSH_AUTH_SOCK is not set/,
      );
    } finally {
      ws.env.SSH_AUTH_SOCK = socket;
    }
  });

  it("liveMigrationCheck false turns it off", () => {
    pulumi(ws, ["config", "set", "liveMigrationCheck", "false", "--stack", STACK]);
    try {
      const r = preview();
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /migrate will apply|Live migration check/);
    } finally {
      pulumi(ws, ["config", "rm", "liveMigrationCheck", "--stack", STACK]);
    }
  });
});
