import assert from "node:assert/strict";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import {
  backupCommand,
  preInfraBackupCommand,
  buildCommand,
  collectstaticCommand,
  composeDownCommand,
  type ComposeTarget,
  composeWords,
  currentLink,
  djangoCheckCommand,
  infraUpCommand,
  migrateCommand,
  prepareReleaseCommand,
  pruneReleasesCommand,
  releaseDir,
  startCommand,
  TEARDOWN_REGISTER,
  writeEnvFileCommand,
} from "../../../components/compose/commands";
import { HOSTILE, makeSandbox, type Sandbox } from "../shell/sandbox";

const PLAIN: ComposeTarget = {
  remoteDir: "/srv/app",
  releaseId: "abc123def456",
  composeFile: "docker-compose.yml",
  composeProject: "shop",
  dockerEnv: {},
};

/** Every path-like input and every dockerEnv value carries shell syntax that must stay data. */
const HOSTILE_TARGET: ComposeTarget = {
  remoteDir: "/srv/my app/$(touch CANARY)",
  releaseId: "r`touch CANARY`;x",
  composeFile: "d c'\"*.yml",
  composeProject: "p&&q",
  dockerEnv: { Z: "a b$(touch CANARY)`touch CANARY`;&&*\n'\"", A: "\\x y", DOCKER_BUILDKIT: "0" },
};

function build(t: ComposeTarget): [string, string][] {
  return [
    ["writeEnvFileCommand", writeEnvFileCommand(t)],
    ["infraUpCommand db redis 60", infraUpCommand(t, ["db", "redis"], 60)],
    ["buildCommand web worker", buildCommand(t, ["web", "worker"])],
    ["djangoCheckCommand", djangoCheckCommand(t, "web")],
    ["migrateCommand", migrateCommand(t, "web")],
    ["collectstaticCommand", collectstaticCommand(t, "web")],
    ["backupCommand", backupCommand(t, "db", 10)],
    ["startCommand", startCommand(t, ["web", "celery_worker", "celery_beat"], 90)],
    ["pruneReleasesCommand", pruneReleasesCommand(t, 3)],
    ["composeDownCommand", composeDownCommand(t)],
  ];
}

describe("compose command builders: exact strings, plain target", () => {
  const expected: [string, string][] = [
    [
      "writeEnvFileCommand",
      "umask 077 && cat > /srv/app/releases/abc123def456/.env.tmp && chmod 600 /srv/app/releases/abc123def456/.env.tmp && mv -f /srv/app/releases/abc123def456/.env.tmp /srv/app/releases/abc123def456/.env",
    ],
    [
      "infraUpCommand db redis 60",
      "docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env up --detach --wait --wait-timeout 60 db redis",
    ],
    [
      "buildCommand web worker",
      "docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env build web worker",
    ],
    [
      "djangoCheckCommand",
      "docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env run --rm -T web python manage.py check",
    ],
    [
      "migrateCommand",
      "if [ \"$(docker inspect --format \\{\\{.State.Running\\}\\} shop-migrate 2>/dev/null)\" = true ]; then echo 'waiting for the migrate an interrupted deploy left running (container shop-migrate)' >&2; docker wait shop-migrate >/dev/null; fi && { docker rm shop-migrate >/dev/null 2>&1 || true; } && docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env run --rm --name shop-migrate -T web python manage.py migrate --noinput && docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env run --rm -T web python manage.py migrate --check",
    ],
    [
      "collectstaticCommand",
      "docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env run --rm -T web python manage.py collectstatic --noinput",
    ],
    [
      "backupCommand",
      'umask 077 && mkdir -p -- /srv/app/backups && chmod 700 -- /srv/app/backups && file=/srv/app/backups/pre-migrate-abc123def456-"$(date -u +%Y%m%dT%H%M%SZ)" && if [ -e "$file.dump" ]; then file="$file-$$"; fi && { docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env exec -T db sh -c \'pg_dump --format=custom --no-owner --username "$POSTGRES_USER" "${POSTGRES_DB:-$POSTGRES_USER}"\' > "$file.dump.tmp" || { rm -f -- "$file.dump.tmp"; printf \'%s\\n\' \'The database dump into /srv/app/backups failed (a full disk shows as "no space left on device"), so the deploy stopped before the migrate; the running release is untouched. Free space there (its usage is below), then run pulumi up again.\' >&2; df -h -- /srv/app/backups >&2; exit 1; }; } && mv -f "$file.dump.tmp" "$file.dump" && (cd /srv/app/backups && ls -1t -- pre-migrate-*.dump | tail -n +11 | xargs -r rm -f --)',
    ],
    [
      "startCommand",
      "docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env up --detach --no-build --wait --wait-timeout 90 --remove-orphans web celery_worker celery_beat && ln -sfn /srv/app/releases/abc123def456 /srv/app/current.next && mv -Tf /srv/app/current.next /srv/app/current",
    ],
    [
      "pruneReleasesCommand",
      'current_dir="$(readlink -- /srv/app/current || true)" && cd /srv/app/releases && ls -1t | grep -vxF -e abc123def456 -e "${current_dir##*/}" | tail -n +3 | xargs -r rm -rf --',
    ],
    [
      "composeDownCommand",
      "if [ -e /srv/app/current ]; then docker compose --project-name shop --project-directory /srv/app/current --file /srv/app/current/docker-compose.yml --env-file /srv/app/current/.env down --remove-orphans; fi",
    ],
  ];
  const actual = build(PLAIN);
  for (const [i, [name, command]] of expected.entries()) {
    it(name, () => assert.equal(actual[i][1], command));
  }
  it("paths and the teardown create", () => {
    assert.equal(releaseDir(PLAIN), "/srv/app/releases/abc123def456");
    assert.equal(currentLink("/srv/app"), "/srv/app/current");
    assert.equal(TEARDOWN_REGISTER, "true");
  });
});

