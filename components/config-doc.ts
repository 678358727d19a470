import { CONFIG_KEYS } from "./config-schema";

/**
 * The `config:` block of Pulumi.yaml, derived from CONFIG_KEYS. Maps carry no `type` because
 * Pulumi's project schema has no object type; the program validates them.
 */
export function projectConfigBlock(project: string): Record<string, Record<string, unknown>> {
  const block: Record<string, Record<string, unknown>> = {};
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    const entry: Record<string, unknown> = {};
    if (spec.kind === "array") {
      entry.type = "array";
      entry.items = { type: "string" };
    } else if (spec.kind !== "object") {
      entry.type = spec.kind;
    }
    entry.description = spec.description;
    if ("default" in spec) entry.default = spec.default;
    // Pulumi insists a declared secret's default be encrypted too, so optional secrets (empty
    // default) are only checked by the program; a required one is enforced by Pulumi as well.
    if ("secret" in spec && spec.secret && !("default" in spec)) entry.secret = true;
    block[`${project}:${key}`] = entry;
  }
  return block;
}
