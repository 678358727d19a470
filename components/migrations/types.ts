// Shapes shared by the migration analyzer's stages and its callers.

export type FindingCode =
  | "parse-error"
  | "bad-migration"
  | "node-not-found"
  | "circular-dependency"
  | "conflict"
  | "inconsistent-history";

export interface Finding {
  /** One of FindingCode for errors; warnings use their own codes (e.g. "auto-named-migration"). */
  code: string;
  message: string;
  node?: string;
  missing?: string;
  app?: string;
  leaves?: string[];
  file?: string;
  line?: number;
  /** circular-dependency only: the nodes of the cycle, in dependency order. */
  cycle?: string[];
}

export interface AppReport {
  nodes: string[];
  leaves: string[];
}

export interface MigrationReport {
  apps: Record<string, AppReport>;
  plan: string[];
  errors: Finding[];
  warnings: Finding[];
  external: string[];
  /**
   * With `applied` only: applied rows of local apps that name no migration file and no entry of a
   * squash's `replaces` (a file renamed or deleted after it was applied). Sorted.
   */
  appliedWithoutFile?: string[];
}

/** A `(app_label, migration_name)` pair read from a migration file, with where it was written. */
export interface DependencyRef {
  label: string;
  name: string;
  line: number;
}

/** What the analyzer reads from one migration file's `class Migration`. */
export interface MigrationDeclaration {
  dependencies: DependencyRef[];
  runBefore: DependencyRef[];
  replaces: DependencyRef[];
  initial: boolean;
}

export interface MigrationFile {
  label: string;
  name: string;
  /** Path as given by discovery (root joined with the relative path). */
  path: string;
}

/** Thrown for problems with the input itself rather than with the migrations (CLI exit 2). */
export class MigrationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationInputError";
  }
}