describe("compose command builders: exact strings, hostile target and dockerEnv (sorted by name)", () => {
  const expected: [string, string][] = [
    [
      "writeEnvFileCommand",
      "umask 077 && cat > '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x/.env.tmp' && chmod 600 '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x/.env.tmp' && mv -f '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x/.env.tmp' '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x/.env'",
    ],
    [
      "infraUpCommand db redis 60",
      "env 'A=\\x y' DOCKER_BUILDKIT\\=0 \"Z=a b\\$(touch CANARY)\\`touch CANARY\\`;&&*\n'\\\"\" docker compose --project-name p\\&\\&q --project-directory '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x' --file \"/srv/my app/\\$(touch CANARY)/releases/r\\`touch CANARY\\`;x/d c'\\\"*.yml\" --env-file '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x/.env' up --detach --wait --wait-timeout 60 db redis",
    ],
    [
      "buildCommand web worker",
      "env 'A=\\x y' DOCKER_BUILDKIT\\=0 \"Z=a b\\$(touch CANARY)\\`touch CANARY\\`;&&*\n'\\\"\" docker compose --project-name p\\&\\&q --project-directory '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x' --file \"/srv/my app/\\$(touch CANARY)/releases/r\\`touch CANARY\\`;x/d c'\\\"*.yml\" --env-file '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x/.env' build web worker",
    ],
    [
      "djangoCheckCommand",
      "env 'A=\\x y' DOCKER_BUILDKIT\\=0 \"Z=a b\\$(touch CANARY)\\`touch CANARY\\`;&&*\n'\\\"\" docker compose --project-name p\\&\\&q --project-directory '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x' --file \"/srv/my app/\\$(touch CANARY)/releases/r\\`touch CANARY\\`;x/d c'\\\"*.yml\" --env-file '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x/.env' run --rm -T web python manage.py check",
    ],
    [
      "migrateCommand",
      "if [ \"$(env 'A=\\x y' DOCKER_BUILDKIT\\=0 \"Z=a b\\$(touch CANARY)\\`touch CANARY\\`;&&*\n'\\\"\" docker inspect --format \\{\\{.State.Running\\}\\} p\\&\\&q-migrate 2>/dev/null)\" = true ]; then echo 'waiting for the migrate an interrupted deploy left running (container p&&q-migrate)' >&2; env 'A=\\x y' DOCKER_BUILDKIT\\=0 \"Z=a b\\$(touch CANARY)\\`touch CANARY\\`;&&*\n'\\\"\" docker wait p\\&\\&q-migrate >/dev/null; fi && { env 'A=\\x y' DOCKER_BUILDKIT\\=0 \"Z=a b\\$(touch CANARY)\\`touch CANARY\\`;&&*\n'\\\"\" docker rm p\\&\\&q-migrate >/dev/null 2>&1 || true; } && env 'A=\\x y' DOCKER_BUILDKIT\\=0 \"Z=a b\\$(touch CANARY)\\`touch CANARY\\`;&&*\n'\\\"\" docker compose --project-name p\\&\\&q --project-directory '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x' --file \"/srv/my app/\\$(touch CANARY)/releases/r\\`touch CANARY\\`;x/d c'\\\"*.yml\" --env-file '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x/.env' run --rm --name p\\&\\&q-migrate -T web python manage.py migrate --noinput && env 'A=\\x y' DOCKER_BUILDKIT\\=0 \"Z=a b\\$(touch CANARY)\\`touch CANARY\\`;&&*\n'\\\"\" docker compose --project-name p\\&\\&q --project-directory '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x' --file \"/srv/my app/\\$(touch CANARY)/releases/r\\`touch CANARY\\`;x/d c'\\\"*.yml\" --env-file '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x/.env' run --rm -T web python manage.py migrate --check",
    ],
    [
      "collectstaticCommand",
      "env 'A=\\x y' DOCKER_BUILDKIT\\=0 \"Z=a b\\$(touch CANARY)\\`touch CANARY\\`;&&*\n'\\\"\" docker compose --project-name p\\&\\&q --project-directory '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x' --file \"/srv/my app/\\$(touch CANARY)/releases/r\\`touch CANARY\\`;x/d c'\\\"*.yml\" --env-file '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x/.env' run --rm -T web python manage.py collectstatic --noinput",
    ],
    [
      "backupCommand",
      'umask 077 && mkdir -p -- \'/srv/my app/$(touch CANARY)/backups\' && chmod 700 -- \'/srv/my app/$(touch CANARY)/backups\' && file=\'/srv/my app/$(touch CANARY)/backups/pre-migrate-r`touch CANARY`;x-\'"$(date -u +%Y%m%dT%H%M%SZ)" && if [ -e "$file.dump" ]; then file="$file-$$"; fi && { env \'A=\\x y\' DOCKER_BUILDKIT\\=0 "Z=a b\\$(touch CANARY)\\`touch CANARY\\`;&&*\n\'\\"" docker compose --project-name p\\&\\&q --project-directory \'/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x\' --file "/srv/my app/\\$(touch CANARY)/releases/r\\`touch CANARY\\`;x/d c\'\\"*.yml" --env-file \'/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x/.env\' exec -T db sh -c \'pg_dump --format=custom --no-owner --username "$POSTGRES_USER" "${POSTGRES_DB:-$POSTGRES_USER}"\' > "$file.dump.tmp" || { rm -f -- "$file.dump.tmp"; printf \'%s\\n\' \'The database dump into /srv/my app/$(touch CANARY)/backups failed (a full disk shows as "no space left on device"), so the deploy stopped before the migrate; the running release is untouched. Free space there (its usage is below), then run pulumi up again.\' >&2; df -h -- \'/srv/my app/$(touch CANARY)/backups\' >&2; exit 1; }; } && mv -f "$file.dump.tmp" "$file.dump" && (cd \'/srv/my app/$(touch CANARY)/backups\' && ls -1t -- pre-migrate-*.dump | tail -n +11 | xargs -r rm -f --)',
    ],
    [
      "startCommand",
      "env 'A=\\x y' DOCKER_BUILDKIT\\=0 \"Z=a b\\$(touch CANARY)\\`touch CANARY\\`;&&*\n'\\\"\" docker compose --project-name p\\&\\&q --project-directory '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x' --file \"/srv/my app/\\$(touch CANARY)/releases/r\\`touch CANARY\\`;x/d c'\\\"*.yml\" --env-file '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x/.env' up --detach --no-build --wait --wait-timeout 90 --remove-orphans web celery_worker celery_beat && ln -sfn '/srv/my app/$(touch CANARY)/releases/r`touch CANARY`;x' '/srv/my app/$(touch CANARY)/current.next' && mv -Tf '/srv/my app/$(touch CANARY)/current.next' '/srv/my app/$(touch CANARY)/current'",
    ],
    [
      "pruneReleasesCommand",
      "current_dir=\"$(readlink -- '/srv/my app/$(touch CANARY)/current' || true)\" && cd '/srv/my app/$(touch CANARY)/releases' && ls -1t | grep -vxF -e 'r`touch CANARY`;x' -e \"${current_dir##*/}\" | tail -n +3 | xargs -r rm -rf --",
    ],
    [
      "composeDownCommand",
      "if [ -e '/srv/my app/$(touch CANARY)/current' ]; then env 'A=\\x y' DOCKER_BUILDKIT\\=0 \"Z=a b\\$(touch CANARY)\\`touch CANARY\\`;&&*\n'\\\"\" docker compose --project-name p\\&\\&q --project-directory '/srv/my app/$(touch CANARY)/current' --file \"/srv/my app/\\$(touch CANARY)/current/d c'\\\"*.yml\" --env-file '/srv/my app/$(touch CANARY)/current/.env' down --remove-orphans; fi",
    ],
  ];
  const actual = build(HOSTILE_TARGET);
  for (const [i, [name, command]] of expected.entries()) {
    it(name, () => assert.equal(actual[i][1], command));
  }
});

