// Benchmark: what a deploy costs its users, ours against the classic pipeline, in one run on this
// machine's real engine, sshd and dockerd. For each scenario, a poller asks /healthz/ at 20 Hz from
// loopback during the deploy and 3 s after it (scripts/lib/health-poller.ts), and the deploy is
// timed from the start of its command to its end.
//
//   ours      `pulumi up` of examples/django-app (project zdbench, port 16150)
//   baseline  scripts/bench/classic-deploy.sh over one SSH session to the same sshd (project
//             zdbenchb, port 16151: its own containers, so the two never stop each other's)
//
// Scenarios, in this order: code (a template edit), migration (a new model), noop (nothing
// changed), broken (a release whose /healthz/ fails; ours keeps the old release serving and
// fails, the baseline runs as it would). Usage: npm run bench:deploy [-- --json]
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderEnvFile } from "../components/compose/env-file";
import { startPoller, type PollResult } from "./lib/health-poller";
import { pulumi, REPO, run, STACK } from "./lib/local-stack";
import { COUPON_MIGRATION } from "../test/e2e/billing-migrations";
import { localDeploy, removeProject } from "../test/e2e/helpers";

const OURS = { project: "zdbench", port: 16150 };
const BASELINE = { project: "zdbenchb", port: 16151 };
const json = process.argv.includes("--json");
const log = (line: string) => process.stderr.write(`[bench:deploy] ${line}\n`);

interface Measure {
  requests: number;
  failed: number;
  longest_gap_s: number;
  deploy_s: number;
}

type Change = (projectDir: string) => void;

const edit = (file: string, from: string, to: string): Change => {
  return (projectDir) => {
    const path = join(projectDir, file);
    const text = readFileSync(path, "utf8");
    if (!text.includes(from)) throw new Error(`${file} no longer contains ${from}`);
    writeFileSync(path, text.replace(from, to));
  };
};

const SCENARIOS: [string, Change][] = [
  ["code", edit("templates/index.html", "</body>", "<!-- bench: code change -->\n</body>")],
  [
    "migration",
    (dir) => writeFileSync(join(dir, "billing", "migrations", "0003_coupon.py"), COUPON_MIGRATION),
  ],
  ["noop", () => undefined],
  [
    "broken",
    edit(
      "config/views.py",
      '    body = {"release": settings.APP_RELEASE}\n',
      '    raise RuntimeError("bench: a release whose web never becomes healthy")\n',
    ),
  ],
];

