import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  parseBackups,
  parseContainers,
  parseMigrationPlan,
  parseReleases,
} from "../../../components/ops/remote-output";
import { rollbackMigrations } from "../../../components/ops/rollback-plan";

describe("remote output parsers", () => {
  it("releases: the current link's target and the list, newest first", () => {
    assert.deepEqual(
      parseReleases("/srv/app/releases/bbb\n---\n1700000000.5 aaa\n1700000100.25 bbb\n"),
      {
        current: "bbb",
        releases: [
          { id: "bbb", mtime: 1700000100.25 },
          { id: "aaa", mtime: 1700000000.5 },
        ],
      },
    );
    assert.deepEqual(parseReleases("---\n"), { current: undefined, releases: [] });
    assert.throws(() => parseReleases("garbage"), /Unexpected output listing releases/);
  });

  it("backups, newest first", () => {
    assert.deepEqual(parseBackups("1700000000.1 863 a.dump\n1700000200.9 4096 b.dump\n"), [
      { file: "b.dump", bytes: 4096, mtime: 1700000200.9 },
      { file: "a.dump", bytes: 863, mtime: 1700000000.1 },
    ]);
    assert.deepEqual(parseBackups(""), []);
  });

  it("containers: compose's JSON array and its one-object-per-line form", () => {
    const web = {
      Service: "web",
      Name: "p-web-1",
      State: "running",
      Health: "healthy",
      Status: "Up 2 minutes (healthy)",
      Image: "app:1",
    };
    const db = {
      Service: "db",
      Name: "p-db-1",
      State: "exited",
      Health: "",
      Status: "Exited (0)",
      Image: "pg",
    };
    const expected = [
      {
        service: "db",
        name: "p-db-1",
        state: "exited",
        health: "",
        status: "Exited (0)",
        image: "pg",
      },
      {
        service: "web",
        name: "p-web-1",
        state: "running",
        health: "healthy",
        status: "Up 2 minutes (healthy)",
        image: "app:1",
      },
    ];
    assert.deepEqual(parseContainers(JSON.stringify([web, db])), expected);
    assert.deepEqual(parseContainers(`${JSON.stringify(web)}\n${JSON.stringify(db)}\n`), expected);
    assert.deepEqual(parseContainers(""), []);
  });

  it("showmigrations --plan", () => {
    assert.deepEqual(
      parseMigrationPlan("[X]  contenttypes.0001_initial\n[ ]  billing.0003_coupon\n"),
      [
        { migration: "contenttypes.0001_initial", applied: true },
        { migration: "billing.0003_coupon", applied: false },
      ],
    );
    assert.throws(() => parseMigrationPlan("Traceback (most recent call last):"), /Unexpected/);
  });
});

describe("rollbackMigrations", () => {
  const plan = (...entries: string[]) =>
    entries.map((e) => ({ migration: e.replace(/^[ X] /, ""), applied: e.startsWith("X") }));

  it("lists the applied migrations the earlier release lacks and one target per app", () => {
    const current = plan(
      "X billing.0001_initial",
      "X billing.0002_wallettransaction",
      "X accounts.0001_initial",
      "X billing.0003_coupon",
      "X reports.0001_initial",
      "  billing.0004_pending",
    );
    const earlier = plan(
      "X billing.0001_initial",
      "X billing.0002_wallettransaction",
      "X accounts.0001_initial",
    );
    assert.deepEqual(rollbackMigrations(current, earlier), {
      newer: ["billing.0003_coupon", "reports.0001_initial"],
      unapply: [
        { app: "reports", to: "zero" },
        { app: "billing", to: "0002_wallettransaction" },
      ],
    });
  });

  it("nothing newer: nothing to unapply", () => {
    const same = plan("X billing.0001_initial");
    assert.deepEqual(rollbackMigrations(same, same), { newer: [], unapply: [] });
  });
});
