// Test helpers: write a throwaway Django-like project into a temp dir.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const created: string[] = [];
process.on("exit", () => {
  for (const root of created) rmSync(root, { recursive: true, force: true });
});

/** A new empty temp dir, removed when the process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Writes `files` (relative path -> content) under a new temp dir (removed at exit). */
export function writeProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "migration-graph-test-"));
  created.push(root);
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

type Pair = [string, string];

function pairs(items: Pair[]): string {
  return items.map(([a, n]) => `        ("${a}", "${n}"),\n`).join("");
}

/** The source of a migration module with the given attributes, formatted like makemigrations. */
export function migration(
  dependencies: Pair[] = [],
  extra: { replaces?: Pair[]; runBefore?: Pair[] } = {},
): string {
  let body = `    dependencies = [\n${pairs(dependencies)}    ]\n`;
  if (extra.replaces) body += `    replaces = [\n${pairs(extra.replaces)}    ]\n`;
  if (extra.runBefore) body += `    run_before = [\n${pairs(extra.runBefore)}    ]\n`;
  return (
    "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n" +
    body +
    "\n    operations = []\n"
  );
}

/** `{ "app/migrations/__init__.py": "" }` for each label. */
export function packages(...labels: string[]): Record<string, string> {
  return Object.fromEntries(labels.map((l) => [`${l}/migrations/__init__.py`, ""]));
}

/** Shorthand: `files("shop", { "0001_initial": migration() })`. */
export function files(label: string, modules: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { [`${label}/migrations/__init__.py`]: "" };
  for (const [name, src] of Object.entries(modules)) out[`${label}/migrations/${name}.py`] = src;
  return out;
}
