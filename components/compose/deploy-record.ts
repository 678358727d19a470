import { createHash } from "node:crypto";
import { type DeployStep, runKey, type StepId } from "./steps";

/**
 * What a deploy leaves for the next one to compare with (a stack output, secret): enough to say
 * what the next deploy changes, and no value of any setting, only a digest per name.
 */
export interface DeployRecord {
  release: string;
  /** Release file -> short content hash. */
  files: Record<string, string>;
  /** "label.name" -> content hash of the migration file. */
  migrations: Record<string, string>;
  /** Setting name -> short digest of its value. */
  settings: Record<string, string>;
  /** Step id -> digest of everything that makes it run again (runKey). */
  steps: Partial<Record<StepId, string>>;
}

function digest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

/** A short digest per setting: a changed value changes its digest, and tells nothing of it. */
export function settingDigests(settings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(settings)
      .sort()
      .map((name) => [name, digest([name, settings[name]])]),
  );
}

/** The record of a deploy of these steps (built with resolved values, not Outputs). */
export function deployRecord(
  steps: DeployStep[],
  facts: Omit<DeployRecord, "steps">,
): DeployRecord {
  return {
    ...facts,
    steps: Object.fromEntries(steps.map((step) => [step.id, digest(runKey(step))])),
  };
}

/** A stack output read back is untyped: anything but a record's shape counts as no record. */
export function asDeployRecord(value: unknown): DeployRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Partial<DeployRecord>;
  const isMap = (v: unknown) => typeof v === "object" && v !== null;
  if (typeof r.release !== "string") return undefined;
  if (![r.files, r.migrations, r.settings, r.steps].every(isMap)) return undefined;
  return r as DeployRecord;
}
