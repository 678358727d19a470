import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import { checkMigrationGraph, MigrationGraphError } from "../../../components/migration-gate";

const FIXTURES = join(__dirname, "..", "..", "fixtures", "migrations");
const EXAMPLE = join(__dirname, "..", "..", "..", "examples", "django-app");

const EMPTY_MIGRATION =
  "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = []\n";

/** An app "shop" under `root` with the given migration modules (name -> source). */
function writeShop(root: string, modules: Record<string, string>): void {
  const migrations = join(root, "shop", "migrations");
  mkdirSync(migrations, { recursive: true });
  writeFileSync(join(migrations, "__init__.py"), "");
  for (const [name, src] of Object.entries(modules))
    writeFileSync(join(migrations, `${name}.py`), src);
}

function failure(root: string, failOnWarnings = false): string {
  try {
    checkMigrationGraph(root, { failOnWarnings });
  } catch (err) {
    assert.ok(err instanceof MigrationGraphError, String(err));
    return err.message;
  }
  assert.fail("the gate let a broken graph through");
}

describe("checkMigrationGraph, the preview-time gate", () => {
  it("passes the example project and returns its report", () => {
    const report = checkMigrationGraph(EXAMPLE, { failOnWarnings: true });
    assert.deepEqual(report.errors, []);
    assert.ok(report.plan.includes("billing.0002_wallettransaction"));
  });

  it("stops on a missing parent, naming both and the fix", () => {
    const message = failure(join(FIXTURES, "missing-parent"));
    assert.match(message, /nothing was deployed/);
    assert.match(message, /settings\.0018_\w+ depends on settings\.0017_\w+/);
    assert.match(message, /Restore the missing migration file or correct the dependency/);
  });

  it("stops on conflicting leaves with makemigrations --merge as the fix", () => {
    assert.match(failure(join(FIXTURES, "conflict")), /\[conflict\][\s\S]*makemigrations --merge/);
  });

  const dir = mkdtempSync(join(tmpdir(), "gate-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it("lets warnings through unless failOnWarnings is set", () => {
    writeShop(dir, { "0001_auto_20251130_0000": EMPTY_MIGRATION });
    assert.equal(checkMigrationGraph(dir, { failOnWarnings: false }).warnings.length, 1);
    assert.match(failure(dir, true), /warning \[auto-named-migration\]/);
  });
});

describe("checkMigrationGraph with dependencies it cannot read", () => {
  const dir = mkdtempSync(join(tmpdir(), "gate-unreadable-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it("lets the deploy through, warning which app's check is incomplete and why", () => {
    writeShop(dir, {
      "0001_initial": EMPTY_MIGRATION,
      "0002_dyn":
        "from django.db import migrations\nfrom .common import DEPS\n\n\nclass Migration(migrations.Migration):\n    dependencies = DEPS\n",
    });
    const report = checkMigrationGraph(dir, { failOnWarnings: false });
    assert.deepEqual(report.errors, []);
    const [warning] = report.warnings;
    assert.equal(warning.code, "unreadable-dependencies");
    assert.match(warning.message, /0002_dyn\.py:6: /);
    assert.match(warning.message, /DEPS is bound by an import, at line 2/);
    assert.match(warning.message, /the check of app "shop" is incomplete/);
    assert.match(failure(dir, true), /warning \[unreadable-dependencies\]/);
  });
});
