// The `--applied` file: one app_label.migration_name per line; blank and `#` lines ignored.
import { MigrationInputError } from "./types";

export function parseAppliedList(text: string, source = "applied list"): string[] {
  const out: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    if (!line.includes(".")) {
      throw new MigrationInputError(
        `${source}:${i + 1}: "${line}" is not app_label.migration_name; write one applied migration per line, e.g. accounts.0001_initial.`,
      );
    }
    out.push(line);
  }
  return out;
}
