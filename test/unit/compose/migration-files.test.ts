import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import { migrationFileHashes } from "../../../components/compose/migration-files";

const FIXTURE = join(__dirname, "..", "..", "fixtures", "deploy", "django-project");

describe("migrationFileHashes", () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), "migfiles-"));
    dirs.push(dir);
    cpSync(FIXTURE, dir, { recursive: true });
    return dir;
  };

  it("keys are label.name for migration files of migrations packages, sorted; values 12 hex", () => {
    const hashes = migrationFileHashes(FIXTURE);
    assert.deepEqual(Object.keys(hashes), [
      "accounts.0001_initial",
      "accounts.0002_account_email",
      "orders.0001_initial",
    ]);
    for (const value of Object.values(hashes)) assert.match(value, /^[0-9a-f]{12}$/);
  });

  it("ignores _x.py, ~x.py, .x.py, x.y.py, non-.py files, subdirectories and __pycache__", () => {
    const dir = copy();
    const m = join(dir, "accounts", "migrations");
    writeFileSync(join(m, ".0004_hidden.py"), "");
    writeFileSync(join(m, "0005.orig"), "");
    mkdirSync(join(m, "0006_pkg"));
    writeFileSync(join(m, "0006_pkg", "__init__.py"), "");
    mkdirSync(join(m, "__pycache__"));
    writeFileSync(join(m, "__pycache__", "0001_initial.cpython-311.pyc"), "");
    writeFileSync(join(m, "0001_initial.pyc"), "");
    assert.deepEqual(Object.keys(migrationFileHashes(dir)), [
      "accounts.0001_initial",
      "accounts.0002_account_email",
      "orders.0001_initial",
    ]);
  });

  it("a directory named migrations can itself be an app; the project root never is", () => {
    const dir = copy();
    mkdirSync(join(dir, "migrations", "migrations"), { recursive: true });
    writeFileSync(join(dir, "migrations", "migrations", "__init__.py"), "");
    writeFileSync(join(dir, "migrations", "migrations", "0001_initial.py"), "");
    mkdirSync(join(dir, "migrations_root_files"));
    writeFileSync(join(dir, "0001_root.py"), "");
    assert.deepEqual(Object.keys(migrationFileHashes(dir)), [
      "accounts.0001_initial",
      "accounts.0002_account_email",
      "migrations.0001_initial",
      "orders.0001_initial",
    ]);
  });

  it("an edited migration changes only its own hash", () => {
    const dir = copy();
    const before = migrationFileHashes(dir);
    writeFileSync(join(dir, "accounts", "migrations", "0001_initial.py"), "# edited\n");
    const after = migrationFileHashes(dir);
    assert.notEqual(after["accounts.0001_initial"], before["accounts.0001_initial"]);
    assert.equal(after["accounts.0002_account_email"], before["accounts.0002_account_email"]);
    assert.equal(after["orders.0001_initial"], before["orders.0001_initial"]);
  });

  it("only counts migrations that ship in the release (not a local virtualenv's)", () => {
    const dir = copy();
    const venvApp = join(
      dir,
      "venv",
      "lib",
      "python3.11",
      "site-packages",
      "django",
      "contrib",
      "auth",
    );
    mkdirSync(join(venvApp, "migrations"), { recursive: true });
    writeFileSync(join(venvApp, "migrations", "__init__.py"), "");
    writeFileSync(join(venvApp, "migrations", "0001_initial.py"), "");
    assert.deepEqual(Object.keys(migrationFileHashes(dir)), [
      "accounts.0001_initial",
      "accounts.0002_account_email",
      "orders.0001_initial",
    ]);
  });
});
