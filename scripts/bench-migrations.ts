// Benchmark: analyzeMigrations on generated projects of 1,000 / 5,000 / 10,000 migrations over
// 200 apps with cross-app dependencies. For each size it prints the time with every file parsed
// (cold: no parse cache) and with the parse cache filled by a previous run (warm: what a
// repeated `pulumi preview` costs), each also per 1,000 migrations to show linear growth.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeMigrations } from "../components/migrations";
import { multiAppProject } from "../test/fixtures/migrations/generate";

const APPS = 200;
const SIZES = [1000, 5000, 10000];

const cacheDir = mkdtempSync(join(tmpdir(), "migration-graph-bench-cache-"));
process.env.MIGRATION_GRAPH_CACHE_DIR = cacheDir;

interface Timing {
  ms: number;
  cpuMs: number;
}

function run(root: string, size: number, cache: boolean): Timing {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const report = analyzeMigrations(root, { cache });
  const cpu = process.cpuUsage(cpuStart);
  const ms = performance.now() - start;
  const nodes = Object.values(report.apps).reduce((n, app) => n + app.nodes.length, 0);
  if (report.errors.length > 0 || nodes !== size || report.plan.length !== size) {
    throw new Error(
      `unexpected analysis of the ${size}-migration project: ${JSON.stringify(report.errors[0])}`,
    );
  }
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

// Wall time depends on what else the machine runs; CPU time (user + system) of this process
// is printed beside it.
function row(label: string, size: number, t: Timing): string {
  const per1000 = (t.ms / size) * 1000;
  return (
    `  ${label}: ${t.ms.toFixed(0).padStart(6)} ms wall, ${t.cpuMs.toFixed(0).padStart(6)} ms CPU` +
    `  (${per1000.toFixed(0).padStart(4)} ms wall per 1,000 migrations)`
  );
}

console.log(
  `load average before the run: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);

// Warm up the JIT so the first size is not charged for compiling the parser.
const warmup = multiAppProject(20, 10);
run(warmup.root, 200, false);
rmSync(warmup.root, { recursive: true, force: true });

for (const size of SIZES) {
  const project = multiAppProject(APPS, size / APPS);
  rmSync(cacheDir, { recursive: true, force: true });
  const cold = run(project.root, size, false);
  run(project.root, size, true); // fills the cache
  const warm = run(project.root, size, true);
  console.log(`${size} migrations / ${APPS} apps`);
  console.log(row("cold (every file parsed)", size, cold));
  console.log(row("warm (parse cache hit)  ", size, warm));
  rmSync(project.root, { recursive: true, force: true });
}
rmSync(cacheDir, { recursive: true, force: true });
