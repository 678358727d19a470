// `npm run migration-graph`: rebuilds bin/ if any source changed (see build-migration-graph.mjs),
// then runs the compiled CLI in this process.
import { createRequire } from "node:module";
import { CLI, ensureBuilt } from "./build-migration-graph.mjs";

try {
  ensureBuilt();
} catch (err) {
  process.stderr.write(`migration-graph: cannot build the analyzer: ${err.message}\n`);
  process.exit(2);
}
// The CLI reads its arguments from process.argv, which already holds this script's arguments.
createRequire(import.meta.url)(CLI);