describe("compose commands under a real /bin/sh with a recording docker stub", () => {
  const boxes: Sandbox[] = [];
  after(() => boxes.forEach((b) => b.cleanup()));

  /** A target below a fresh sandbox whose every part is hostile; its release dir exists. */
  function setup(behaviour?: string) {
    const box = makeSandbox(behaviour);
    boxes.push(box);
    const t: ComposeTarget = {
      remoteDir: join(box.dir, `srv ${HOSTILE}`),
      releaseId: "rel 'q' \"d\" $(touch CANARY);x`touch CANARY`",
      composeFile: "dc $(touch CANARY) 'q' *.yml",
      composeProject: "p;touch CANARY",
      dockerEnv: { Z: HOSTILE, A: "\\x y", DOCKER_BUILDKIT: "0" },
    };
    const rel = releaseDir(t);
    mkdirSync(rel, { recursive: true });
    return { box, t, rel, compose: composeArgvIn(t, rel) };
  }

  /** What the docker stub records for `docker compose` pinned to `dir`. */
  function composeArgvIn(t: ComposeTarget, dir: string): string[] {
    return [
      "compose",
      "--project-name",
      t.composeProject,
      "--project-directory",
      dir,
      "--file",
      `${dir}/${t.composeFile}`,
      "--env-file",
      `${dir}/.env`,
    ];
  }

  function assertDockerEnv(box: Sandbox) {
    for (const call of box.calls()) {
      assert.equal(call.env.Z, HOSTILE);
      assert.equal(call.env.A, "\\x y");
      assert.equal(call.env.DOCKER_BUILDKIT, "0");
    }
  }

  const single: [string, (t: ComposeTarget) => string, string[]][] = [
    [
      "infraUpCommand",
      (t) => infraUpCommand(t, ["db", "redis"], 60),
      ["up", "--detach", "--wait", "--wait-timeout", "60", "db", "redis"],
    ],
    ["buildCommand", (t) => buildCommand(t, ["web", "worker"]), ["build", "web", "worker"]],
    [
      "djangoCheckCommand",
      (t) => djangoCheckCommand(t, "web"),
      ["run", "--rm", "-T", "web", "python", "manage.py", "check"],
    ],
    [
      "collectstaticCommand",
      (t) => collectstaticCommand(t, "web"),
      ["run", "--rm", "-T", "web", "python", "manage.py", "collectstatic", "--noinput"],
    ],
  ];
  for (const [name, make, tail] of single) {
    it(`${name}: one docker call with exactly the intended argv and env, nothing executed`, () => {
      const { box, t, compose } = setup();
      const result = box.run(make(t));
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(
        box.calls().map((c) => c.argv),
        [[...compose, ...tail]],
      );
      assertDockerEnv(box);
      assert.deepEqual(box.canaries(), []);
    });
  }

  it("composeWords is the argv prefix every compose call gets", () => {
    const { t, compose } = setup();
    assert.deepEqual(composeWords(t), [
      "env",
      "A=\\x y",
      "DOCKER_BUILDKIT=0",
      `Z=${HOSTILE}`,
      "docker",
      ...compose,
    ]);
  });

  it("migrateCommand: migrate --noinput in a named container, then migrate --check", () => {
    const { box, t, compose } = setup();
    const result = box.run(migrateCommand(t, "web"));
    assert.equal(result.status, 0, result.stderr);
    const name = `${t.composeProject}-migrate`;
    const manage = ["web", "python", "manage.py", "migrate"];
    assert.deepEqual(
      box.calls().map((c) => c.argv),
      [
        ["inspect", "--format", "{{.State.Running}}", name],
        ["rm", name],
        [...compose, "run", "--rm", "--name", name, "-T", ...manage, "--noinput"],
        [...compose, "run", "--rm", "-T", ...manage, "--check"],
      ],
    );
    assertDockerEnv(box);
    assert.deepEqual(box.canaries(), []);
  });

  it("migrateCommand: a migrate left running by a dropped connection is waited for, not doubled", () => {
    const { box, t } = setup('[ "$1" = inspect ] && echo true; exit 0');
    const result = box.run(migrateCommand(t, "web"));
    assert.equal(result.status, 0, result.stderr);
    const name = `${t.composeProject}-migrate`;
    assert.deepEqual(
      box
        .calls()
        .slice(0, 3)
        .map((c) => c.argv),
      [
        ["inspect", "--format", "{{.State.Running}}", name],
        ["wait", name],
        ["rm", name],
      ],
    );
    assert.match(result.stderr, /waiting for the migrate an interrupted deploy left running/);
  });

  it("migrateCommand: a failing migrate stops before the check and fails the command", () => {
    const { box, t } = setup('case "$*" in *--noinput*) exit 3;; esac; exit 0');
    const result = box.run(migrateCommand(t, "web"));
    assert.equal(result.status, 3);
    assert.equal(box.calls().length, 3);
  });

  it("backupCommand: the dump from `exec` lands in its own file, 0600 in a 0700 dir, no .tmp", () => {
    const { box, t, compose } = setup('[ "$1" = compose ] && printf "DUMP\\0BYTES"; exit 0');
    const result = box.run(backupCommand(t, "db", 10));
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(
      box.calls().map((c) => c.argv),
      [
        [
          ...compose,
          "exec",
          "-T",
          "db",
          "sh",
          "-c",
          'pg_dump --format=custom --no-owner --username "$POSTGRES_USER" "${POSTGRES_DB:-$POSTGRES_USER}"',
        ],
      ],
    );
    assertDockerEnv(box);
    const backups = join(t.remoteDir, "backups");
    const files = readdirSync(backups);
    assert.equal(files.length, 1, files.join(", "));
    const pattern = `^pre-migrate-${t.releaseId.replace(/[^\w]/g, "\\$&")}-\\d{8}T\\d{6}Z\\.dump$`;
    assert.match(files[0], new RegExp(pattern));
    assert.equal(readFileSync(join(backups, files[0]), "latin1"), "DUMP\0BYTES");
    assert.equal(statSync(join(backups, files[0])).mode & 0o777, 0o600);
    assert.equal(statSync(backups).mode & 0o777, 0o700);
    assert.deepEqual(box.canaries(), []);
  });

  it("preInfraBackupCommand: on a first deploy (no current release) it dumps nothing", () => {
    const { box, t } = setup();
    const result = box.run(preInfraBackupCommand(t, "db", 10));
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(box.calls(), []);
    assert.match(result.stdout, /no running database to back up/);
  });

  it("preInfraBackupCommand: dumps the running database through the current release's files", () => {
    const { box, t, rel } = setup(
      '[ "$1" = compose ] && case "$*" in *" ps "*) echo c0ffee;; *) printf DUMP;; esac; exit 0',
    );
    symlinkSync(rel, currentLink(t.remoteDir));
    const result = box.run(preInfraBackupCommand(t, "db", 10));
    assert.equal(result.status, 0, result.stderr);
    const compose = composeArgvIn(t, currentLink(t.remoteDir));
    assert.deepEqual(
      box.calls().map((c) => c.argv.slice(0, compose.length + 1)),
      [
        [...compose, "ps"],
        [...compose, "exec"],
      ],
    );
    const files = readdirSync(join(t.remoteDir, "backups"));
    assert.equal(files.length, 1);
    assert.ok(files[0].startsWith(`pre-infra-${t.releaseId}-`), files[0]);
    assert.deepEqual(box.canaries(), []);
  });

  it("preInfraBackupCommand: a stopped database is not dumped, and that is not an error", () => {
    const { box, t, rel } = setup();
    symlinkSync(rel, currentLink(t.remoteDir));
    const result = box.run(preInfraBackupCommand(t, "db", 10));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(box.calls().length, 1, "only the ps");
    assert.equal(existsSync(join(t.remoteDir, "backups")), false);
  });

  it("backupCommand: a second dump never overwrites the first, even within the same second", () => {
    const { box, t } = setup('[ "$1" = compose ] && printf "DUMP"; exit 0');
    assert.equal(box.run(backupCommand(t, "db", 10)).status, 0);
    assert.equal(box.run(backupCommand(t, "db", 10)).status, 0);
    assert.equal(readdirSync(join(t.remoteDir, "backups")).length, 2);
  });

  it("backupCommand: keeps the newest `keep` pre-migrate dumps, and only those", () => {
    const { box, t } = setup('[ "$1" = compose ] && printf "DUMP"; exit 0');
    const backups = join(t.remoteDir, "backups");
    mkdirSync(backups, { recursive: true });
    const old = (name: string, daysAgo: number) => {
      writeFileSync(join(backups, name), "old");
      const when = new Date(Date.now() - daysAgo * 86400_000);
      utimesSync(join(backups, name), when, when);
    };
    old("pre-migrate-aaa.dump", 3); // the name earlier versions used
    old("pre-migrate-bbb-20260101T000000Z.dump", 2);
    old("pre-migrate-ccc-20260102T000000Z.dump", 1);
    old("restore-me.sql", 5);
    // The dump an upgrade's restore needs: pre-migrate dumps never push it out.
    old("pre-infra-zzz-20251201T000000Z.dump", 30);
    assert.equal(box.run(backupCommand(t, "db", 2)).status, 0);
    const left = readdirSync(backups).sort();
    assert.equal(left.length, 4, left.join(", "));
    assert.ok(left.includes("pre-infra-zzz-20251201T000000Z.dump"));
    assert.ok(left.includes("pre-migrate-ccc-20260102T000000Z.dump"));
    assert.ok(left.includes("restore-me.sql"), "a file that is not a dump is never pruned");
    assert.ok(left.some((f) => f.startsWith(`pre-migrate-${t.releaseId}-`)));
  });

  it("backupCommand: a failing pg_dump fails the step and leaves no finished dump", () => {
    const { box, t } = setup("echo partial; exit 1");
    const result = box.run(backupCommand(t, "db", 10));
    assert.equal(result.status, 1);
    const left = readdirSync(join(t.remoteDir, "backups"));
    assert.deepEqual(left, [], "neither a finished nor a partial dump is left");
    assert.match(
      result.stderr,
      /The database dump into [^]*\/backups failed .*the deploy stopped before the migrate; the running release is untouched\./,
    );
    assert.match(result.stderr, /Filesystem .*Avail/, "the directory's usage follows");
  });

  it("startCommand: up --no-build --wait for the app services, then current -> this release", () => {
    const { box, t, rel, compose } = setup();
    const result = box.run(startCommand(t, ["web", "celery_worker"], 90));
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(
      box.calls().map((c) => c.argv),
      [
        [
          ...compose,
          "up",
          "--detach",
          "--no-build",
          "--wait",
          "--wait-timeout",
          "90",
          "--remove-orphans",
          "web",
          "celery_worker",
        ],
      ],
    );
    assertDockerEnv(box);
    assert.equal(readlinkSync(currentLink(t.remoteDir)), rel);
    assert.equal(existsSync(`${currentLink(t.remoteDir)}.next`), false, "no link left behind");
    assert.deepEqual(box.canaries(), []);
  });

  it("startCommand: replaces an existing current link (redeploy), never descends into it", () => {
    const { box, t, rel } = setup();
    const old = join(t.remoteDir, "releases", "old");
    mkdirSync(old);
    symlinkSync(old, currentLink(t.remoteDir));
    assert.equal(box.run(startCommand(t, ["web"], 90)).status, 0);
    assert.equal(readlinkSync(currentLink(t.remoteDir)), rel);
    assert.deepEqual(readdirSync(old), []);
  });

  it("startCommand: services failing their healthchecks leave current where it was", () => {
    const { box, t } = setup("exit 1");
    const old = join(t.remoteDir, "releases", "old");
    mkdirSync(old);
    symlinkSync(old, currentLink(t.remoteDir));
    assert.equal(box.run(startCommand(t, ["web"], 90)).status, 1);
    assert.equal(readlinkSync(currentLink(t.remoteDir)), old);
  });

  it("composeDownCommand: without a current release it does nothing and succeeds", () => {
    const { box, t } = setup();
    const result = box.run(composeDownCommand(t));
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(box.calls(), []);
  });

  it("composeDownCommand: down --remove-orphans (never -v) in the current release", () => {
    const { box, t, rel } = setup();
    symlinkSync(rel, currentLink(t.remoteDir));
    const result = box.run(composeDownCommand(t));
    assert.equal(result.status, 0, result.stderr);
    const cur = currentLink(t.remoteDir);
    assert.deepEqual(
      box.calls().map((c) => c.argv),
      [
        [
          "compose",
          "--project-name",
          t.composeProject,
          "--project-directory",
          cur,
          "--file",
          `${cur}/${t.composeFile}`,
          "--env-file",
          `${cur}/.env`,
          "down",
          "--remove-orphans",
        ],
      ],
    );
    assertDockerEnv(box);
    assert.deepEqual(box.canaries(), []);
  });
});

