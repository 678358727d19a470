import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ComposeTarget } from "../../../components/compose/commands";
import {
  backupsListCommand,
  containersCommand,
  execCommand,
  logsCommand,
  migratePlanCommand,
  migrateToCommand,
  opsBackupFileName,
  releasesCommand,
  renameAppliedCommand,
  restartServicesCommand,
  restoreCommand,
  showmigrationsCommand,
  stopServicesCommand,
} from "../../../components/ops/commands";

const T: ComposeTarget = {
  remoteDir: "/srv/app",
  releaseId: "abc123",
  composeFile: "docker-compose.yml",
  composeProject: "shop",
  dockerEnv: {},
};
const COMPOSE =
  "docker compose --project-name shop --project-directory /srv/app/releases/abc123 --file /srv/app/releases/abc123/docker-compose.yml --env-file /srv/app/releases/abc123/.env";
const MANAGE = `${COMPOSE} run --rm -T web python manage.py`;

const HOSTILE_DIR = "/srv/my app/$(touch CANARY)";
const HOSTILE: ComposeTarget = {
  remoteDir: HOSTILE_DIR,
  releaseId: "r`x`",
  composeFile: "d c.yml",
  composeProject: "p&&q",
  dockerEnv: { DOCKER_BUILDKIT: "0" },
};
const HOSTILE_COMPOSE =
  "env DOCKER_BUILDKIT\\=0 docker compose --project-name p\\&\\&q --project-directory '/srv/my app/$(touch CANARY)/releases/r`x`' --file '/srv/my app/$(touch CANARY)/releases/r`x`/d c.yml' --env-file '/srv/my app/$(touch CANARY)/releases/r`x`/.env'";

const RESTORE_SCRIPT =
  'sh -c "sql=\\$(mktemp) && trap \'rm -f \\"\\$sql\\"\' EXIT && pg_restore --no-owner --no-acl --file=\\"\\$sql\\" && psql --quiet --no-psqlrc -v ON_ERROR_STOP=1 --single-transaction --username \\"\\$POSTGRES_USER\\" --dbname \\"\\${POSTGRES_DB:-\\$POSTGRES_USER}\\" -c \'SET client_min_messages = warning\' -c \'DROP SCHEMA public CASCADE\' -c \'CREATE SCHEMA public\' -f \\"\\$sql\\" >/dev/null"';

