// One benchmark measurement in a fresh process (so each implementation starts with a cold JIT and
// no workers of another's): warm up on a 2,000-migration project, then time analyzeMigrations on `root`
// with no parse cache (cold) and with the cache filled by a previous run (warm), the median
// of three runs each.
// Usage: node bench-migrations-child.js <analyzer module dir> <root> <expected migrations>
// Prints {"cold": {"ms", "cpuMs"}, "warm": {...}} on stdout.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { analyzeMigrations as Analyze } from "../components/migrations";
import { multiAppProject } from "../test/fixtures/migrations/generate";

const [moduleDir, root, expected] = process.argv.slice(2);
const size = Number(expected);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { analyzeMigrations } = require(moduleDir) as { analyzeMigrations: typeof Analyze };

const cacheDir = mkdtempSync(join(tmpdir(), "migration-graph-bench-cache-"));
process.env.MIGRATION_GRAPH_CACHE_DIR = cacheDir;

function run(project: string, migrations: number, cache: boolean): { ms: number; cpuMs: number } {
  const start = performance.now();
  // CPU of the whole process: the main thread and any worker threads.
  const cpuStart = process.cpuUsage();
  const report = analyzeMigrations(project, { cache });
  const cpu = process.cpuUsage(cpuStart);
  const ms = performance.now() - start;
  const nodes = Object.values(report.apps).reduce((n, app) => n + app.nodes.length, 0);
  if (report.errors.length > 0 || nodes !== migrations || report.plan.length !== migrations) {
    throw new Error(`unexpected analysis of ${project}: ${JSON.stringify(report.errors[0])}`);
  }
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

// Warm up the JIT so the measurement is not charged for compiling the parser: 2,000 files, so
// that an analyzer with worker threads starts (and warms) them too. The CLI row of the
// benchmark shows what a cold process costs.
const warmup = multiAppProject(20, 100);
run(warmup.root, 2000, false);
// The median of three, so one burst of another process's work does not decide the figure.
function median(runs: Array<{ ms: number; cpuMs: number }>): { ms: number; cpuMs: number } {
  return [...runs].sort((a, b) => a.ms - b.ms)[1];
}
const cold = median([1, 2, 3].map(() => run(root, size, false)));
run(root, size, true); // fills the cache
const warm = median([1, 2, 3].map(() => run(root, size, true)));
rmSync(cacheDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ cold, warm })}\n`);
