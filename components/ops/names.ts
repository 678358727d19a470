// What a user may pass to a verb. Every value is shell-quoted anyway; these rules turn a typo into
// a clear error before any connection, and keep a backup name from walking out of backups/.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const RULES = {
  app: { re: /^[A-Za-z_][A-Za-z0-9_]*$/, what: "a Django app label (letters, digits, _)" },
  migration: {
    re: /^[A-Za-z0-9_]+$/,
    what: "a migration name or prefix (e.g. 0002_wallettransaction, 0002) or zero",
  },
  service: {
    re: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    what: "a compose service name (e.g. web)",
  },
  backup: {
    re: /^[A-Za-z0-9][A-Za-z0-9._-]*\.dump$/,
    what: "a file name from `ops backups` (e.g. pre-migrate-abc123.dump), without a directory",
  },
  release: {
    re: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    what: "a release id from `ops status` (e.g. 897a0ddd33bf)",
  },
  since: {
    re: /^[A-Za-z0-9:.+-]+$/,
    what: "a duration or timestamp docker understands (e.g. 10m, 2h, 2025-01-31T12:00:00)",
  },
} as const;

export type NameKind = keyof typeof RULES;

/** The value, or a UsageError naming it and what is allowed. */
export function checkName(kind: NameKind, value: string): string {
  const rule = RULES[kind];
  if (!rule.re.test(value)) {
    throw new UsageError(`${JSON.stringify(value)} is not ${rule.what}.`);
  }
  return value;
}
