import { argv, type ShellWord } from "../shell/quote";
import { releasesDir } from "../server/commands";
import { releaseStaticRoot } from "./static-root";
import { type ComposeTarget, composeWords, dockerWords, pointCurrentAtRelease } from "./commands";
import {
  overrideFile,
  PROXY_SERVICE,
  type ProxySpec,
  proxyConfigDir,
  renderComposeOverride,
  renderProxySite,
  UPSTREAM,
  upstreamPort,
} from "./proxy";

export interface SwitchSpec {
  web: string;
  /** Workers with a healthcheck: the new one starts and is healthy before the old gets SIGTERM. */
  rollingWorkers: string[];
  /** Workers without one (celery beat): stopped, then started, so there are never two. */
  singletonWorkers: string[];
  proxy: ProxySpec;
  waitSeconds: number;
  /** How long an old container gets after SIGTERM to finish its requests or tasks. */
  graceSeconds: number;
}

/** The switch settings out of the deploy's inputs. */
export function switchSpecOf(p: {
  webService: string;
  rollingWorkers: string[];
  singletonWorkers: string[];
  proxy: ProxySpec;
  waitTimeoutSeconds: number;
  stopGraceSeconds: number;
}): SwitchSpec {
  return {
    web: p.webService,
    rollingWorkers: p.rollingWorkers,
    singletonWorkers: p.singletonWorkers,
    proxy: p.proxy,
    waitSeconds: p.waitTimeoutSeconds,
    graceSeconds: p.stopGraceSeconds,
  };
}

/** The user's compose file plus the generated override: the only way the switch calls compose. */
export function proxiedComposeWords(t: ComposeTarget): ShellWord[] {
  return [...composeWords(t), "--file", overrideFile(t)];
}

const HEALTH_STATUS =
  "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}";
const HEALTH_OUTPUT = "{{if .State.Health}}{{range .State.Health.Log}}{{.Output}}{{end}}{{end}}";

/**
 * Shell functions the switch uses. `containers S` lists service S's containers (by compose's
 * labels, one-off runs excluded); `wait_healthy C...` waits for each until the deadline and on
 * failure prints the last health output and log tail; `reload_proxy` reloads nginx and waits until
 * the workers of the old config have finished their requests (nginx closes them gracefully), so
 * nothing is still sent to the old web when it is stopped.
 */
function switchFunctions(t: ComposeTarget, spec: SwitchSpec): string[] {
  const docker = dockerWords(t);
  const compose = proxiedComposeWords(t);
  const drainTicks = spec.graceSeconds * 10;
  const drain = `n=0; for f in "$@"; do while [ -e "/proc/$f" ]; do n=$((n+1)); [ $n -lt ${drainTicks} ] || exit 1; sleep 0.1; done; done`;
  return [
    `containers() { ${argv(...docker, "ps", "--all", "--filter", `label=com.docker.compose.project=${t.composeProject}`, "--filter", "label=com.docker.compose.oneoff=False")} --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | sort; }`,
    `started_since() { containers "$1" | grep -vxF "$2" || true; }`,
    `wait_healthy() { for c in "$@"; do while :; do s=$(${argv(...docker, "inspect", "--format", HEALTH_STATUS)} "$c"); if [ "$s" = healthy ] || [ "$s" = running ]; then break; fi; if [ "$s" = unhealthy ] || [ "$(date +%s)" -ge "$deadline" ]; then echo "$c did not become healthy within ${spec.waitSeconds}s (status: $s); the previous release keeps serving." >&2; echo "Last healthcheck output of $c:" >&2; ${argv(...docker, "inspect", "--format", HEALTH_OUTPUT)} "$c" | tail -n 5 >&2; echo "Last log lines of $c:" >&2; ${argv(...docker, "logs", "--tail", "30")} "$c" >&2 2>&1; return 1; fi; sleep 1; done; done; }`,
    `reload_proxy() { p=$(${argv(...compose, "ps", "--quiet", "--status", "running", PROXY_SERVICE)}); ${argv(...docker, "exec")} "$p" nginx -t -q; before=$(${argv(...docker, "exec")} "$p" sh -c 'cd /proc && grep -l "^PPid:[[:space:]]*1$" [0-9]*/status' || true); ${argv(...docker, "exec")} "$p" nginx -s reload; ${argv(...docker, "exec")} "$p" sh -c ${argv(drain)} sh $before || echo "proxy: requests of the previous config still running after ${spec.graceSeconds}s" >&2; }`,
  ];
}

/**
 * The start-before-stop switch to this release, run as one remote script:
 *
 * 1. writes the compose override (web publishes nothing, the proxy publishes its ports);
 * 2. starts one new web and one new rolling worker beside the old ones (`--no-recreate --scale
 *    n+1`: compose creates the new container from this release's definition and leaves the old
 *    ones alone) and waits until they are healthy, bounded by waitSeconds; if one is not, the new
 *    containers are removed, the old keep serving, `current` stays, and the health output and log
 *    tail say why;
 * 3. points the proxy's upstream at the new web and reloads it without dropping a connection (the
 *    first time, or coming from a release without the proxy, it starts the proxy after the old
 *    web freed the port instead);
 * 4. stops the old containers with a grace period (gunicorn and Celery finish their work on
 *    SIGTERM), removes them, recreates the singletons (stop, then start) and marks the release
 *    current.
 *
 * A retry after a failure anywhere is safe: every web or worker container that exists when the
 * switch begins counts as old, whether it served or was left by an interrupted switch, so it ends
 * with exactly one new container per service and the proxy naming it.
 */
