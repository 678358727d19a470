// `pulumi preview` with the real engine on a broken migration graph: the three failure shapes
// behind this project fail the preview, naming the migration and the fix, before any SSH login.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  configureStack,
  createWorkspace,
  pulumi,
  REPO,
  STACK,
  startSshd,
  stopSshd,
  type Workspace,
} from "../../scripts/lib/local-stack";

const dir = mkdtempSync(join(tmpdir(), "django-deploy-gate-"));
const sshdDir = join(dir, "sshd");
let ws: Workspace;
let loginsBefore = 0;

function migration(deps: [string, string][]): string {
  const list = deps.map(([a, n]) => `        ("${a}", "${n}"),`).join("\n");
  return `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n\n    dependencies = [\n${list}\n    ]\n\n    operations = []\n`;
}

/** A fresh copy of the example app, changed by `mutate`, then `pulumi preview`. */
function previewWith(mutate: (app: string) => void) {
  rmSync(ws.projectDir, { recursive: true, force: true });
  cpSync(join(REPO, "examples", "django-app"), ws.projectDir, { recursive: true });
  mutate(ws.projectDir);
  return pulumi(ws, ["preview", "--stack", STACK]);
}

function logins(): number {
  return (readFileSync(join(sshdDir, "sshd.log"), "utf8").match(/Accepted publickey/g) ?? [])
    .length;
}

describe(
  "a broken migration graph fails pulumi preview before touching the server",
  { timeout: 10 * 60 * 1000 },
  () => {
    before(() => {
      ws = createWorkspace(dir, { copyExample: true });
      const sshd = startSshd(sshdDir);
      loginsBefore = logins(); // start-sshd.sh checks its own login once
      configureStack(ws, sshd, {
        webPort: 18999,
        remoteDir: "/srv/gate-never-created",
        composeProject: "gate",
      });
    });
    after(() => {
      stopSshd(sshdDir);
      rmSync(dir, { recursive: true, force: true });
    });

    it("a migration whose parent is missing (NodeNotFoundError)", () => {
      const r = previewWith((app) =>
        writeFileSync(
          join(app, "settings", "migrations", "0018_affiliationconfig.py"),
          migration([["settings", "0017_intercomtickettype"]]),
        ),
      );
      assert.notEqual(r.code, 0);
      const out = r.stdout + r.stderr;
      assert.match(
        out,
        /\[node-not-found\] Migration settings\.0018_affiliationconfig depends on settings\.0017_intercomtickettype/,
      );
      assert.match(
        out,
        /Restore the missing migration file or correct the dependency in \S+0018_affiliationconfig\.py:\d+/,
      );
    });

    it("two migrations numbered alike in one app (conflicting leaves)", () => {
      const r = previewWith((app) => {
        for (const name of ["0011_add_phone", "0011_add_avatar"]) {
          writeFileSync(
            join(app, "accounts", "migrations", `${name}.py`),
            migration([["accounts", "0002_account_timezone"]]),
          );
        }
      });
      assert.notEqual(r.code, 0);
      const out = r.stdout + r.stderr;
      assert.match(out, /\[conflict\]/);
      assert.match(out, /0011_add_avatar/);
      assert.match(out, /0011_add_phone/);
      assert.match(out, /makemigrations --merge/);
    });

    it("a dependency on a migration that was renamed in another app", () => {
      const r = previewWith((app) => {
        const m = join(app, "accounts", "migrations");
        renameSync(join(m, "0002_account_timezone.py"), join(m, "0002_account_time_zone.py"));
      });
      assert.notEqual(r.code, 0);
      const out = r.stdout + r.stderr;
      assert.match(
        out,
        /Migration billing\.0002_wallettransaction depends on accounts\.0002_account_timezone/,
      );
    });

    it("none of them logged in to the server", () => {
      assert.equal(logins(), loginsBefore);
    });

    it("and the unchanged example previews cleanly, listing its migrations", () => {
      const r = previewWith(() => {});
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /settings\.0004_default_site_name/);
    });
  },
);
