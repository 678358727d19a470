import { and, argv, ShellRaw, type ShellWord } from "../shell/quote";
import { backupsDir, releasesDir } from "../server/commands";
import { releaseStaticRoot } from "./static-root";

/** Where one release lives on the server and how compose is called for it. */
export interface ComposeTarget {
  remoteDir: string;
  releaseId: string;
  composeFile: string;
  composeProject: string;
  /** Extra environment for docker compose itself (not for the containers). */
  dockerEnv: Record<string, string>;
  /**
   * Reach the release through <remoteDir>/deploying, the link the deploy's env step points at
   * it, instead of naming releases/<id>: the commands' text is then the same for every release,
   * so a new release changes the steps' triggers and not their commands (a short preview diff).
   * The operations command names a release (unset).
   */
  throughLink?: boolean;
}

/** The release a deploy works on: set by its env step, read by every step after it. */
export function deployingLink(remoteDir: string): string {
  return `${remoteDir}/deploying`;
}

function namedReleaseDir(t: Pick<ComposeTarget, "remoteDir" | "releaseId">): string {
  return `${releasesDir(t.remoteDir)}/${t.releaseId}`;
}

export function releaseDir(
  t: Pick<ComposeTarget, "remoteDir" | "releaseId" | "throughLink">,
): string {
  return t.throughLink ? deployingLink(t.remoteDir) : namedReleaseDir(t);
}

/**
 * The release as shell words: its directory and id, and the statements that must run first to
 * know them. Through the link they are read from it, and a missing link fails those statements
 * (so the `&&` chain stops) instead of yielding an empty id.
 */
function releaseRef(t: ComposeTarget): { setup: string[]; dir: string; id: string } {
  if (!t.throughLink) return { setup: [], dir: argv(releaseDir(t)), id: argv(t.releaseId) };
  return {
    setup: [
      `release_dir="$(${argv("readlink", "--", deployingLink(t.remoteDir))})"`,
      'release="${release_dir##*/}"',
    ],
    dir: '"$release_dir"',
    id: '"$release"',
  };
}

export function currentLink(remoteDir: string): string {
  return `${remoteDir}/current`;
}

function dockerEnvWords(dockerEnv: Record<string, string>): string[] {
  const pairs = Object.entries(dockerEnv)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return pairs.length > 0 ? ["env", ...pairs] : [];
}

/** `docker` with the deploy's extra environment for the docker CLI. */
export function dockerWords(t: Pick<ComposeTarget, "dockerEnv">): string[] {
  return [...dockerEnvWords(t.dockerEnv), "docker"];
}

/**
 * `docker compose` pinned to one release directory and one project name: the project name keeps
 * containers and volumes the same across releases, the directory selects the release's files.
 */
export function composeWords(t: ComposeTarget): ShellWord[] {
  if (!t.throughLink) return composeWordsIn(t, releaseDir(t));
  // Compose keeps the path it is given: through the link itself, relative paths in the user's file
  // (a build context, a bind mount) would follow the link to whatever release it names when a
  // container restarts later. So each call resolves the link to the release directory it names
  // now; a missing link resolves to nothing and compose fails on the missing file.
  const resolved = `"$(${argv("readlink", "-e", "--", deployingLink(t.remoteDir))})"`;
  return composeWordsAt(
    t,
    new ShellRaw(resolved),
    (file) => new ShellRaw(`${resolved}/${argv(file)}`),
  );
}

export function composeWordsIn(t: Omit<ComposeTarget, "releaseId">, dir: string): string[] {
  return composeWordsAt(t, dir, (file) => `${dir}/${file}`);
}

function composeWordsAt<W extends ShellWord>(
  t: Omit<ComposeTarget, "releaseId">,
  dir: W,
  inDir: (file: string) => W,
): (string | W)[] {
  return [
    ...dockerEnvWords(t.dockerEnv),
    "docker",
    "compose",
    "--project-name",
    t.composeProject,
    "--project-directory",
    dir,
    "--file",
    inDir(t.composeFile),
    "--env-file",
    inDir(".env"),
  ];
}

