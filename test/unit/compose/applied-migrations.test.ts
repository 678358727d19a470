import assert from "node:assert/strict";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  appliedMigrationsCommand,
  parseAppliedRows,
} from "../../../components/compose/applied-migrations";
import { makeSandbox } from "../shell/sandbox";

const TARGET = {
  remoteDir: "/srv/app",
  composeFile: "docker-compose.yml",
  composeProject: "app",
  dockerEnv: {},
};

describe("reading the server's django_migrations", () => {
  it("appliedMigrationsCommand: through the current release's compose, read-only, markers otherwise", () => {
    const compose =
      "docker compose --project-name app --project-directory /srv/app/current --file /srv/app/current/docker-compose.yml --env-file /srv/app/current/.env";
    assert.equal(
      appliedMigrationsCommand(TARGET, "db"),
      `if [ ! -e /srv/app/current ]; then echo \\#no-release; ` +
        `elif [ -z "$(${compose} ps --quiet --status running db 2>/dev/null)" ]; then echo \\#no-database; ` +
        `else ${compose} exec -T db sh -c "export PGOPTIONS='-c default_transaction_read_only=on'; ` +
        `q() { psql --no-psqlrc --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 --username \\"\\$POSTGRES_USER\\" --dbname \\"\\\${POSTGRES_DB:-\\$POSTGRES_USER}\\" -c \\"\\$1\\"; }; ` +
        `if [ \\"\\$(q \\"select to_regclass('django_migrations') is not null\\")\\" = t ]; then q \\"select app || '.' || name from django_migrations order by id\\"; else echo '#no-table'; fi"; fi`,
    );
  });

  it("appliedMigrationsCommand: dockerEnv and a hostile service name stay quoted", () => {
    const command = appliedMigrationsCommand(
      { ...TARGET, dockerEnv: { DOCKER_BUILDKIT: "0" } },
      "db; rm -rf /",
    );
    assert.match(command, /elif \[ -z "\$\(env DOCKER_BUILDKIT\\=0 docker compose /);
    assert.match(command, / running 'db; rm -rf \/' 2>/);
    assert.match(command, / exec -T 'db; rm -rf \/' sh -c /);
  });

  it("parseAppliedRows: rows in applied order, each marker, and a strange line is an error", () => {
    assert.deepEqual(
      parseAppliedRows("contenttypes.0001_initial\naccounts.0001_initial\naccounts.0003_x\n"),
      {
        kind: "rows",
        applied: ["contenttypes.0001_initial", "accounts.0001_initial", "accounts.0003_x"],
      },
    );
    assert.deepEqual(parseAppliedRows(""), { kind: "rows", applied: [] });
    assert.deepEqual(parseAppliedRows("#no-release\n"), { kind: "no-release" });
    assert.deepEqual(parseAppliedRows("#no-database\n"), { kind: "no-database" });
    assert.deepEqual(parseAppliedRows("#no-table\n"), { kind: "no-table" });
    assert.throws(
      () => parseAppliedRows("accounts.0001_initial\npsql: error: connection refused\n"),
      /Unexpected line reading django_migrations: "psql: error: connection refused"/,
    );
    assert.throws(() => parseAppliedRows("noperiod\n"), /Unexpected line/);
  });

  it("runs under sh: markers without a release or a running db, rows from exec otherwise", () => {
    // The stub docker: `ps` prints a container id only when RUNNING exists; `exec` prints rows.
    const box = makeSandbox(
      'case "$*" in *" ps "*) [ -e "$PWD/RUNNING" ] && echo c0ffee;; *" exec "*) printf "accounts.0001_initial\\n";; esac; exit 0',
    );
    try {
      const target = { ...TARGET, remoteDir: join(box.dir, "srv") };
      mkdirSync(join(target.remoteDir, "releases", "r1"), { recursive: true });
      const read = () => {
        const r = box.run(appliedMigrationsCommand(target, "db"));
        assert.equal(r.status, 0, r.stderr);
        return parseAppliedRows(r.stdout);
      };
      assert.deepEqual(read(), { kind: "no-release" });
      assert.equal(box.calls().length, 0, "no release: docker is not called");
      symlinkSync(join(target.remoteDir, "releases", "r1"), join(target.remoteDir, "current"));
      assert.deepEqual(read(), { kind: "no-database" });
      box.run("touch RUNNING");
      assert.deepEqual(read(), { kind: "rows", applied: ["accounts.0001_initial"] });
      const exec = box.calls().at(-1)!.argv;
      assert.deepEqual(exec.slice(-6, -2), ["exec", "-T", "db", "sh"]);
    } finally {
      box.cleanup();
    }
  });
});