export function switchReleaseCommand(t: ComposeTarget, spec: SwitchSpec): string {
  const docker = dockerWords(t);
  const compose = proxiedComposeWords(t);
  const conf = proxyConfigDir(t.remoteDir);
  const rolling = [spec.web, ...spec.rollingWorkers];
  const v = (i: number) => `old_${i}`;
  const upWaiting = (...args: string[]) =>
    argv(
      ...compose,
      "up",
      "--detach",
      "--no-deps",
      "--no-build",
      "--wait",
      "--wait-timeout",
      String(spec.waitSeconds),
      ...args,
    );
  // A service renamed or dropped from the compose file would otherwise keep running old code.
  const upProxy = upWaiting("--remove-orphans", PROXY_SERVICE);
  const [siteHead, siteTail] = renderProxySite();
  const live = `    set $${UPSTREAM} %s:${upstreamPort(spec.proxy)};\\n`;
  const lines = [
    "set -e",
    ...switchFunctions(t, spec),
    argv("mkdir", "-p", conf),
    `${argv("printf", "%s", renderComposeOverride(t, spec.web, spec.proxy))} > ${argv(overrideFile(t))}`,
    `deadline=$(($(date +%s) + ${spec.waitSeconds}))`,
    ...rolling.map((s, i) => `${v(i)}=$(${argv("containers", s)})`),
    // A changed proxy definition (another image) is applied before the switch, still on the old web.
    `if [ -n "$(${argv(...compose, "ps", "--quiet", "--status", "running", PROXY_SERVICE)})" ]; then ${upProxy}; proxy=up; else proxy=; fi`,
    `${argv(...compose, "up", "--detach", "--no-deps", "--no-build", "--no-recreate")} ${rolling.map((s, i) => `--scale ${argv(s)}=$(($(echo $${v(i)} | wc -w) + 1))`).join(" ")} ${argv(...rolling)}`,
    ...rolling.map((s, i) => `new_${i}=$(started_since ${argv(s)} "$${v(i)}")`),
    `new="${rolling.map((_, i) => `$new_${i}`).join(" ")}"`,
    `[ -n "$new_0" ] || { ${argv("echo", `compose started no new ${spec.web} container; the previous release keeps serving.`)} >&2; exit 1; }`,
    // Until the proxy names the new web, any failure (a full disk writing its config, nginx -t)
    // removes the new containers: a new worker left running would take tasks beside the old one.
    `remove_new() { ${argv(...docker, "rm", "--force")} $new >/dev/null 2>&1 || true; }`,
    "trap remove_new EXIT",
    `wait_healthy $new || { ${argv(...docker, "rm", "--force")} $new >/dev/null; exit 1; }`,
    `{ ${argv("printf", "%s", siteHead)}; ${argv("printf", live)} "$new_0"; ${argv("printf", "%s", siteTail)}; } > ${argv(`${conf}/app.conf.tmp`)}`,
    argv("mv", "-f", `${conf}/app.conf.tmp`, `${conf}/app.conf`),
    // Coming from a release without the proxy, the old web holds the port: it goes first (the
    // one switch with a gap).
    `if [ -n "$proxy" ]; then reload_proxy; else { [ -z "$${v(0)}" ] || ${argv(...docker, "stop", "--time", String(spec.graceSeconds))} $${v(0)} >/dev/null; }; ${upProxy}; fi`,
    "trap - EXIT",
    `old="${rolling.map((_, i) => `$${v(i)}`).join(" ")}"`,
    `if [ -n "$(echo $old)" ]; then ${argv(...docker, "stop", "--time", String(spec.graceSeconds))} $old >/dev/null; ${argv(...docker, "rm")} $old >/dev/null; fi`,
    // The new release serves from here on: `current` says so before anything else can fail
    // (ops rollback, the live check and backups read it).
    ...pointCurrentAtRelease(t),
  ];
  if (spec.singletonWorkers.length > 0) lines.push(upWaiting(...spec.singletonWorkers));
  if (spec.proxy.staticRoot !== undefined) {
    // Static files of releases no longer on the server go too (the volume would only grow).
    const prune = `cd "$1" && for d in *; do case " $2 " in *" $d "*) ;; *) rm -rf -- "$d" ;; esac; done`;
    lines.push(
      `${argv(...docker, "exec")} "$new_0" sh -c ${argv(prune)} sh ${argv(releaseStaticRoot(spec.proxy.staticRoot, ""))} "$(${argv("ls", releasesDir(t.remoteDir))} | tr '\\n' ' ')" || true`,
    );
  }
  return lines.join("\n");
}
