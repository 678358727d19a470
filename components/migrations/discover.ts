// Finds Django apps (directories D strictly below the root with D/migrations/__init__.py) and
// their migration files, following the contract's discovery rules.
import { readdirSync, statSync, type Dirent } from "node:fs";
import { join } from "node:path";
import { MigrationInputError, type MigrationFile } from "./types";

export interface DiscoveredApp {
  label: string;
  dir: string;
  files: MigrationFile[];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** A migration module name: `<stem>.py` where the stem has no `.` and does not start with `_`, `~`, `.`. */
export function migrationNameOf(fileName: string): string | null {
  if (!fileName.endsWith(".py")) return null;
  const stem = fileName.slice(0, -3);
  if (stem === "" || stem.includes(".")) return null;
  const first = stem[0];
  if (first === "_" || first === "~") return null;
  return stem;
}

function migrationFiles(label: string, migrationsDir: string): MigrationFile[] {
  const files: MigrationFile[] = [];
  for (const entry of listDir(migrationsDir)) {
    const name = migrationNameOf(entry.name);
    if (name === null) continue;
    const path = join(migrationsDir, entry.name);
    // A symlink to a regular file counts as a regular file.
    if (entry.isFile() || (entry.isSymbolicLink() && isFile(path)))
      files.push({ label, name, path });
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Walks `root` iteratively (deep trees cannot overflow the stack); apps are sorted by label. */
export function discoverApps(root: string): DiscoveredApp[] {
  const apps: DiscoveredApp[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    for (const entry of listDir(dir)) {
      if (!entry.isDirectory()) continue;
      if (entry.name.startsWith(".") || entry.name === "__pycache__") continue;
      const child = join(dir, entry.name);
      const migrationsDir = join(child, "migrations");
      if (isFile(join(migrationsDir, "__init__.py"))) {
        apps.push({
          label: entry.name,
          dir: child,
          files: migrationFiles(entry.name, migrationsDir),
        });
      }
      stack.push(child);
    }
  }
  apps.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  for (let i = 1; i < apps.length; i++) {
    if (apps[i].label === apps[i - 1].label) {
      throw new MigrationInputError(
        `two Django apps share the label "${apps[i].label}": ${apps[i - 1].dir} and ${apps[i].dir}. ` +
          `Django requires unique app labels; rename one directory or give it an AppConfig.label.`,
      );
    }
  }
  return apps;
}
