// The library surface the deploy program uses: formatFindings, migrationNames, warnings, cache.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  analyzeMigrations,
  formatFindings,
  migrationNames,
  MigrationInputError,
  parseAppliedList,
} from "../../../components/migrations";
import { files, migration, tempDir, writeProject } from "./project";

test("migrationNames lists every node as label.name in (label, name) order", () => {
  const root = writeProject({
    ...files("shop", {
      "0001_initial": migration(),
      "0002_x": migration([["shop", "0001_initial"]]),
    }),
    ...files("accounts", { "0001_initial": migration() }),
    ...files("accounts_extra", { "0001_initial": migration() }),
  });
  assert.deepEqual(migrationNames(analyzeMigrations(root)), [
    "accounts.0001_initial",
    "accounts_extra.0001_initial",
    "shop.0001_initial",
    "shop.0002_x",
  ]);
});

test("formatFindings lists every error and warning, one per line", () => {
  const root = writeProject(
    files("accounts", {
      "0010_base": migration(),
      "0011_a": migration([["accounts", "0010_base"]]),
      "0011_auto_20251130_0000": migration([["accounts", "0010_base"]]),
    }),
  );
  const report = analyzeMigrations(root);
  const text = formatFindings(report);
  const lines = text.split("\n");
  assert.equal(lines[0], "Migration graph: 1 error(s), 1 warning(s).");
  assert.match(
    lines[1],
    /^ {2}error \[conflict\] Conflicting migrations in app "accounts": 0011_a, 0011_auto_20251130_0000/,
  );
  assert.match(lines[1], /makemigrations --merge accounts/);
  assert.match(
    lines[2],
    /^ {2}warning \[auto-named-migration\] .*accounts\.0011_auto_20251130_0000 has an auto-generated name/,
  );
  assert.equal(lines.length, 3);
  assert.deepEqual(
    report.warnings.map((w) => [w.code, w.node]),
    [["auto-named-migration", "accounts.0011_auto_20251130_0000"]],
  );
});

test("formatFindings on a clean report says so", () => {
  const root = writeProject(files("shop", { "0001_initial": migration() }));
  assert.equal(formatFindings(analyzeMigrations(root)), "Migration graph: no problems found.");
});

test("a root that is not a directory and a bad applied entry are input errors", () => {
  assert.throws(
    () => analyzeMigrations(join(tmpdir(), "definitely-not-here-42")),
    MigrationInputError,
  );
  const root = writeProject(files("shop", { "0001_initial": migration() }));
  assert.throws(() => analyzeMigrations(root, { applied: ["shop0001"] }), /has no "\."/);
});

test("parseAppliedList skips blanks and comments and rejects lines without a dot", () => {
  assert.deepEqual(parseAppliedList("# rows\n\nshop.0001_initial\r\n  billing.0002_x  \n"), [
    "shop.0001_initial",
    "billing.0002_x",
  ]);
  assert.throws(
    () => parseAppliedList("shop.0001\nbroken\n", "applied.txt"),
    /applied\.txt:2: "broken"/,
  );
});

test("the parse cache is keyed by content: a changed file is parsed again", () => {
  const cacheDir = tempDir("migration-graph-cache-test-");
  const previous = process.env.MIGRATION_GRAPH_CACHE_DIR;
  process.env.MIGRATION_GRAPH_CACHE_DIR = cacheDir;
  try {
    const root = writeProject(files("shop", { "0001_initial": migration() }));
    const first = analyzeMigrations(root, { cache: true });
    assert.equal(readdirSync(cacheDir).length, 1);
    assert.deepEqual(analyzeMigrations(root, { cache: true }), first);
    writeFileSync(join(root, "shop", "migrations", "0001_initial.py"), "print 'py2'\n");
    const broken = analyzeMigrations(root, { cache: true });
    assert.deepEqual(
      broken.errors.map((e) => [e.code, e.node, e.line]),
      [["parse-error", "shop.0001_initial", 1]],
    );
  } finally {
    if (previous === undefined) delete process.env.MIGRATION_GRAPH_CACHE_DIR;
    else process.env.MIGRATION_GRAPH_CACHE_DIR = previous;
  }
});

test("cache: false writes nothing", () => {
  const cacheDir = join(tempDir("migration-graph-nocache-"), "cache");
  const previous = process.env.MIGRATION_GRAPH_CACHE_DIR;
  process.env.MIGRATION_GRAPH_CACHE_DIR = cacheDir;
  try {
    analyzeMigrations(writeProject(files("shop", { "0001_initial": migration() })), {
      cache: false,
    });
    assert.equal(existsSync(cacheDir), false);
  } finally {
    if (previous === undefined) delete process.env.MIGRATION_GRAPH_CACHE_DIR;
    else process.env.MIGRATION_GRAPH_CACHE_DIR = previous;
  }
});

test("a file that is not UTF-8 is a parse-error", () => {
  const root = writeProject(files("shop", { "0001_initial": migration() }));
  writeFileSync(
    join(root, "shop", "migrations", "0002_latin1.py"),
    Buffer.from([0x23, 0x20, 0xe9, 0x0a]),
  );
  const report = analyzeMigrations(root, { cache: false });
  assert.deepEqual(
    report.errors.map((e) => [e.code, e.node]),
    [["parse-error", "shop.0002_latin1"]],
  );
  assert.match(report.errors[0].message, /not valid UTF-8/);
});

test("a file in a declared encoding (PEP 263) is read in that encoding", () => {
  const root = writeProject(files("shop", { "0001_initial": migration() }));
  const latin1 = Buffer.concat([
    Buffer.from("# -*- coding: latin-1 -*-\n# caf"),
    Buffer.from([0xe9]),
    Buffer.from("\n" + migration([["shop", "0001_initial"]])),
  ]);
  writeFileSync(join(root, "shop", "migrations", "0002_latin1.py"), latin1);
  const report = analyzeMigrations(root, { cache: false });
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.plan, ["shop.0001_initial", "shop.0002_latin1"]);
});
