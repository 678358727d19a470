import type { PlanEntry } from "./remote-output";

export interface Unapply {
  app: string;
  /** The app's last migration that the earlier release has, or "zero" when it has none. */
  to: string;
}

export interface RollbackMigrations {
  /** Applied now, unknown to the earlier release: "app.name" in the order Django applied them. */
  newer: string[];
  /** One `migrate <app> <to>` per app, latest first, to be run with the current release's code. */
  unapply: Unapply[];
}

const appOf = (migration: string) => migration.slice(0, migration.indexOf("."));
const nameOf = (migration: string) => migration.slice(migration.indexOf(".") + 1);

/**
 * Compares the applied plan of the running release with the plan of the release to go back to.
 * Unapplying needs the current code: only it has the files of the newer migrations.
 */
export function rollbackMigrations(current: PlanEntry[], earlier: PlanEntry[]): RollbackMigrations {
  const known = new Set(earlier.map((e) => e.migration));
  const newer = current.filter((e) => e.applied && !known.has(e.migration)).map((e) => e.migration);
  const unapply: Unapply[] = [];
  for (const migration of [...newer].reverse()) {
    const app = appOf(migration);
    if (unapply.some((u) => u.app === app)) continue;
    const kept = earlier.filter((e) => appOf(e.migration) === app).pop();
    unapply.push({ app, to: kept ? nameOf(kept.migration) : "zero" });
  }
  return { newer, unapply };
}
