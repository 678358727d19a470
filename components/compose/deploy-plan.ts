import type { DeployRecord } from "./deploy-record";
import type { StepId } from "./steps";

/** The migrations `migrate` will apply, and where that list comes from. */
export interface MigrationsToApply {
  names: string[];
  /** e.g. "new since the last deploy", or what the live database still lacks. */
  source: string;
}

export const NEW_SINCE_LAST_DEPLOY = "new since the last deploy";
export const LACKING_IN_DATABASE = "not yet in the server's database";

export interface LegacyDeploy {
  release: string;
  /** Names of the migrations in that release. */
  migrations: string[];
}

export interface DeployPlanSummaryInput {
  /** What this deploy will leave: built from the same steps the resources are. */
  next: DeployRecord;
  /** The last deploy's record; undefined on a first deploy (or one by an older version). */
  previous?: DeployRecord;
  /** What a deploy by an older version, which left no record, still tells: its stack outputs. */
  legacy?: LegacyDeploy;
  /** App services and how the start step restarts each. */
  restarts: { service: string; how: string }[];
  infraServices: string[];
  backupEnabled: boolean;
  /** Defaults to the migrations new since the last deploy. */
  migrationsToApply?: MigrationsToApply;
}

/** Migrations in `next` that the last deploy did not have (all of them on a first deploy). */
export function newSinceLastDeploy(
  next: DeployRecord,
  previous?: DeployRecord,
  legacy?: LegacyDeploy,
): MigrationsToApply {
  const before = new Set(previous ? Object.keys(previous.migrations) : (legacy?.migrations ?? []));
  const names = Object.keys(next.migrations)
    .filter((name) => !before.has(name))
    .sort();
  return { names, source: NEW_SINCE_LAST_DEPLOY };
}

const MAX_NAMES = 6;

function list(names: string[]): string {
  if (names.length <= MAX_NAMES) return names.join(", ");
  return `${names.slice(0, MAX_NAMES).join(", ")} and ${names.length - MAX_NAMES} more`;
}

function changedKeys(next: Record<string, string>, previous: Record<string, string>): string[] {
  const names = new Set([...Object.keys(next), ...Object.keys(previous)]);
  return [...names].filter((name) => next[name] !== previous[name]).sort();
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * The deploy plan a reviewer reads first, in a few lines: the release, the migrations, the
 * backup, the services that restart and the names of the settings that changed (never a value).
 * A step runs when what makes it run again (its runKey digest) differs from the last deploy's.
 */
export function renderDeployPlan(input: DeployPlanSummaryInput): string {
  const { next, previous } = input;
  const runs = (id: StepId) =>
    next.steps[id] !== undefined && next.steps[id] !== previous?.steps[id];
  const steps = Object.keys(next.steps) as StepId[];
  if (previous && !steps.some(runs)) {
    return `deploy plan: no change; release ${next.release} stays deployed and nothing runs on the server`;
  }

  const lines: string[] = [];
  if (!previous && input.legacy) {
    lines.push(
      `deploy plan: release ${input.legacy.release} → ${next.release} (the last deploy, by an older version, left no record of its files and settings)`,
    );
  } else if (!previous) {
    lines.push(
      `deploy plan: first deploy, release ${next.release} (${plural(Object.keys(next.files).length, "file")})`,
    );
  } else if (previous.release === next.release) {
    lines.push(`deploy plan: release ${next.release} again (no file changed)`);
  } else {
    const changed = changedKeys(next.files, previous.files).length;
    lines.push(
      `deploy plan: release ${previous.release} → ${next.release} (${plural(changed, "file")} changed)`,
    );
  }

  const migrations = input.migrationsToApply ?? newSinceLastDeploy(next, previous, input.legacy);
  lines.push(
    migrations.names.length === 0
      ? `  no migrations to apply (${migrations.source}: none)`
      : runs("migrate")
        ? `  migrations to apply (${migrations.source}): ${list(migrations.names)}`
        : // The live database can lack migrations the release had at its last deploy (someone ran
          // `ops migrate` back); migrate runs only when the release's migrations change.
          `  migrate does not run, yet ${plural(migrations.names.length, "migration")} ${migrations.source}: ${list(migrations.names)} (apply with \`npm run ops -- migrate <app> <name> --yes\`)`,
  );
  if (previous) {
    const edited = Object.keys(next.migrations).filter(
      (name) =>
        previous.migrations[name] !== undefined &&
        previous.migrations[name] !== next.migrations[name],
    );
    if (edited.length > 0) {
      lines.push(
        `  migration files edited since the last deploy (Django does not apply them again): ${list(edited.sort())}`,
      );
    }
  }

  if (!input.backupEnabled) lines.push("  backup before migrate: no (backupBeforeMigrate is off)");
  else if (runs("backup")) lines.push("  backup before migrate: yes");
  else lines.push("  backup before migrate: no (no migration changed)");
  if (runs("infra-backup")) {
    lines.push(
      `  backup before the infra change: yes (${input.infraServices.join(", ")}: definitions changed)`,
    );
  }

  const services: string[] = [];
  if (runs("start")) {
    const byHow = new Map<string, string[]>();
    for (const { service, how } of input.restarts) {
      byHow.set(how, [...(byHow.get(how) ?? []), service]);
    }
    for (const [how, names] of byHow) services.push(`${names.join(", ")} (${how})`);
  }
  if (runs("infra")) {
    services.push(
      `${input.infraServices.join(", ")} (recreated only if their definitions changed)`,
    );
  }
  lines.push(`  services: ${services.length > 0 ? services.join("; ") : "none restart"}`);

  const settings = previous
    ? changedKeys(next.settings, previous.settings)
    : Object.keys(next.settings).sort();
  lines.push(
    `  settings ${previous ? "changed" : "set"}: ${settings.length > 0 ? list(settings) : "none"}`,
  );
  return lines.join("\n");
}
