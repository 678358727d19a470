// The deploy's commands reach the release through <remoteDir>/deploying (throughLink): their text
// is the same for every release, and under a real /bin/sh they act on the release the link names.
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
} from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import {
  backupCommand,
  buildCommand,
  collectstaticCommand,
  type ComposeTarget,
  currentLink,
  deployingLink,
  preInfraBackupCommand,
  prepareReleaseCommand,
  pruneReleasesCommand,
  releaseDir,
  startCommand,
} from "../../../components/compose/commands";
import { HOSTILE, makeSandbox, type Sandbox } from "../shell/sandbox";

const LINKED: ComposeTarget = {
  remoteDir: "/srv/app",
  releaseId: "abc123def456",
  composeFile: "docker-compose.yml",
  composeProject: "shop",
  dockerEnv: {},
  throughLink: true,
};

// Each compose call resolves the link: relative paths in the user's file then name the release.
const LINKED_DIR = '"$(readlink -e -- /srv/app/deploying)"';
const COMPOSE = `docker compose --project-name shop --project-directory ${LINKED_DIR} --file ${LINKED_DIR}/docker-compose.yml --env-file ${LINKED_DIR}/.env`;
const RELEASE = 'release_dir="$(readlink -- /srv/app/deploying)" && release="${release_dir##*/}"';
const dumpFailed = (stoppedBefore: string) =>
  `|| { rm -f -- "$file.dump.tmp"; printf '%s\\n' 'The database dump into /srv/app/backups failed (a full disk shows as "no space left on device"), so the deploy stopped before ${stoppedBefore}; the running release is untouched. Free space there (its usage is below), then run pulumi up again.' >&2; df -h -- /srv/app/backups >&2; exit 1; }; }`;
const dump = (stoppedBefore: string, kind = "migrate") =>
  `exec -T db sh -c 'pg_dump --format=custom --no-owner --username "$POSTGRES_USER" "\${POSTGRES_DB:-$POSTGRES_USER}"' > "$file.dump.tmp" ${dumpFailed(stoppedBefore)} && mv -f "$file.dump.tmp" "$file.dump" && (cd /srv/app/backups && ls -1t -- pre-${kind}-*.dump | tail -n +11 | xargs -r rm -f --)`;

describe("commands through the deploying link: exact strings", () => {
  const cases: [string, string, string][] = [
    [
      "prepareReleaseCommand: the link on the first line, alone naming the release",
      prepareReleaseCommand(LINKED, ["manage.py"]),
      "ln -sfn /srv/app/releases/abc123def456 /srv/app/deploying.next && mv -Tf /srv/app/deploying.next /srv/app/deploying &&\nchmod a+x -- /srv/app/deploying/manage.py && umask 077 && cat > /srv/app/deploying/.env.tmp && chmod 600 /srv/app/deploying/.env.tmp && mv -f /srv/app/deploying/.env.tmp /srv/app/deploying/.env",
    ],
    ["buildCommand", buildCommand(LINKED, ["web"]), `${COMPOSE} build web`],
    [
      "collectstaticCommand: into the linked release's own static directory",
      collectstaticCommand(LINKED, "web", "/app/static/"),
      `${RELEASE} && ${COMPOSE} run --rm -T --env STATIC_ROOT\\=/app/static/releases/"$release" web python manage.py collectstatic --noinput`,
    ],
    [
      "backupCommand: the dump is named after the linked release",
      backupCommand(LINKED, "db", 10),
      `${RELEASE} && umask 077 && mkdir -p -- /srv/app/backups && chmod 700 -- /srv/app/backups && file=/srv/app/backups/pre-migrate-"$release"-"$(date -u +%Y%m%dT%H%M%SZ)" && if [ -e "$file.dump" ]; then file="$file-$$"; fi && { ${COMPOSE} ${dump("the migrate")}`,
    ],
    [
      "preInfraBackupCommand",
      preInfraBackupCommand(LINKED, "db", 10),
      `if [ -e /srv/app/current ] && [ -n "$(docker compose --project-name shop --project-directory /srv/app/current --file /srv/app/current/docker-compose.yml --env-file /srv/app/current/.env ps --quiet --status running db 2>/dev/null)" ]; then ${RELEASE} && umask 077 && mkdir -p -- /srv/app/backups && chmod 700 -- /srv/app/backups && file=/srv/app/backups/pre-infra-"$release"-"$(date -u +%Y%m%dT%H%M%SZ)" && if [ -e "$file.dump" ]; then file="$file-$$"; fi && { docker compose --project-name shop --project-directory /srv/app/current --file /srv/app/current/docker-compose.yml --env-file /srv/app/current/.env ${dump("the change to the infra services", "infra")}; else echo 'no running database to back up before the infra change'; fi`,
    ],
    [
      "startCommand: current names the release directory, not the link",
      startCommand(LINKED, ["web", "celery_beat"], 90),
      `${COMPOSE} up --detach --no-build --wait --wait-timeout 90 --remove-orphans web celery_beat && ${RELEASE} && ln -sfn "$release_dir" /srv/app/current.next && mv -Tf /srv/app/current.next /srv/app/current`,
    ],
    [
      "pruneReleasesCommand: never the linked release",
      pruneReleasesCommand(LINKED, 3),
      `${RELEASE} && current_dir="$(readlink -- /srv/app/current || true)" && cd /srv/app/releases && ls -1t | grep -vxF -e "$release" -e "\${current_dir##*/}" | tail -n +3 | xargs -r rm -rf --`,
    ],
  ];
  for (const [name, actual, expected] of cases) it(name, () => assert.equal(actual, expected));

  it("releaseDir is the link; deployingLink sits beside current", () => {
    assert.equal(releaseDir(LINKED), "/srv/app/deploying");
    assert.equal(deployingLink("/srv/app"), "/srv/app/deploying");
    assert.equal(releaseDir({ ...LINKED, throughLink: false }), "/srv/app/releases/abc123def456");
  });
});

