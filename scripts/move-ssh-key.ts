// Moves an existing stack off the `sshPrivateKey` setting without re-running any step: rewrites
// the state as the agent-based program would have written it, then removes the setting.
// Usage (in the Pulumi project directory, with the backend and passphrase set as for pulumi):
//   npm run move-ssh-key -- --stack <stack> [--dry-run]
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { envDigest } from "../components/config";
import { legacyEnvDigest, moveKeyOutOfState, type ExportedStack } from "./lib/move-ssh-key-state";

function fail(message: string): never {
  console.error(`move-ssh-key: ${message}`);
  process.exit(1);
}

function pulumi(args: string[], input?: string): string {
  const r = spawnSync("pulumi", [...args, "--non-interactive"], {
    input,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (r.error) fail(`could not run pulumi: ${r.error.message}`);
  // Never echo stdout: with --show-secrets it holds every secret of the stack.
  if (r.status !== 0) fail(`pulumi ${args[0]} ${args[1] ?? ""} failed:\n${r.stderr.trim()}`);
  return r.stdout;
}

const argv = process.argv.slice(2);
const stackAt = argv.indexOf("--stack");
const stack = stackAt >= 0 ? argv[stackAt + 1] : undefined;
const dryRun = argv.includes("--dry-run");
if (
  !stack ||
  argv.some(
    (a, i) => a.startsWith("--") && !["--stack", "--dry-run"].includes(a) && i !== stackAt + 1,
  )
) {
  fail("usage: npm run move-ssh-key -- --stack <stack> [--dry-run]");
}

const project = (parse(readFileSync("Pulumi.yaml", "utf8")) as { name: string }).name;
type ConfigEntry = { value?: string; objectValue?: unknown; secret?: boolean };
const config = JSON.parse(
  pulumi(["config", "--show-secrets", "--json", "--stack", stack]),
) as Record<string, ConfigEntry>;
const key = config[`${project}:sshPrivateKey`]?.value;
if (key === undefined) {
  console.log(`Stack ${stack} has no sshPrivateKey setting: nothing to move.`);
  process.exit(0);
}
const mapOf = (name: string) =>
  (config[`${project}:${name}`]?.objectValue ?? {}) as Record<string, string>;
const vars = { ...mapOf("env"), ...mapOf("secretEnv") };
const digests = { legacy: legacyEnvDigest(key, vars), current: envDigest(vars) };

const exported = JSON.parse(
  pulumi(["stack", "export", "--show-secrets", "--stack", stack]),
) as ExportedStack;
const pending = exported.deployment.pending_operations;
if (Array.isArray(pending) && pending.length > 0) {
  fail(
    `stack ${stack} has ${pending.length} pending operation(s) from an interrupted update. ` +
      "Fix: finish or cancel that update first (pulumi refresh --clear-pending-creates), then run this again.",
  );
}
const moved = moveKeyOutOfState(exported, digests);
console.log(
  `Stack ${stack}: ${moved.connections} connection(s) hold the private key, ` +
    `${moved.digests} trigger(s) hold the key-based settings digest.`,
);
if (moved.connections > 0 && moved.digests === 0) {
  console.log(
    "No trigger matches the current settings (were they changed since the last deploy?): " +
      "the next pulumi up restarts the app services once, as for any settings change.",
  );
}
if (dryRun) {
  console.log("--dry-run: the state and the config are left as they are.");
  process.exit(0);
}
if (moved.connections > 0 || moved.digests > 0) {
  // stdin, not a file: the export holds the stack's secrets in plain text.
  pulumi(["stack", "import", "--stack", stack], JSON.stringify(moved.stack));
  console.log("State rewritten.");
}
pulumi(["config", "rm", "sshPrivateKey", "--stack", stack]);
console.log(
  [
    "sshPrivateKey removed from the stack config.",
    "Next: have the key in your agent (ssh-add ~/.ssh/deploy_key) and check that",
    `  pulumi preview --stack ${stack}`,
    "shows no change to any step. Then rotate the key: until now the passphrase, which pull-request",
    "previews hold, could decrypt it. A rotation changes no step now.",
  ].join("\n"),
);