async function measured(port: number, deploy: () => number): Promise<Measure> {
  const poller = startPoller(`http://127.0.0.1:${port}/healthz/`, 20, 900);
  await new Promise((r) => setTimeout(r, 1000));
  const start = process.hrtime.bigint();
  const code = deploy();
  const deploy_s = Number(process.hrtime.bigint() - start) / 1e9;
  await new Promise((r) => setTimeout(r, 3000));
  const poll: PollResult = await poller.stop();
  log(`  exit ${code}, ${deploy_s.toFixed(1)} s, ${poll.failed}/${poll.requests} failed`);
  for (const sample of poll.samples) log(`    ${sample}`);
  return {
    requests: poll.requests,
    failed: poll.failed,
    longest_gap_s: poll.longest_gap_s,
    deploy_s: Math.round(deploy_s * 10) / 10,
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "django-deploy-bench-"));
  const ours = localDeploy(join(dir, "ours"), OURS.project, OURS.port);
  // A deploy that is not healthy within 40 s fails: bounded, so `broken` ends.
  pulumi(ours.ws, ["config", "set", "--stack", STACK, "waitTimeoutSeconds", "40"]);
  const sshd = JSON.parse(readFileSync(join(dir, "ours", "sshd", "env.json"), "utf8")) as Record<
    string,
    string
  >;
  const baselineDir = join(dir, "baseline-app");
  cpSync(ours.ws.projectDir, baselineDir, { recursive: true });
  const stack = readFileSync(join(REPO, "Pulumi.local.yaml"), "utf8");
  const env = Object.fromEntries(
    [...stack.matchAll(/^ {4}([A-Z_]+): "?([^"\n]*)"?$/gm)].map((m) => [m[1], m[2]]),
  );
  let baselineRelease = 0;
  const baselineDeploy = () => {
    baselineRelease++;
    writeFileSync(
      join(baselineDir, ".env"),
      renderEnvFile({
        ...env,
        WEB_PORT: String(BASELINE.port),
        APP_RELEASE: `bench${baselineRelease}`,
        DJANGO_SECRET_KEY: "bench-only-secret-key-0123456789abcdef0123456789",
        POSTGRES_PASSWORD: "bench-only",
      }),
    );
    const tar = spawnSync("tar", ["-cz", "-C", baselineDir, "."], { maxBuffer: 1 << 30 });
    const script = readFileSync(join(__dirname, "bench", "classic-deploy.sh"), "utf8");
    const r = run(
      "ssh",
      [
        ...["-p", sshd.SSH_PORT, "-i", sshd.SSH_PRIVATE_KEY_FILE],
        ...["-o", `UserKnownHostsFile=${sshd.SSH_KNOWN_HOSTS_FILE}`, "-o", "BatchMode=yes"],
        "root@127.0.0.1",
        "bash",
        "-c",
        `'${script.replace(/'/g, `'"'"'`)}'`,
        "classic",
        `/srv/${BASELINE.project}/app`,
        BASELINE.project,
      ],
      { input: tar.stdout as unknown as string },
    );
    if (r.code !== 0)
      log(`  baseline exit ${r.code}: ${r.stderr.split("\n").slice(-5).join(" | ")}`);
    return r.code;
  };
  const oursDeploy = () => {
    const r = pulumi(ours.ws, ["up", "--yes", "--stack", STACK]);
    if (r.code !== 0) log(`  ours exit ${r.code}: ${r.stderr.split("\n").slice(-3).join(" | ")}`);
    return r.code;
  };

  const results: Record<string, { ours: Measure; baseline: Measure }> = {};
  try {
    log("first deploys (not measured)");
    if (oursDeploy() !== 0) throw new Error("the first deploy of ours failed");
    if (baselineDeploy() !== 0) throw new Error("the first deploy of the baseline failed");
    for (const [name, change] of SCENARIOS) {
      change(ours.ws.projectDir);
      change(baselineDir);
      log(`${name}: ours`);
      const o = await measured(OURS.port, oursDeploy);
      log(`${name}: baseline`);
      const b = await measured(BASELINE.port, baselineDeploy);
      results[name] = { ours: o, baseline: b };
    }
  } finally {
    ours.stop();
    removeProject(OURS.project);
    removeProject(BASELINE.project);
    rmSync(dir, { recursive: true, force: true });
  }

  const rows = Object.entries(results).flatMap(([name, r]) =>
    (["ours", "baseline"] as const).map(
      (who) =>
        `| ${name} | ${who} | ${r[who].requests} | ${r[who].failed} | ${r[who].longest_gap_s.toFixed(2)} s | ${r[who].deploy_s.toFixed(1)} s |`,
    ),
  );
  const ratio = (s: string) =>
    results[s] ? (results[s].ours.deploy_s / results[s].baseline.deploy_s).toFixed(2) : "n/a";
  const table = [
    "| scenario | deploy | requests | failed | longest gap | deploy time |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    `deploy time ours / baseline: code ${ratio("code")}, migration ${ratio("migration")}`,
  ].join("\n");
  // With --json, stdout carries exactly the one object; the table goes to stderr.
  if (json) {
    process.stderr.write(`${table}\n`);
    process.stdout.write(`${JSON.stringify({ scenarios: results })}\n`);
  } else {
    console.log(table);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
