import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import { backupsDir, bootstrapCommand, releasesDir } from "../../../components/server/commands";
import { HOSTILE, makeSandbox, type Sandbox } from "../shell/sandbox";

const NO_DOCKER =
  "Docker is not installed on this server. Fix: install Docker Engine (Debian/Ubuntu: apt-get install docker.io, or Docker's own packages) and re-run pulumi up.";
const NO_DAEMON =
  "The deploy user cannot talk to the Docker daemon. Fix: start dockerd, and add the user to the docker group (usermod -aG docker <user>) or deploy as root.";
const NO_COMPOSE =
  "Docker Compose v2 (the 'docker compose' plugin) is missing on this server. Fix: install the docker-compose-plugin package or put the compose binary in /usr/local/lib/docker/cli-plugins/docker-compose.";

const CHECKS =
  "command -v docker >/dev/null 2>&1 || { printf '%s\\n' \"Docker is not installed on this server. Fix: install Docker Engine (Debian/Ubuntu: apt-get install docker.io, or Docker's own packages) and re-run pulumi up.\" >&2; exit 1; } && docker info >/dev/null 2>&1 || { printf '%s\\n' 'The deploy user cannot talk to the Docker daemon. Fix: start dockerd, and add the user to the docker group (usermod -aG docker <user>) or deploy as root.' >&2; exit 1; } && docker compose version >/dev/null 2>&1 || { printf '%s\\n' \"Docker Compose v2 (the 'docker compose' plugin) is missing on this server. Fix: install the docker-compose-plugin package or put the compose binary in /usr/local/lib/docker/cli-plugins/docker-compose.\" >&2; exit 1; }";

describe("server paths", () => {
  it("releases and backups live directly below remoteDir", () => {
    assert.equal(releasesDir("/srv/app"), "/srv/app/releases");
    assert.equal(backupsDir("/srv/app"), "/srv/app/backups");
  });
});

describe("bootstrapCommand: exact strings", () => {
  it("plain remoteDir", () => {
    assert.equal(
      bootstrapCommand({ remoteDir: "/srv/app" }),
      `${CHECKS} && mkdir -p -- /srv/app/releases /srv/app/backups && chmod 700 -- /srv/app/backups`,
    );
  });
  it("hostile remoteDir is quoted", () => {
    assert.equal(
      bootstrapCommand({ remoteDir: "/srv/my app/$(touch CANARY);x" }),
      `${CHECKS} && mkdir -p -- '/srv/my app/$(touch CANARY);x/releases' '/srv/my app/$(touch CANARY);x/backups' && chmod 700 -- '/srv/my app/$(touch CANARY);x/backups'`,
    );
  });
});

describe("bootstrapCommand under /bin/sh", () => {
  const boxes: Sandbox[] = [];
  const sandbox = (behaviour?: string) => {
    const box = makeSandbox(behaviour);
    boxes.push(box);
    return box;
  };
  after(() => boxes.forEach((b) => b.cleanup()));

  it("with docker and compose present: checks both, creates releases/ and backups/ under a hostile remoteDir", () => {
    const box = sandbox();
    const remoteDir = join(box.dir, HOSTILE);
    const result = box.run(bootstrapCommand({ remoteDir }));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert.deepEqual(
      box.calls().map((c) => c.argv),
      [["info"], ["compose", "version"]],
    );
    assert.ok(statSync(join(remoteDir, "releases")).isDirectory());
    assert.ok(statSync(join(remoteDir, "backups")).isDirectory());
    assert.deepEqual(box.canaries(), []);
  });

  it("is idempotent: a second run over existing directories succeeds", () => {
    const box = sandbox();
    const command = bootstrapCommand({ remoteDir: join(box.dir, "srv") });
    assert.equal(box.run(command).status, 0);
    assert.equal(box.run(command).status, 0);
  });

  const failures: [string, string | undefined, string | undefined, string][] = [
    ["docker missing from PATH", undefined, "/nonexistent", NO_DOCKER],
    [
      "docker info failing (no daemon / no permission)",
      '[ "$1" = info ] && exit 1; exit 0',
      undefined,
      NO_DAEMON,
    ],
    [
      "docker compose version failing (no Compose v2)",
      '[ "$1 $2" = "compose version" ] && exit 1; exit 0',
      undefined,
      NO_COMPOSE,
    ],
  ];
  for (const [name, behaviour, path, message] of failures) {
    it(`${name}: exit 1, the fix on stderr, no directories`, () => {
      const box = sandbox(behaviour);
      const remoteDir = join(box.dir, "srv");
      const result = box.run(bootstrapCommand({ remoteDir }), { path });
      assert.equal(result.status, 1);
      assert.equal(result.stderr, `${message}\n`);
      assert.equal(result.stdout, "");
      assert.equal(existsSync(remoteDir), false);
    });
  }
});
