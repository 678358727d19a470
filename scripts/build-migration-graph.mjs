// Compiles the migration-graph analyzer (and its benchmark) to JavaScript in bin/, so the CLI
// starts without a TypeScript transpiler. The build is skipped when bin/ was made from exactly
// the current sources: a fingerprint of every input is stored next to the output, so a stale
// build is never used silently (`npm run migration-graph` and the tests call ensureBuilt()).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE_DIRS = ["components/migrations", "test/fixtures/migrations"];
// The compiler's version and options change the output too.
const INPUT_FILES = [
  "scripts/bench-migrations.ts",
  "scripts/bench-migrations-child.ts",
  "tsconfig.json",
  "tsconfig.build.json",
  "node_modules/typescript/package.json",
];
const STAMP = join(repo, "bin", ".migration-graph-sources");

/** The compiled CLI, relative to the repository. */
export const CLI = join(repo, "bin", "components", "migrations", "cli.js");

function tsFiles(dir) {
  const out = [];
  for (const entry of readdirSync(join(repo, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** A hash of the name and content of every input of the build (a few ms for ~30 files). */
export function sourceFingerprint() {
  const hash = createHash("sha256");
  const files = [...SOURCE_DIRS.flatMap(tsFiles), ...INPUT_FILES].sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    if (existsSync(join(repo, file))) hash.update(readFileSync(join(repo, file)));
  }
  return hash.digest("hex");
}

function builtFingerprint() {
  try {
    return readFileSync(STAMP, "utf8");
  } catch {
    return null;
  }
}

/** Builds bin/ unless it already matches the sources; throws when tsc fails. */
export function ensureBuilt() {
  const wanted = sourceFingerprint();
  if (builtFingerprint() === wanted && existsSync(CLI)) return;
  const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(repo, "tsconfig.build.json")], {
    cwd: repo,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${r.status})`);
  writeFileSync(STAMP, wanted);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `npm ci --omit=dev` (no TypeScript) must still install; the launcher builds on first use.
  if (process.argv.includes("--if-typescript") && !existsSync(join(repo, INPUT_FILES.at(-1)))) {
    console.error("migration-graph: TypeScript is not installed; bin/ not built");
    process.exit(0);
  }
  try {
    ensureBuilt();
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
