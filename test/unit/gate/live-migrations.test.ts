import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { describe, it } from "node:test";
import { recordMigrationsFix, renamedTo } from "../../../components/live-migration-findings";
import {
  announceMigrationsToApply,
  describeMigrationsToApply,
  liveMigrationCheck,
  planAgainstDatabase,
} from "../../../components/live-migrations";
import { MigrationGraphError } from "../../../components/migration-gate";
import { files, migration, writeProject } from "../migrations/project";

const FIX = { stack: "prod", webService: "web" };

/** accounts: 0001_initial <- 0002_b <- 0003_y */
const ACCOUNTS = writeProject(
  files("accounts", {
    "0001_initial": migration(),
    "0002_b": migration([["accounts", "0001_initial"]]),
    "0003_y": migration([["accounts", "0002_b"]]),
  }),
);

function failure(root: string, applied: string[]): string {
  try {
    planAgainstDatabase(root, { kind: "rows", applied }, FIX);
  } catch (err) {
    assert.ok(err instanceof MigrationGraphError, String(err));
    return err.message;
  }
  assert.fail("the live check let the disagreement through");
}

describe("the release's migrations against the server's django_migrations", () => {
  it("recordMigrationsFix: Django's recorder, in one transaction, through ops exec", () => {
    assert.equal(
      recordMigrationsFix(FIX, { record: "accounts.0003_y", remove: "accounts.0003_x" }),
      "npm run ops -- exec web --stack prod -- python manage.py shell -c " +
        "'from django.db import connection, transaction; from django.db.migrations.recorder import MigrationRecorder; " +
        'r = MigrationRecorder(connection); transaction.atomic()(lambda: [r.record_applied("accounts", "0003_y"), ' +
        'r.record_unapplied("accounts", "0003_x")])()\'',
    );
    assert.equal(
      recordMigrationsFix(FIX, { remove: "accounts.0003_x" }),
      "npm run ops -- exec web --stack prod -- python manage.py shell -c " +
        "'from django.db import connection, transaction; from django.db.migrations.recorder import MigrationRecorder; " +
        'r = MigrationRecorder(connection); transaction.atomic()(lambda: [r.record_unapplied("accounts", "0003_x")])()\'',
    );
  });

  it("renamedTo: the same app and number, first of its app in the plan", () => {
    const plan = ["billing.0003_c", "accounts.0003_y", "accounts.0004_z"];
    assert.equal(renamedTo("accounts.0003_x", plan), "accounts.0003_y");
    assert.equal(renamedTo("accounts.0004_x", plan), undefined, "0004_z waits on 0003_y");
    assert.equal(renamedTo("accounts.0002_x", plan), undefined);
    assert.equal(renamedTo("shop.0003_x", plan), undefined);
    assert.equal(renamedTo("accounts.initial", plan), undefined);
  });

  it("a renamed applied migration fails, naming both and the record-in-place-of fix", () => {
    const message = failure(ACCOUNTS, [
      "contenttypes.0001_initial",
      "accounts.0001_initial",
      "accounts.0002_b",
      "accounts.0003_x",
    ]);
    assert.match(message, /nothing was deployed/);
    assert.match(
      message,
      /accounts\.0003_x is recorded as applied in the server's database, but the release has no 0003_x\.py in app accounts's migrations; it has accounts\.0003_y/,
    );
    assert.match(message, /it looks like 0003_x was renamed to 0003_y/);
    assert.match(
      message,
      /check that the database's schema already has accounts\.0003_y's changes/,
    );
    assert.ok(
      message.includes(
        "\n      npm run ops -- rename-migration accounts 0003_x 0003_y --yes --stack prod\n",
      ),
      message,
    );
    assert.match(message, /Django's `migrate accounts 0003_y --fake` cannot/);
  });

  it("a deleted applied migration fails, with restoring the file or removing the row as fixes", () => {
    const message = failure(ACCOUNTS, [
      "accounts.0001_initial",
      "accounts.0002_b",
      "accounts.0003_y",
      "accounts.0004_gone",
    ]);
    assert.match(
      message,
      /accounts\.0004_gone is recorded as applied .* no 0004_gone\.py in app accounts's migrations \(deleted or renamed\)/,
    );
    assert.doesNotMatch(message, /looks like/);
    assert.ok(
      message.includes(recordMigrationsFix(FIX, { remove: "accounts.0004_gone" })),
      message,
    );
  });

  it("an inconsistent history fails, naming child, parent and the record fix", () => {
    const message = failure(ACCOUNTS, ["accounts.0001_initial", "accounts.0003_y"]);
    assert.match(
      message,
      /Inconsistent migration history on the server: accounts\.0003_y is recorded as applied but its dependency accounts\.0002_b is not/,
    );
    assert.ok(message.includes(recordMigrationsFix(FIX, { record: "accounts.0002_b" })), message);
  });

  it("rows of other apps are ignored; the plan is what migrate applies, in its order", () => {
    const toApply = planAgainstDatabase(
      ACCOUNTS,
      {
        kind: "rows",
        applied: ["contenttypes.0001_initial", "auth.0001_initial", "accounts.0001_initial"],
      },
      FIX,
    );
    assert.deepEqual(toApply, { known: true, migrations: ["accounts.0002_b", "accounts.0003_y"] });
    assert.equal(
      describeMigrationsToApply(toApply),
      "migrate will apply 2: accounts.0002_b, accounts.0003_y",
    );
  });

  it("announceMigrationsToApply: migrate's words as info, or the reason as a warning", () => {
    assert.deepEqual(
      announceMigrationsToApply({ known: true, migrations: ["billing.0003_coupon"] }),
      {
        severity: "info",
        text: "migrate will apply 1: billing.0003_coupon\n  Applying billing.0003_coupon",
      },
    );
    assert.deepEqual(announceMigrationsToApply({ known: true, migrations: [] }), {
      severity: "info",
      text: "migrate will apply nothing",
    });
    const skipped = announceMigrationsToApply({ known: false, reason: "no release is current" });
    assert.equal(skipped.severity, "warn");
    assert.match(
      skipped.text,
      /^Live migration check skipped: no release is current\. Only the release's migration files were checked/,
    );
  });

  it("the rows a squash replaces are not gone, even when their files are", () => {
    const root = writeProject(
      files("shop", {
        "0001_squashed_0002": migration([], {
          replaces: [
            ["shop", "0001_initial"],
            ["shop", "0002_b"],
          ],
        }),
        "0003_c": migration([["shop", "0001_squashed_0002"]]),
      }),
    );
    assert.deepEqual(
      planAgainstDatabase(
        root,
        { kind: "rows", applied: ["shop.0001_initial", "shop.0002_b"] },
        FIX,
      ),
      { known: true, migrations: ["shop.0003_c"] },
    );
  });

  it("no table yet: everything applies; no release or no database: unknown, with the reason", () => {
    assert.deepEqual(planAgainstDatabase(ACCOUNTS, { kind: "no-table" }, FIX), {
      known: true,
      migrations: ["accounts.0001_initial", "accounts.0002_b", "accounts.0003_y"],
    });
    assert.deepEqual(planAgainstDatabase(ACCOUNTS, { kind: "no-release" }, FIX), {
      known: false,
      reason: "no release is current on the server (a first deploy)",
    });
    assert.match(
      describeMigrationsToApply(planAgainstDatabase(ACCOUNTS, { kind: "no-database" }, FIX)),
      /^migrations to apply unknown: the database service is not running/,
    );
  });

  const settings = (port: number) => ({
    ...FIX,
    host: "127.0.0.1",
    port,
    user: "deploy",
    hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    dialTimeoutSeconds: 1,
    projectDir: ACCOUNTS,
    remoteDir: "/srv/app",
    composeFile: "docker-compose.yml",
    composeProject: "app",
    dockerEnv: {},
    backupService: "db",
  });

  it("without an SSH agent (a pull request's preview) the answer is unknown, not a failure", async () => {
    const toApply = await liveMigrationCheck(settings(22), {});
    assert.equal(toApply.known, false);
    assert.match(
      describeMigrationsToApply(toApply),
      /could not be read \(SSH_AUTH_SOCK is not set/,
    );
  });

  it("a server that accepts the connection and never answers is given up on within the dial timeout", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    const started = Date.now();
    try {
      // Any existing path passes the agent check; the handshake never gets as far as the agent.
      const toApply = await liveMigrationCheck(settings(port), { SSH_AUTH_SOCK: __filename });
      assert.equal(toApply.known, false);
      assert.match(
        describeMigrationsToApply(toApply),
        /could not be read \(Cannot sign in to deploy@127\.0\.0\.1/,
      );
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