/** Writes stdin to the release's .env, readable by the deploy user only, replaced atomically. */
export function writeEnvFileCommand(t: ComposeTarget): string {
  const target = `${releaseDir(t)}/.env`;
  const tmp = `${target}.tmp`;
  return and(
    "umask 077",
    `cat > ${argv(tmp)}`,
    argv("chmod", "600", tmp),
    argv("mv", "-f", tmp, target),
  );
}

/**
 * Gets the release ready for compose: restores the exec bits the upload dropped (an entrypoint
 * script must stay runnable), then writes the .env from stdin.
 */
export function prepareReleaseCommand(t: ComposeTarget, executables: string[]): string {
  const dir = releaseDir(t);
  const prepare = and(
    ...(executables.length > 0
      ? [argv("chmod", "a+x", "--", ...executables.map((file) => `${dir}/${file}`))]
      : []),
    writeEnvFileCommand(t),
  );
  if (!t.throughLink) return prepare;
  // The release id on a line of its own: the one line of the deploy's commands a new release
  // changes, so the preview diff shows it and not the whole command twice. The link is renamed
  // over the old one, so it always names one whole release.
  const link = deployingLink(t.remoteDir);
  return `${and(argv("ln", "-sfn", namedReleaseDir(t), `${link}.next`), argv("mv", "-Tf", `${link}.next`, link))} &&\n${prepare}`;
}

export function infraUpCommand(t: ComposeTarget, services: string[], waitSeconds: number): string {
  return argv(
    ...composeWords(t),
    "up",
    "--detach",
    "--wait",
    "--wait-timeout",
    String(waitSeconds),
    ...services,
  );
}

export interface RegistryImage {
  registry: string;
  username: string;
  /** `<registry>/<repository>@sha256:…` as pushed: what the server pulls, so it runs exactly that. */
  digestRef: string;
  /** The tag compose's app services resolve to for this release (`${APP_IMAGE}:${APP_RELEASE}`). */
  localTag: string;
}

/** Registry mode: log in with the password on stdin, pull the pushed image by digest, tag it. */
export function pullImageCommand(image: RegistryImage): string {
  return and(
    `${argv("docker", "login", "--username", image.username, "--password-stdin", image.registry)} >/dev/null`,
    argv("docker", "pull", image.digestRef),
    argv("docker", "tag", image.digestRef, image.localTag),
  );
}

export function buildCommand(t: ComposeTarget, services: string[]): string {
  return argv(...composeWords(t), "build", ...services);
}

/**
 * A one-off container from the new image, removed afterwards. Without --no-deps compose first
 * makes sure the service's dependencies (db, redis) are up and healthy, so a retried step works
 * even if they were stopped since the infra step ran.
 */
export function runOnceWords(t: ComposeTarget, service: string, ...command: string[]): ShellWord[] {
  return [...composeWords(t), "run", "--rm", "-T", service, ...command];
}

export function djangoCheckCommand(t: ComposeTarget, web: string): string {
  return argv(...runOnceWords(t, web, "python", "manage.py", "check"));
}

/** The one-off migrate container's fixed name: at most one migrate per project at a time. */
function migrateContainer(t: Pick<ComposeTarget, "composeProject">): string {
  return `${t.composeProject}-migrate`;
}

/**
 * `migrate --check` afterwards proves nothing is left unapplied (a migration that Django silently
 * skips, say), so a half-migrated database never gets the new code. The migrate container has a
 * fixed name: when a dropped SSH connection killed the deploy but not the container, the retry
 * waits for that migrate to finish instead of starting a second one next to it.
 */
export function migrateCommand(t: ComposeTarget, web: string): string {
  const name = migrateContainer(t);
  const docker = dockerWords(t);
  const running = `"$(${argv(...docker, "inspect", "--format", "{{.State.Running}}", name)} 2>/dev/null)"`;
  return and(
    `if [ ${running} = true ]; then ${argv("echo", `waiting for the migrate an interrupted deploy left running (container ${name})`)} >&2; ${argv(...docker, "wait", name)} >/dev/null; fi`,
    `{ ${argv(...docker, "rm", name)} >/dev/null 2>&1 || true; }`,
    argv(
      ...composeWords(t),
      "run",
      "--rm",
      "--name",
      name,
      "-T",
      web,
      "python",
      "manage.py",
      "migrate",
      "--noinput",
    ),
    argv(...runOnceWords(t, web, "python", "manage.py", "migrate", "--check")),
  );
}