describe("writeEnvFileCommand under a real /bin/sh", () => {
  const boxes: Sandbox[] = [];
  after(() => boxes.forEach((b) => b.cleanup()));
  const content = `# header\nSECRET='${'$(touch CANARY) `touch CANARY` ; && * "x"'}'\nB='line1\nline2'\n`;

  function setup() {
    const box = makeSandbox();
    boxes.push(box);
    const t: ComposeTarget = {
      remoteDir: join(box.dir, `srv ${HOSTILE}`),
      releaseId: "rel $(touch CANARY) 'q'",
      composeFile: "docker-compose.yml",
      composeProject: "app",
      dockerEnv: {},
    };
    mkdirSync(releaseDir(t), { recursive: true });
    return { box, t, env: join(releaseDir(t), ".env") };
  }

  it("writes stdin byte for byte, mode 0600, and leaves no .tmp", () => {
    const { box, t, env } = setup();
    const result = box.run(writeEnvFileCommand(t), { input: content });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(env, "utf8"), content);
    assert.equal(statSync(env).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(releaseDir(t)), [".env"]);
    assert.deepEqual(box.canaries(), []);
  });

  it("replaces an existing world-readable .env: new content, mode 0600", () => {
    const { box, t, env } = setup();
    writeFileSync(env, "OLD='1'\n", { mode: 0o644 });
    const result = box.run(writeEnvFileCommand(t), { input: "NEW='2'\n" });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(env, "utf8"), "NEW='2'\n");
    assert.equal(statSync(env).mode & 0o777, 0o600);
    assert.equal(lstatSync(env).isFile(), true);
    assert.deepEqual(readdirSync(releaseDir(t)), [".env"]);
  });

  it("prepareReleaseCommand restores the exec bits the upload dropped, then writes .env", () => {
    const { box, t, env } = setup();
    const odd = "bin/run $(touch CANARY) 'x'.sh";
    mkdirSync(join(releaseDir(t), "bin"));
    for (const file of ["manage.py", odd, "plain.py"]) {
      writeFileSync(join(releaseDir(t), file), "#!/bin/sh\n", { mode: 0o644 });
    }
    const result = box.run(prepareReleaseCommand(t, ["manage.py", odd]), { input: content });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(statSync(join(releaseDir(t), "manage.py")).mode & 0o777, 0o755);
    assert.equal(statSync(join(releaseDir(t), odd)).mode & 0o777, 0o755);
    assert.equal(statSync(join(releaseDir(t), "plain.py")).mode & 0o777, 0o644);
    assert.equal(readFileSync(env, "utf8"), content);
    assert.deepEqual(box.canaries(), []);
  });

  it("prepareReleaseCommand with no executables is writeEnvFileCommand", () => {
    const { t } = setup();
    assert.equal(prepareReleaseCommand(t, []), writeEnvFileCommand(t));
    assert.equal(
      prepareReleaseCommand({ ...t, remoteDir: "/srv/shop", releaseId: "r1" }, [
        "manage.py",
        "a b",
      ]),
      `chmod a+x -- /srv/shop/releases/r1/manage.py '/srv/shop/releases/r1/a b' && ${writeEnvFileCommand({ ...t, remoteDir: "/srv/shop", releaseId: "r1" })}`,
    );
  });

  it("fails when the release directory is missing (upload did not happen)", () => {
    const { box, t } = setup();
    const missing = { ...t, releaseId: "not-uploaded" };
    assert.notEqual(box.run(writeEnvFileCommand(missing), { input: content }).status, 0);
  });
});

