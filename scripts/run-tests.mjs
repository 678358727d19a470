// Runs every *.test.ts below the given folders with Node's test runner (Node 20 has no --test globs).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function collect(dir) {
  let out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out = out.concat(collect(path));
    else if (entry.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const files = process.argv.slice(2).flatMap(collect).sort();
if (files.length === 0) {
  console.error(`no test files under ${process.argv.slice(2).join(", ")}`);
  process.exit(1);
}
const extra = process.env.TEST_CONCURRENCY
  ? [`--test-concurrency=${process.env.TEST_CONCURRENCY}`]
  : [];
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", ...extra, ...files], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
