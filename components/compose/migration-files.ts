import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { relative, sep } from "node:path";
import { discoverApps } from "../migrations/discover";
import { SKIPPED_DIRS } from "./release";

/**
 * Content hash of every migration file in the release, keyed "label.name" (the analyzer's own
 * discovery). The hash makes an edited, already-deployed migration show in the diff too.
 */
export function migrationFileHashes(projectDir: string): Record<string, string> {
  const entries: [string, string][] = [];
  for (const app of discoverApps(projectDir)) {
    // Only apps that ship: a local venv/ or node_modules/ holds apps (Django's own) never uploaded.
    if (
      relative(projectDir, app.dir)
        .split(sep)
        .some((part) => SKIPPED_DIRS.has(part))
    )
      continue;
    for (const file of app.files) {
      const digest = createHash("sha256").update(readFileSync(file.path)).digest("hex");
      entries.push([`${file.label}.${file.name}`, digest.slice(0, 12)]);
    }
  }
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
