/** Migrations that `manage.py migrate` reported as applied ("  Applying billing.0003_x... OK"). */
export function parseAppliedMigrations(stdout: string): string[] {
  const applied: string[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^\s*Applying ([A-Za-z0-9_]+\.[A-Za-z0-9_]+)\.\.\.(?: OK| FAKED)?/.exec(line);
    if (match) applied.push(match[1]);
  }
  return applied;
}
