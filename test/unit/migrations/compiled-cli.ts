// Test helper: the CLI as users run it, compiled to bin/ (built first if the sources changed,
// which is a no-op after `npm run test:unit` has built it).
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { join } from "node:path";

export const repo = join(__dirname, "..", "..", "..");
export const compiledCli = join(repo, "bin", "components", "migrations", "cli.js");

const build = spawnSync(process.execPath, [join(repo, "scripts", "build-migration-graph.mjs")], {
  encoding: "utf8",
});
if (build.status !== 0) throw new Error(`building bin/ failed:\n${build.stderr}`);

export function runCli(
  args: string[],
  options: SpawnSyncOptions = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [compiledCli, ...args], {
    cwd: repo,
    ...options,
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
