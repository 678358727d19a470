// A migration whose dependencies cannot be evaluated statically is a warning, never a reason to
// fail: the errors its unknown edges could explain (a second leaf or conflict in its app, a cycle
// through it) are not reported, and the CLI exits 0 (contract, "Reading a migration file").
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { analyzeMigrations } from "../../../components/migrations";
import { runCli } from "./compiled-cli";
import { files, migration, writeProject } from "./project";

/** `dependencies = DEPS` where DEPS is bound twice: Django sees 0002 after 0001, we cannot. */
const BOUND_TWICE =
  "from django.db import migrations\n" +
  "DEPS = [('shop', '0001_initial')]\n" +
  "DEPS = [('shop', '0001_initial')]\n\n" +
  "class Migration(migrations.Migration):\n" +
  "    dependencies = DEPS\n";

const BOUND_ONCE =
  "from django.db import migrations\n" +
  "BASE = [('shop', '0001_initial')]\n" +
  "USER = ('pay', '0001_initial')\n" +
  "DEPS = BASE + [USER]\n\n" +
  "class Migration(migrations.Migration):\n" +
  "    dependencies = DEPS\n";

test("a module-level constant bound once is resolved: no warning, no false conflict", () => {
  const root = writeProject({
    ...files("shop", { "0001_initial": migration(), "0002_dyn": BOUND_ONCE }),
    ...files("pay", { "0001_initial": migration() }),
  });
  const report = analyzeMigrations(root);
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.warnings, []);
  assert.deepEqual(report.apps.shop.leaves, ["0002_dyn"]);
  assert.ok(report.plan.indexOf("pay.0001_initial") < report.plan.indexOf("shop.0002_dyn"));
});

test("a name bound twice: warning with file and line, the conflict it could explain is not an error", () => {
  const root = writeProject(
    files("shop", { "0001_initial": migration(), "0002_dyn": BOUND_TWICE }),
  );
  const report = analyzeMigrations(root);
  assert.deepEqual(report.errors, []);
  assert.equal(report.warnings.length, 1);
  const w = report.warnings[0];
  assert.equal(w.code, "unreadable-dependencies");
  assert.equal(w.node, "shop.0002_dyn");
  assert.equal(w.file, join(root, "shop", "migrations", "0002_dyn.py"));
  assert.equal(w.line, 6);
  assert.deepEqual(w.leaves, ["0001_initial", "0002_dyn"]);
  assert.ok(w.message.startsWith(`${w.file}:6: `), w.message);
  assert.match(w.message, /DEPS is bound more than once, at lines 2, 3/);
  assert.match(w.message, /the check of app "shop" is incomplete/);
  assert.match(w.message, /2 leaves \(0001_initial, 0002_dyn\)/);
  assert.deepEqual(report.plan, ["shop.0001_initial", "shop.0002_dyn"]);
});

test("a conflict in another app, without unreadable migrations, is still an error", () => {
  const root = writeProject({
    ...files("shop", { "0001_initial": migration(), "0002_dyn": BOUND_TWICE }),
    ...files("pay", {
      "0001_initial": migration(),
      "0002_a": migration([["pay", "0001_initial"]]),
      "0002_b": migration([["pay", "0001_initial"]]),
    }),
  });
  const report = analyzeMigrations(root);
  assert.deepEqual(
    report.errors.map((e) => [e.code, e.app]),
    [["conflict", "pay"]],
  );
});

test("a cycle through the unreadable migration is folded into its warning; the plan still ends", () => {
  // 0002_a's list has one item that cannot be read; the edge to 0002_b that can be read closes
  // a cycle with 0002_b -> 0002_a.
  const partlyRead =
    "from django.db import migrations\n" +
    "if True:\n    OTHER = ('shop', '0001_initial')\n\n" +
    "class Migration(migrations.Migration):\n" +
    "    dependencies = [('shop', '0002_b'), OTHER]\n";
  const root = writeProject(
    files("shop", {
      "0001_initial": migration(),
      "0002_a": partlyRead,
      "0002_b": migration([["shop", "0002_a"]]),
    }),
  );
  const report = analyzeMigrations(root);
  assert.deepEqual(report.errors, []);
  assert.equal(report.warnings.length, 1);
  const w = report.warnings[0];
  assert.equal(w.node, "shop.0002_a");
  assert.equal(w.line, 6);
  assert.deepEqual(w.cycle, ["shop.0002_a", "shop.0002_b"]);
  assert.match(
    w.message,
    /form a cycle \(shop\.0002_a is needed by shop\.0002_b is needed by shop\.0002_a\)/,
  );
  // Every node of the cycle has a child in its app, so only 0001_initial is a leaf to plan from.
  assert.deepEqual(report.plan, ["shop.0001_initial"]);
});

test("a cycle that avoids the unreadable migration is still an error", () => {
  const root = writeProject(
    files("shop", {
      "0001_initial": migration(),
      "0002_dyn": BOUND_TWICE,
      "0003_a": migration([["shop", "0003_b"]]),
      "0003_b": migration([["shop", "0003_a"]]),
    }),
  );
  const report = analyzeMigrations(root);
  assert.deepEqual(
    report.errors.map((e) => e.code),
    ["circular-dependency"],
  );
});

test("the CLI exits 0 and prints the warning in its JSON", () => {
  const root = writeProject(
    files("shop", { "0001_initial": migration(), "0002_dyn": BOUND_TWICE }),
  );
  const r = runCli([root, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.errors, []);
  assert.deepEqual(
    out.warnings.map((w: { code: string; line: number }) => [w.code, w.line]),
    [["unreadable-dependencies", 6]],
  );
});
