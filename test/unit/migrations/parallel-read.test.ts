// Files read on worker threads give exactly the report the main thread alone gives, including
// parse errors, warnings and the parse cache.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeMigrations, type MigrationReport } from "../../../components/migrations";
import { multiAppProject } from "../../fixtures/migrations/generate";
import { tempDir } from "./project";

function withThreads(threads: number, analyze: () => MigrationReport): MigrationReport {
  const before = process.env.MIGRATION_GRAPH_THREADS;
  process.env.MIGRATION_GRAPH_THREADS = String(threads);
  try {
    return analyze();
  } finally {
    if (before === undefined) delete process.env.MIGRATION_GRAPH_THREADS;
    else process.env.MIGRATION_GRAPH_THREADS = before;
  }
}

// 1,600 real-world-like modules (MIGRATION_GRAPH_THREADS overrides the automatic choice, which
// would use one thread here); two files broken in different ways.
const project = multiAppProject(40, 40, true);
const migrations = join(project.root, "app007", "migrations");
writeFileSync(join(migrations, "0040_change.py"), "class Migration(:\n");
writeFileSync(
  join(migrations, "0039_change.py"),
  "from django.db import migrations\nfrom .x import DEPS\n\nclass Migration(migrations.Migration):\n    dependencies = DEPS\n",
);

test("2 and 4 threads give the report of 1 thread", () => {
  const alone = withThreads(1, () => analyzeMigrations(project.root));
  assert.equal(alone.errors[0]?.code, "parse-error");
  assert.equal(alone.warnings[0]?.code, "unreadable-dependencies");
  for (const threads of [2, 4]) {
    assert.deepEqual(
      withThreads(threads, () => analyzeMigrations(project.root)),
      alone,
    );
  }
});

test("with the parse cache, a parallel first run and a cached second run agree", () => {
  const before = process.env.MIGRATION_GRAPH_CACHE_DIR;
  process.env.MIGRATION_GRAPH_CACHE_DIR = tempDir("migration-graph-parallel-cache-");
  try {
    const alone = withThreads(1, () => analyzeMigrations(project.root));
    const first = withThreads(2, () => analyzeMigrations(project.root, { cache: true }));
    const cached = withThreads(2, () => analyzeMigrations(project.root, { cache: true }));
    assert.deepEqual(first, alone);
    assert.deepEqual(cached, alone);
  } finally {
    if (before === undefined) delete process.env.MIGRATION_GRAPH_CACHE_DIR;
    else process.env.MIGRATION_GRAPH_CACHE_DIR = before;
  }
});