describe("commands through the deploying link under a real /bin/sh", () => {
  const boxes: Sandbox[] = [];
  after(() => boxes.forEach((b) => b.cleanup()));

  function setup(behaviour?: string) {
    const box = makeSandbox(behaviour);
    boxes.push(box);
    const t: ComposeTarget = {
      remoteDir: join(box.dir, `srv ${HOSTILE}`),
      releaseId: "rel 'q' $(touch CANARY);x",
      composeFile: "docker-compose.yml",
      composeProject: "p",
      dockerEnv: {},
      throughLink: true,
    };
    const named = join(t.remoteDir, "releases", t.releaseId);
    mkdirSync(named, { recursive: true });
    return { box, t, named };
  }

  it("prepare points the link at this release (over an older one) and writes .env there", () => {
    const { box, t, named } = setup();
    const older = join(t.remoteDir, "releases", "older");
    mkdirSync(older);
    symlinkSync(older, deployingLink(t.remoteDir));
    const result = box.run(prepareReleaseCommand(t, []), { input: "A='1'\n" });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readlinkSync(deployingLink(t.remoteDir)), named);
    assert.equal(readFileSync(join(named, ".env"), "utf8"), "A='1'\n");
    assert.deepEqual(readdirSync(older), []);
    assert.equal(existsSync(`${deployingLink(t.remoteDir)}.next`), false);
    assert.deepEqual(box.canaries(), []);
  });

  it("start, backup and prune act on the linked release", () => {
    const { box, t, named } = setup('[ "$1" = compose ] && printf DUMP; exit 0');
    symlinkSync(named, deployingLink(t.remoteDir));
    for (const old of ["a", "b", "c"]) mkdirSync(join(t.remoteDir, "releases", old));
    assert.equal(box.run(startCommand(t, ["web"], 90)).status, 0);
    assert.equal(readlinkSync(currentLink(t.remoteDir)), named);
    assert.equal(box.run(backupCommand(t, "db", 10)).status, 0);
    const dumps = readdirSync(join(t.remoteDir, "backups"));
    assert.equal(dumps.length, 1);
    assert.ok(dumps[0].startsWith(`pre-migrate-${t.releaseId}-`), dumps[0]);
    assert.equal(box.run(pruneReleasesCommand(t, 1)).status, 0);
    assert.deepEqual(readdirSync(join(t.remoteDir, "releases")), [t.releaseId]);
    assert.deepEqual(box.canaries(), []);
  });

  it("compose is given the release directory the link names, never the link", () => {
    const { box, t, named } = setup();
    symlinkSync(named, deployingLink(t.remoteDir));
    assert.equal(box.run(buildCommand(t, ["web"])).status, 0);
    const [call] = box.calls();
    const at = (flag: string) => call.argv[call.argv.indexOf(flag) + 1];
    assert.equal(at("--project-directory"), named);
    assert.equal(at("--file"), join(named, "docker-compose.yml"));
    assert.equal(at("--env-file"), join(named, ".env"));
    assert.deepEqual(box.canaries(), []);
  });

  it("without the link, start, backup and prune fail before doing anything", () => {
    const { box, t } = setup();
    for (const old of ["a", "b"]) mkdirSync(join(t.remoteDir, "releases", old));
    assert.notEqual(box.run(backupCommand(t, "db", 10)).status, 0);
    assert.notEqual(box.run(pruneReleasesCommand(t, 1)).status, 0);
    assert.equal(readdirSync(join(t.remoteDir, "releases")).length, 3);
    assert.equal(existsSync(join(t.remoteDir, "backups")), false);
    assert.notEqual(box.run(startCommand(t, ["web"], 90)).status, 0);
    assert.equal(existsSync(currentLink(t.remoteDir)), false);
  });
});