/**
 * With the web's STATIC_ROOT known (set in the compose file), the files go to a directory of this
 * release below it, which the new web serves (the override sets its STATIC_ROOT): the old web's
 * files, hashed manifest included, stay as they are until it is gone.
 */
export function collectstaticCommand(t: ComposeTarget, web: string, staticRoot?: string): string {
  const command = ["python", "manage.py", "collectstatic", "--noinput"];
  if (staticRoot === undefined) return argv(...runOnceWords(t, web, ...command));
  const release = releaseRef(t);
  return and(
    ...release.setup,
    `${argv(...composeWords(t), "run", "--rm", "-T", "--env")} ${argv(`STATIC_ROOT=${releaseStaticRoot(staticRoot, "")}`)}${release.id} ${argv(web, ...command)}`,
  );
}

/**
 * Dumps are named `pre-<migrate|infra>-<release>-<UTC time>.dump`. Each kind is pruned on its own:
 * the pre-migrate dumps of the deploys after a Postgres upgrade must not push out the pre-infra
 * dump the upgrade's restore needs.
 */
const backupGlob = (kind: "migrate" | "infra") => `pre-${kind}-*.dump`;

const PG_DUMP =
  'pg_dump --format=custom --no-owner --username "$POSTGRES_USER" "${POSTGRES_DB:-$POSTGRES_USER}"';

/** A backups directory readable by the deploy user only, and files created in it likewise. */
function privateBackupsDir(dir: string): string[] {
  return ["umask 077", argv("mkdir", "-p", "--", dir), argv("chmod", "700", "--", dir)];
}

/**
 * pg_dump in the database container, redirected to `tmpFile` (a shell word). The custom format is
 * compressed, so no pipe can hide a failing dump behind a succeeding gzip.
 */
function pgDumpTo(compose: ShellWord[], dbService: string, tmpFile: string): string {
  return `${argv(...compose, "exec", "-T", dbService, "sh", "-c", PG_DUMP)} > ${tmpFile}`;
}

function dumpFailed(dir: string, kind: "migrate" | "infra"): string {
  const protects = kind === "migrate" ? "the migrate" : "the change to the infra services";
  return (
    `The database dump into ${dir} failed (a full disk shows as "no space left on device"), so ` +
    `the deploy stopped before ${protects}; the running release is untouched. Free space there ` +
    "(its usage is below), then run pulumi up again."
  );
}

/**
 * A dump through `compose` into its own file (never overwritten: a redeploy of a release keeps
 * the dump taken before its first migrate); the newest `keep` dumps are kept.
 */
function dumpWith(
  compose: ShellWord[],
  t: ComposeTarget,
  dbService: string,
  kind: "migrate" | "infra",
  keep: number,
): string[] {
  const dir = backupsDir(t.remoteDir);
  const release = releaseRef(t);
  const prefix = t.throughLink
    ? `${argv(`${dir}/pre-${kind}-`)}${release.id}-`
    : argv(`${dir}/pre-${kind}-${t.releaseId}-`);
  return [
    ...release.setup,
    ...privateBackupsDir(dir),
    `file=${prefix}"$(date -u +%Y%m%dT%H%M%SZ)"`,
    // Two dumps within a second (a quick retry) must not share a name either.
    'if [ -e "$file.dump" ]; then file="$file-$$"; fi',
    // A full disk must not also keep the partial dump (it would hold the space the retry needs),
    // and must say so in words: compose's own write error names no directory.
    `{ ${pgDumpTo(compose, dbService, '"$file.dump.tmp"')} || { rm -f -- "$file.dump.tmp"; ${argv("printf", "%s\\n", dumpFailed(dir, kind))} >&2; ${argv("df", "-h", "--", dir)} >&2; exit 1; }; }`,
    'mv -f "$file.dump.tmp" "$file.dump"',
    `(${and(argv("cd", dir), `ls -1t -- ${backupGlob(kind)} | tail -n +${keep + 1} | xargs -r rm -f --`)})`,
  ];
}

