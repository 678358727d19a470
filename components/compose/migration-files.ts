import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

/**
 * Content hash of every migration file in the release, keyed "label.name". Keys follow the
 * analyzer's discovery rules; the hash makes an edited, already-deployed migration show in the diff.
 */
export function migrationFileHashes(projectDir: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".") || entry.name === "__pycache__")
        continue;
      const sub = join(dir, entry.name);
      const migrations = join(sub, "migrations");
      if (existsSync(join(migrations, "__init__.py"))) {
        const label = basename(sub);
        for (const file of readdirSync(migrations, { withFileTypes: true })) {
          const stem = file.name.slice(0, -3);
          if (
            !file.isFile() ||
            !file.name.endsWith(".py") ||
            /^[_~.]/.test(stem) ||
            stem.includes(".")
          ) {
            continue;
          }
          const content = readFileSync(join(migrations, file.name));
          hashes[`${label}.${stem}`] = createHash("sha256")
            .update(content)
            .digest("hex")
            .slice(0, 12);
        }
      }
      walk(sub);
    }
  };
  walk(projectDir);
  return Object.fromEntries(Object.entries(hashes).sort(([a], [b]) => a.localeCompare(b)));
}