describe("pruneReleasesCommand under a real /bin/sh", () => {
  const boxes: Sandbox[] = [];
  after(() => boxes.forEach((b) => b.cleanup()));

  /** releases/r1..rN, r1 oldest; each holds a file so rm -rf has work to do. */
  function setup(n: number) {
    const box = makeSandbox();
    boxes.push(box);
    const remoteDir = join(box.dir, `srv ${HOSTILE}`);
    const releases = join(remoteDir, "releases");
    const now = Date.now() / 1000;
    for (let i = 1; i <= n; i++) {
      const dir = join(releases, `r${i}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "manage.py"), "");
      utimesSync(dir, now - 1000 + i * 10, now - 1000 + i * 10);
    }
    const target = (releaseId: string): ComposeTarget => ({
      remoteDir,
      releaseId,
      composeFile: "docker-compose.yml",
      composeProject: "app",
      dockerEnv: {},
    });
    return { box, releases, target };
  }

  const cases: [string, number, string, number, string[]][] = [
    ["keep 3, current is the newest", 6, "r6", 3, ["r4", "r5", "r6"]],
    [
      "keep 3, current is old (redeploy of r2): r2 plus the 2 newest others",
      6,
      "r2",
      3,
      ["r2", "r5", "r6"],
    ],
    ["keep 1: only the current release", 6, "r3", 1, ["r3"]],
    ["fewer releases than keep: nothing removed", 2, "r2", 5, ["r1", "r2"]],
  ];
  it("never the release `current` names (an ops rollback made it older than the deploy's)", () => {
    const { box, releases, target } = setup(6);
    symlinkSync(join(releases, "r1"), join(releases, "..", "current"));
    const result = box.run(pruneReleasesCommand(target("r6"), 2));
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readdirSync(releases).sort(), ["r1", "r5", "r6"]);
  });

  for (const [name, n, current, keep, survivors] of cases) {
    it(name, () => {
      const { box, releases, target } = setup(n);
      const result = box.run(pruneReleasesCommand(target(current), keep));
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(readdirSync(releases).sort(), survivors);
      assert.deepEqual(box.canaries(), []);
    });
  }
});