/**
 * A dump into `<remoteDir>/backups/<fileName>` with the same care (0600 in a 0700 dir, a temp
 * file first), for the operations command, whose file names carry the time and the verb.
 */
export function dumpDatabaseCommand(t: ComposeTarget, dbService: string, fileName: string): string {
  const dir = backupsDir(t.remoteDir);
  const file = `${dir}/${fileName}`;
  return and(
    ...privateBackupsDir(dir),
    pgDumpTo(composeWords(t), dbService, argv(`${file}.tmp`)),
    argv("mv", "-f", `${file}.tmp`, file),
  );
}

/** The dump before migrate, from the database the infra step just brought up. */
export function backupCommand(t: ComposeTarget, dbService: string, keep: number): string {
  return and(...dumpWith(composeWords(t), t, dbService, "migrate", keep));
}

/**
 * The dump before a change to the infra services' definitions (a new Postgres image, a changed
 * volume) reaches them: taken from the database that is running now, through the files of the
 * release that started it. Nothing to dump on a first deploy.
 */
export function preInfraBackupCommand(t: ComposeTarget, dbService: string, keep: number): string {
  const current = currentLink(t.remoteDir);
  const compose = composeWordsIn(t, current);
  const running = `"$(${argv(...compose, "ps", "--quiet", "--status", "running", dbService)} 2>/dev/null)"`;
  return `if [ -e ${argv(current)} ] && [ -n ${running} ]; then ${and(...dumpWith(compose, t, dbService, "infra", keep))}; else ${argv("echo", "no running database to back up before the infra change")}; fi`;
}

/** Starts the app services on the new image, waits for their healthchecks, then marks the release current. */
export function startCommand(t: ComposeTarget, services: string[], waitSeconds: number): string {
  return and(
    argv(
      ...composeWords(t),
      "up",
      "--detach",
      "--no-build",
      "--wait",
      "--wait-timeout",
      String(waitSeconds),
      // A service renamed or dropped from the compose file would otherwise keep running old code.
      "--remove-orphans",
      ...services,
    ),
    ...pointCurrentAtRelease(t),
  );
}

/**
 * `current` names the release directory itself, never the deploying link (which the next deploy
 * moves before its start): a new link renamed over the old one, so it is never missing.
 */
export function pointCurrentAtRelease(t: ComposeTarget): string[] {
  const release = releaseRef(t);
  const current = currentLink(t.remoteDir);
  return [
    ...release.setup,
    `${argv("ln", "-sfn")} ${release.dir} ${argv(`${current}.next`)}`,
    argv("mv", "-Tf", `${current}.next`, current),
  ];
}

/**
 * Keeps the newest `keep` release directories, never this deploy's release nor the one `current`
 * names (after an `ops rollback` they differ).
 */
export function pruneReleasesCommand(t: ComposeTarget, keep: number): string {
  const dir = releasesDir(t.remoteDir);
  const release = releaseRef(t);
  return and(
    ...release.setup,
    `current_dir="$(${argv("readlink", "--", currentLink(t.remoteDir))} || true)"`,
    argv("cd", dir),
    `ls -1t | grep -vxF -e ${release.id} -e "\${current_dir##*/}" | tail -n +${keep} | xargs -r rm -rf --`,
  );
}

/** Stops the stack on `pulumi destroy`; never `-v`, so the database volume survives. */
export function composeDownCommand(t: Omit<ComposeTarget, "releaseId">): string {
  const dir = currentLink(t.remoteDir);
  return `if [ -e ${argv(dir)} ]; then ${argv(...composeWordsIn(t, dir), "down", "--remove-orphans")}; fi`;
}

/** The create of the teardown resource: it only has to exist so its delete runs on destroy. */
export const TEARDOWN_REGISTER = "true";
