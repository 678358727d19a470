// The CLI runs compiled JavaScript from bin/, and a bin/ older than the sources is never used.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compiledCli, repo } from "./compiled-cli";

const stamp = join(repo, "bin", ".migration-graph-sources");

test("the compiled CLI runs on plain node, with no TypeScript loader", () => {
  const env = { ...process.env, NODE_OPTIONS: "" };
  const r = spawnSync(process.execPath, [compiledCli, "--help"], { encoding: "utf8", env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^usage: migration-graph <root>/);
  assert.doesNotMatch(readFileSync(compiledCli, "utf8"), /require\("tsx/);
});

test("npm run migration-graph rebuilds bin/ when it was built from other sources", () => {
  const current = readFileSync(stamp, "utf8");
  writeFileSync(stamp, "built-from-older-sources");
  const r = spawnSync(process.execPath, [join(repo, "scripts", "migration-graph.mjs"), "--help"], {
    cwd: repo,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(stamp, "utf8"), current);
});