describe("ops command builders: exact strings", () => {
  const cases: [string, string, string][] = [
    [
      "releasesCommand",
      releasesCommand("/srv/app"),
      "{ readlink -- /srv/app/current || true; } && printf '%s\\n' --- && if [ -d /srv/app/releases ]; then find /srv/app/releases -mindepth 1 -maxdepth 1 -type d -printf '%T@ %f\\n'; fi",
    ],
    [
      "releasesCommand, hostile remoteDir",
      releasesCommand(HOSTILE_DIR),
      "{ readlink -- '/srv/my app/$(touch CANARY)/current' || true; } && printf '%s\\n' --- && if [ -d '/srv/my app/$(touch CANARY)/releases' ]; then find '/srv/my app/$(touch CANARY)/releases' -mindepth 1 -maxdepth 1 -type d -printf '%T@ %f\\n'; fi",
    ],
    [
      "backupsListCommand",
      backupsListCommand("/srv/app"),
      "if [ -d /srv/app/backups ]; then find /srv/app/backups -mindepth 1 -maxdepth 1 -type f -name \\*.dump -printf '%T@ %s %f\\n'; fi",
    ],
    ["containersCommand", containersCommand(T), `${COMPOSE} ps --all --format json`],
    [
      "showmigrationsCommand",
      showmigrationsCommand(T, "web", { plan: false }),
      `${MANAGE} showmigrations`,
    ],
    [
      "showmigrationsCommand --plan billing",
      showmigrationsCommand(T, "web", { plan: true, app: "billing" }),
      `${MANAGE} showmigrations --plan billing`,
    ],
    [
      "migratePlanCommand",
      migratePlanCommand(T, "web", "billing", "0002"),
      `${MANAGE} migrate billing 0002 --plan`,
    ],
    [
      "migrateToCommand",
      migrateToCommand(T, "web", "billing", "0002_wallettransaction", false),
      `${MANAGE} migrate billing 0002_wallettransaction --noinput`,
    ],
    [
      "migrateToCommand --fake",
      migrateToCommand(T, "web", "billing", "zero", true),
      `${MANAGE} migrate billing zero --fake --noinput`,
    ],
    [
      "renameAppliedCommand",
      renameAppliedCommand(T, "web", "accounts", "0003_x", "0003_y"),
      `${MANAGE} shell -c 'app, old, new = "accounts", "0003_x", "0003_y"\nimport sys\n` +
        "from django.db import connection, transaction\n" +
        "from django.db.migrations.recorder import MigrationRecorder\n" +
        "r = MigrationRecorder(connection)\n" +
        "with transaction.atomic():\n" +
        "    applied = r.applied_migrations()\n" +
        "    if (app, new) in applied and (app, old) not in applied:\n" +
        '        print(f"{app}.{new} is already recorded in place of {app}.{old}: nothing to do.")\n' +
        "    elif (app, old) not in applied:\n" +
        '        sys.exit(f"{app}.{old} is not recorded as applied: nothing to rename (see: showmigrations {app}).")\n' +
        "    elif (app, new) in applied:\n" +
        '        sys.exit(f"{app}.{old} and {app}.{new} are both recorded as applied; remove the row you do not want by hand.")\n' +
        "    else:\n" +
        "        r.record_applied(app, new)\n" +
        "        r.record_unapplied(app, old)\n" +
        '        print(f"Recorded {app}.{new} as applied in place of {app}.{old}.")\n' +
        "'",
    ],
    [
      "restartServicesCommand",
      restartServicesCommand(T, ["web", "celery_worker"], 90),
      `${COMPOSE} restart web celery_worker && ${COMPOSE} up --detach --no-build --no-recreate --wait --wait-timeout 90 web celery_worker`,
    ],
    [
      "stopServicesCommand",
      stopServicesCommand(T, ["web", "celery_worker"]),
      `${COMPOSE} stop web celery_worker`,
    ],
    [
      "restoreCommand",
      restoreCommand(T, "db", "x.dump"),
      "test -f /srv/app/backups/x.dump || { printf '%s\\n' 'No backup /srv/app/backups/x.dump on the server. Fix: pick a name from `ops backups`.' >&2; exit 1; } && " +
        `${COMPOSE} exec -T db ${RESTORE_SCRIPT} < /srv/app/backups/x.dump`,
    ],
    [
      "restoreCommand, hostile target",
      restoreCommand(HOSTILE, "db", "x.dump"),
      "test -f '/srv/my app/$(touch CANARY)/backups/x.dump' || { printf '%s\\n' 'No backup /srv/my app/$(touch CANARY)/backups/x.dump on the server. Fix: pick a name from `ops backups`.' >&2; exit 1; } && " +
        `${HOSTILE_COMPOSE} exec -T db ${RESTORE_SCRIPT} < '/srv/my app/$(touch CANARY)/backups/x.dump'`,
    ],
    [
      "logsCommand --follow",
      logsCommand(T, "web", { tail: 200, follow: true }),
      `${COMPOSE} logs --no-color --timestamps --tail 200 --follow web`,
    ],
    [
      "logsCommand --since",
      logsCommand(T, "web", { since: "10m", tail: 200, follow: false }),
      `${COMPOSE} logs --no-color --timestamps --since 10m web`,
    ],
    [
      "execCommand without a terminal",
      execCommand(T, "web", ["sh", "-c", "echo $HOME; rm -rf /"], false),
      `${COMPOSE} exec -T web sh -c 'echo $HOME; rm -rf /'`,
    ],
    [
      "execCommand with a terminal",
      execCommand(T, "web", ["python", "manage.py", "shell"], true),
      `${COMPOSE} exec web python manage.py shell`,
    ],
  ];
  for (const [name, actual, expected] of cases) it(name, () => assert.equal(actual, expected));
});

describe("opsBackupFileName", () => {
  it("names what it was taken before, to the second, in UTC", () => {
    const now = new Date("2025-01-31T12:00:00.123Z");
    assert.equal(
      opsBackupFileName(now, "migrate", "billing", "0002"),
      "pre-migrate-20250131T120000Z-billing-0002.dump",
    );
    assert.equal(
      opsBackupFileName(now, "rollback", "897a0ddd33bf"),
      "pre-rollback-20250131T120000Z-897a0ddd33bf.dump",
    );
  });
});
