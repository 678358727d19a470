// A content-addressed cache of FileReadings, so repeated runs (every `pulumi preview`) only
// parse the migration files that changed. The key includes a hash of the parser's own code,
// so a change to the analyzer never reuses an old answer. Failures to read or write the cache
// are ignored: it only ever saves time.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FileReading } from "./read-migration";

const MAX_ENTRIES = 50_000;

function parserFingerprint(): string {
  const hash = createHash("sha256");
  for (const mod of [
    "./python-lexer",
    "./python-syntax",
    "./extract",
    "./module-names",
    "./read-migration",
    "@lezer/python",
  ]) {
    const path = require.resolve(mod);
    hash.update(path);
    hash.update(readFileSync(path));
  }
  return hash.digest("hex").slice(0, 16);
}

/** The directory of the nearest package.json: the same from the sources and from bin/. */
function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export function defaultCacheDir(): string {
  return (
    process.env.MIGRATION_GRAPH_CACHE_DIR ??
    join(packageRoot(), "node_modules", ".cache", "migration-graph")
  );
}

export class ParseCache {
  private readonly entries = new Map<string, FileReading>();
  private readonly used = new Set<string>();
  private changed = false;
  private readonly file: string | null;

  constructor(dir: string | null) {
    let file: string | null = null;
    if (dir !== null) {
      try {
        file = join(dir, `readings-${parserFingerprint()}.json`);
        const stored = JSON.parse(readFileSync(file, "utf8")) as Record<string, FileReading>;
        for (const [k, v] of Object.entries(stored)) this.entries.set(k, v);
      } catch {
        // No cache yet, or unreadable: start empty.
      }
    }
    this.file = file;
  }

  /** Whether readings are kept across runs (else there is nothing to look up). */
  get persistent(): boolean {
    return this.file !== null;
  }

  get(key: string): FileReading | undefined {
    const hit = this.entries.get(key);
    if (hit) this.used.add(key);
    return hit;
  }

  set(key: string, reading: FileReading): void {
    this.entries.set(key, reading);
    this.used.add(key);
    this.changed = true;
  }

  save(): void {
    if (!this.file || !this.changed) return;
    const keep = this.entries.size > MAX_ENTRIES ? [...this.used] : [...this.entries.keys()];
    const out: Record<string, FileReading> = {};
    for (const k of keep) out[k] = this.entries.get(k) as FileReading;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(out));
      renameSync(tmp, this.file);
    } catch {
      // A read-only checkout or a full disk only costs speed.
    }
  }
}
