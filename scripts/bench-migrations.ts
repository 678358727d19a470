// Benchmark: analyzeMigrations on generated projects over 200 apps with cross-app dependencies,
// now ("after") side by side with the analyzer of BENCH_BASELINE ("before", default: the commit
// before the analyzer was parallelized), each measured in a fresh process
// (bench-migrations-child.ts). Projects: 1,000 / 5,000 / 10,000 one-operation modules, and
// 1,400 / 10,000 modules shaped like real projects' (realistic-source.ts, ~3-4x costlier to
// parse; 1,400 is saleor's size). Cold: every file parsed, no parse cache; warm: the cache filled
// by a previous run (what a repeated `pulumi preview` costs). Last, the CLI end to end on the
// 10,000-migration project: a whole process, start-up included. Every figure is a median of 3.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { multiAppProject } from "../test/fixtures/migrations/generate";

const APPS = 200;
const BASELINE = process.env.BENCH_BASELINE ?? "12dd39f";
const repo = join(__dirname, "..", "..");
const after = join(repo, "bin", "components", "migrations");

interface Timing {
  ms: number;
  cpuMs: number;
}

function sh(cmd: string, args: string[], cwd = repo): void {
  const r = spawnSync(cmd, args, { cwd, stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed`);
}

/** The baseline's analyzer, compiled to bin/baseline/<rev>/ (once; a commit never changes). */
function buildBaseline(): string | null {
  const dir = join(repo, "bin", "baseline", BASELINE);
  const moduleDir = join(dir, "out", "components", "migrations");
  if (existsSync(join(moduleDir, "index.js"))) return moduleDir;
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, "src"), { recursive: true });
    const tar = join(dir, "src.tar");
    sh("git", ["archive", "-o", tar, BASELINE, "components/migrations"]);
    sh("tar", ["-xf", tar, "-C", join(dir, "src")]);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: "../../../tsconfig.json",
        compilerOptions: { rootDir: "src", outDir: "out", sourceMap: false },
        exclude: [],
        include: ["src/components/migrations/**/*.ts"],
      }),
    );
    sh(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", dir]);
    return moduleDir;
  } catch (err) {
    console.log(`(no "before" column: cannot build ${BASELINE}: ${(err as Error).message})`);
    return null;
  }
}

function measure(moduleDir: string, root: string, size: number): { cold: Timing; warm: Timing } {
  const child = join(__dirname, "bench-migrations-child.js");
  const r = spawnSync(process.execPath, [child, moduleDir, root, String(size)], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`benchmark run failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as { cold: Timing; warm: Timing };
}

/**
 * A whole CLI process, the median of three: wall time from outside, CPU (all threads) reported
 * by the process itself.
 */
function measureCli(args: string[]): Timing {
  const report = join(repo, "scripts", "bench-migrations-cpu.cjs");
  const runs = [1, 2, 3].map(() => {
    const start = performance.now();
    const r = spawnSync(process.execPath, ["--require", report, ...args], { encoding: "utf8" });
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`CLI run failed:\n${r.stderr}`);
    const cpu = /cpu-ms=(\d+)/.exec(r.stderr);
    return { ms, cpuMs: cpu ? Number(cpu[1]) : NaN };
  });
  return runs.sort((a, b) => a.ms - b.ms)[1];
}

const cell = (t: Timing | undefined) =>
  t ? `${t.ms.toFixed(0).padStart(6)} ${t.cpuMs.toFixed(0).padStart(6)}` : " ".repeat(13);

// Other work on the machine changes every figure: the load is printed before and after.
const printLoad = (when: string) =>
  console.log(
    `load average ${when} the run: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );

const baseline = buildBaseline();
printLoad("before");
console.log(
  `before: ${BASELINE}; after: this checkout. ms wall and CPU (all threads), median of 3 runs.`,
);
console.log(
  `${"project".padEnd(34)} ${"cold before".padStart(13)} ${"cold after".padStart(13)}` +
    ` ${"warm before".padStart(13)} ${"warm after".padStart(13)}`,
);

const projects: Array<[string, number, boolean]> = [
  ["1,000 generated", 1000, false],
  ["5,000 generated", 5000, false],
  ["10,000 generated", 10000, false],
  ["1,400 real-world-like", 1400, true],
  ["10,000 real-world-like", 10000, true],
];
let cliProject: string | null = null;
for (const [name, size, realistic] of projects) {
  const project = multiAppProject(APPS, size / APPS, realistic);
  const before = baseline ? measure(baseline, project.root, size) : undefined;
  const now = measure(after, project.root, size);
  console.log(
    `${`${name} / ${APPS} apps`.padEnd(34)} ${cell(before?.cold)} ${cell(now.cold)}` +
      ` ${cell(before?.warm)} ${cell(now.warm)}`,
  );
  if (size === 10000 && !realistic) cliProject = project.root;
  else rmSync(project.root, { recursive: true, force: true });
}

if (cliProject) {
  const afterCli = measureCli([join(after, "cli.js"), cliProject, "--json"]);
  const beforeCli = baseline
    ? measureCli([
        "--import",
        "tsx",
        join(repo, "bin", "baseline", BASELINE, "src", "components", "migrations", "cli.ts"),
        cliProject,
        "--json",
      ])
    : undefined;
  console.log(
    `${"CLI process, 10,000 generated".padEnd(34)} ${cell(beforeCli)} ${cell(afterCli)}` +
      "   (before: tsx cli.ts; after: node cli.js; no cache)",
  );
}
printLoad("after");
