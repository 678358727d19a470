import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  backupCommand,
  preInfraBackupCommand,
  buildCommand,
  collectstaticCommand,
  type ComposeTarget,
  djangoCheckCommand,
  infraUpCommand,
  migrateCommand,
  pruneReleasesCommand,
  prepareReleaseCommand,
} from "../../../components/compose/commands";
import { switchReleaseCommand } from "../../../components/compose/switch";
import {
  type DeployPlanInput,
  type DeployStep,
  planDeploySteps,
  runKey,
  type StepId,
} from "../../../components/compose/steps";
import { envDigest } from "../../../components/config";

const SECRET = "SENTINEL-secret-value-7f3a";
const DIGEST = envDigest({
  DJANGO_SECRET_KEY: SECRET,
  DJANGO_DEBUG: "0",
});

const target: ComposeTarget = {
  remoteDir: "/srv/shop",
  releaseId: "0123456789ab",
  composeFile: "docker-compose.yml",
  composeProject: "shop",
  dockerEnv: { DOCKER_BUILDKIT: "0" },
};

/** The plan's steps reach the release through the deploying link. */
const linked: ComposeTarget = { ...target, throughLink: true };

const MIGRATIONS = {
  "accounts.0001_initial": "a1a1a1a1a1a1",
  "accounts.0002_account_timezone": "a2a2a2a2a2a2",
  "billing.0001_initial": "b1b1b1b1b1b1",
};

function input(overrides: Partial<DeployPlanInput> = {}): DeployPlanInput {
  return {
    target,
    infraServices: ["db", "redis"],
    webService: "web",
    workerServices: ["celery_worker", "celery_beat"],
    rollingWorkers: ["celery_worker"],
    singletonWorkers: ["celery_beat"],
    proxy: { ports: [{ published: "${WEB_PORT:-8000}", target: 8000 }], staticRoot: "/app/static" },
    buildServices: ["web", "celery_worker"],
    executableFiles: ["manage.py", "bin/entrypoint.sh"],
    migrations: MIGRATIONS,
    composeFileHash: "c0ffee123456",
    infraDefinitionHash: "1f1f1f1f1f1f",
    serverAddress: "deploy@203.0.113.10:22",
    envDigest: DIGEST,
    backup: { enabled: true, service: "db", keep: 10 },
    collectstatic: true,
    waitTimeoutSeconds: 120,
    stopGraceSeconds: 30,
    keepReleases: 4,
    ...overrides,
  };
}

const byId = (steps: DeployStep[]) => new Map(steps.map((s) => [s.id, s]));

describe("planDeploySteps: the full plan", () => {
  const steps = planDeploySteps(input());
  const step = (id: StepId) => byId(steps).get(id)!;
  const release = "0123456789ab";
  const migrateTrigger = { migrations: MIGRATIONS };

  it("runs the steps in this order", () => {
    assert.deepEqual(
      steps.map((s) => s.id),
      [
        "upload",
        "env",
        "infra-backup",
        "infra",
        "build",
        "check",
        "backup",
        "migrate",
        "collectstatic",
        "start",
        "prune",
      ],
    );
  });

  it("each step depends on the one before it; collectstatic runs beside backup and migrate", () => {
    assert.deepEqual(
      steps.map((s) => [s.id, s.dependsOn]),
      [
        ["upload", []],
        ["env", ["upload"]],
        ["infra-backup", ["env"]],
        ["infra", ["infra-backup"]],
        ["build", ["infra"]],
        ["check", ["build"]],
        ["backup", ["check"]],
        ["migrate", ["backup"]],
        ["collectstatic", ["check"]],
        ["start", ["migrate", "collectstatic"]],
        ["prune", ["start"]],
      ],
    );
  });

  it("each step's triggers", () => {
    assert.deepEqual(
      steps.map((s) => [s.id, s.triggers]),
      [
        ["upload", ["deploy@203.0.113.10:22"]],
        ["env", []],
        ["infra-backup", [{ infra: "1f1f1f1f1f1f" }]],
        ["infra", ["c0ffee123456", DIGEST]],
        ["build", [release]],
        ["check", [release, DIGEST]],
        ["backup", [{ migrations: MIGRATIONS }]],
        ["migrate", [release, migrateTrigger]],
        ["collectstatic", [release]],
        ["start", [release, "c0ffee123456", DIGEST]],
        ["prune", [release]],
      ],
    );
  });

  it("the upload is a copy without a command; everything else is the builders' command", () => {
    assert.equal(step("upload").kind, "copy");
    assert.equal(step("upload").command, undefined);
    assert.deepEqual(
      steps.filter((s) => s.id !== "upload").map((s) => [s.id, s.kind, s.command]),
      [
        ["env", "command", prepareReleaseCommand(linked, ["manage.py", "bin/entrypoint.sh"])],
        ["infra-backup", "command", preInfraBackupCommand(linked, "db", 10)],
        ["infra", "command", infraUpCommand(linked, ["db", "redis"], 120)],
        ["build", "command", buildCommand(linked, ["web", "celery_worker"])],
        ["check", "command", djangoCheckCommand(linked, "web")],
        ["backup", "command", backupCommand(linked, "db", 10)],
        ["migrate", "command", migrateCommand(linked, "web")],
        ["collectstatic", "command", collectstaticCommand(linked, "web", "/app/static")],
        [
          "start",
          "command",
          switchReleaseCommand(linked, {
            web: "web",
            rollingWorkers: ["celery_worker"],
            singletonWorkers: ["celery_beat"],
            proxy: input().proxy,
            waitSeconds: 120,
            graceSeconds: 30,
          }),
        ],
        ["prune", "command", pruneReleasesCommand(linked, 4)],
      ],
    );
  });

  it("only the env step reads stdin (the .env content)", () => {
    assert.deepEqual(
      steps.filter((s) => s.stdin !== undefined).map((s) => [s.id, s.stdin]),
      [["env", "envFile"]],
    );
  });

  it("start depends, transitively, on migrate, collectstatic, check, build, infra, env and upload", () => {
    const deps = byId(steps);
    const closure = (id: StepId): Set<StepId> => {
      const out = new Set<StepId>();
      const visit = (s: StepId) =>
        deps.get(s)!.dependsOn.forEach((d) => {
          out.add(d);
          visit(d);
        });
      visit(id);
      return out;
    };
    assert.deepEqual([...closure("start")].sort(), [
      "backup",
      "build",
      "check",
      "collectstatic",
      "env",
      "infra",
      "infra-backup",
      "migrate",
      "upload",
    ]);
    assert.equal(closure("migrate").has("start"), false);
    assert.deepEqual([...closure("migrate")].sort(), [
      "backup",
      "build",
      "check",
      "env",
      "infra",
      "infra-backup",
      "upload",
    ]);
  });

  it("no secret value appears anywhere in the step data; the env digest is opaque hex", () => {
    assert.match(DIGEST, /^[0-9a-f]{16}$/);
    assert.equal(JSON.stringify(steps).includes(SECRET), false);
    assert.equal(JSON.stringify(steps).includes("sentinel-key"), false);
  });
});

describe("planDeploySteps: optional steps", () => {
  const cases: [string, Partial<DeployPlanInput>, [StepId, StepId[]][]][] = [
    [
      "no infra services: no infra step",
      { infraServices: [], backup: { enabled: false, service: "db", keep: 10 } },
      [
        ["upload", []],
        ["env", ["upload"]],
        ["build", ["env"]],
        ["check", ["build"]],
        ["migrate", ["check"]],
        ["collectstatic", ["check"]],
        ["start", ["migrate", "collectstatic"]],
        ["prune", ["start"]],
      ],
    ],
    [
      "no build services (images pulled): no build step",
      { buildServices: [] },
      [
        ["upload", []],
        ["env", ["upload"]],
        ["infra-backup", ["env"]],
        ["infra", ["infra-backup"]],
        ["check", ["infra"]],
        ["backup", ["check"]],
        ["migrate", ["backup"]],
        ["collectstatic", ["check"]],
        ["start", ["migrate", "collectstatic"]],
        ["prune", ["start"]],
      ],
    ],
    [
      "backup disabled: migrate follows check",
      { backup: { enabled: false, service: "db", keep: 10 } },
      [
        ["upload", []],
        ["env", ["upload"]],
        ["infra", ["env"]],
        ["build", ["infra"]],
        ["check", ["build"]],
        ["migrate", ["check"]],
        ["collectstatic", ["check"]],
        ["start", ["migrate", "collectstatic"]],
        ["prune", ["start"]],
      ],
    ],
    [
      "collectstatic disabled: start follows migrate",
      { collectstatic: false },
      [
        ["upload", []],
        ["env", ["upload"]],
        ["infra-backup", ["env"]],
        ["infra", ["infra-backup"]],
        ["build", ["infra"]],
        ["check", ["build"]],
        ["backup", ["check"]],
        ["migrate", ["backup"]],
        ["start", ["migrate"]],
        ["prune", ["start"]],
      ],
    ],
    [
      "everything optional off",
      {
        infraServices: [],
        buildServices: [],
        backup: { enabled: false, service: "db", keep: 10 },
        collectstatic: false,
      },
      [
        ["upload", []],
        ["env", ["upload"]],
        ["check", ["env"]],
        ["migrate", ["check"]],
        ["start", ["migrate"]],
        ["prune", ["start"]],
      ],
    ],
  ];
  for (const [name, overrides, expected] of cases) {
    it(name, () => {
      assert.deepEqual(
        planDeploySteps(input(overrides)).map((s) => [s.id, s.dependsOn]),
        expected,
      );
    });
  }

  it("the backup step dumps the configured service", () => {
    const steps = planDeploySteps(
      input({ backup: { enabled: true, service: "postgres", keep: 3 } }),
    );
    assert.equal(byId(steps).get("backup")!.command, backupCommand(linked, "postgres", 3));
  });
});

describe("planDeploySteps: what makes a step run again", () => {
  /** Ids of the steps whose triggers differ between two plans. */
  const rerun = (a: Partial<DeployPlanInput>, b: Partial<DeployPlanInput>) => {
    const before = byId(planDeploySteps(input(a)));
    return planDeploySteps(input(b))
      .filter((s) => JSON.stringify(runKey(s)) !== JSON.stringify(runKey(before.get(s.id)!)))
      .map((s) => s.id);
  };

  it("an unchanged input re-runs nothing", () => {
    assert.deepEqual(rerun({}, {}), []);
  });

  it("a changed setting (env digest) re-applies infra, checks, and restarts the app services", () => {
    assert.deepEqual(rerun({}, { envDigest: "ffffffffffffffff" }), ["infra", "check", "start"]);
  });

  it("a changed infra definition (a new Postgres image) dumps the running database first", () => {
    assert.deepEqual(rerun({}, { infraDefinitionHash: "2e2e2e2e2e2e" }), ["infra-backup"]);
  });

  it("another server is a new upload (the copy is not redone for a connection change alone)", () => {
    assert.deepEqual(rerun({}, { serverAddress: "deploy@198.51.100.7:22" }), ["upload"]);
  });

  it("a changed compose file re-runs infra and start", () => {
    assert.deepEqual(rerun({}, { composeFileHash: "000000000000" }), ["infra", "start"]);
  });

  it("a new release re-runs every step but the backups and infra (no new migration, no dump)", () => {
    assert.deepEqual(rerun({}, { target: { ...target, releaseId: "ba9876543210" } }), [
      "upload",
      "env",
      "build",
      "check",
      "migrate",
      "collectstatic",
      "start",
      "prune",
    ]);
  });

  it("a new release changes no command but the env step's first line, which names it", () => {
    const before = byId(planDeploySteps(input()));
    const after = planDeploySteps(input({ target: { ...target, releaseId: "ba9876543210" } }));
    const changed = after.filter((s) => s.command !== before.get(s.id)!.command);
    assert.deepEqual(
      changed.map((s) => s.id),
      ["env"],
    );
    const lines = (cmd: string) => cmd.split("\n");
    const [oldFirst, ...oldRest] = lines(before.get("env")!.command!);
    const [newFirst, ...newRest] = lines(changed[0].command!);
    assert.deepEqual(newRest, oldRest);
    assert.equal(
      newFirst,
      "ln -sfn /srv/shop/releases/ba9876543210 /srv/shop/deploying.next && mv -Tf /srv/shop/deploying.next /srv/shop/deploying &&",
    );
    assert.notEqual(oldFirst, newFirst);
  });

  it("a new or edited migration takes a backup first", () => {
    const added = { ...MIGRATIONS, "billing.0002_wallettransaction": "b2b2b2b2b2b2" };
    assert.deepEqual(rerun({}, { migrations: added }), ["backup", "migrate"]);
    const edited = { ...MIGRATIONS, "accounts.0001_initial": "ffffffffffff" };
    assert.deepEqual(rerun({}, { migrations: edited }), ["backup", "migrate"]);
  });

  it("the backup step alone runs nothing when only its command text changes (update is a no-op)", () => {
    const steps = planDeploySteps(input({}));
    assert.deepEqual(
      steps.filter((s) => s.update !== undefined).map((s) => [s.id, s.update]),
      [
        ["infra-backup", "true"],
        ["backup", "true"],
      ],
    );
  });

  it("the migrate trigger is keyed by migration name, so a diff names the added migration", () => {
    const added = { ...MIGRATIONS, "billing.0002_wallettransaction": "b2b2b2b2b2b2" };
    const migrate = byId(planDeploySteps(input({ migrations: added }))).get("migrate")!;
    assert.deepEqual(migrate.triggers, [
      "0123456789ab",
      {
        migrations: {
          "accounts.0001_initial": "a1a1a1a1a1a1",
          "accounts.0002_account_timezone": "a2a2a2a2a2a2",
          "billing.0001_initial": "b1b1b1b1b1b1",
          "billing.0002_wallettransaction": "b2b2b2b2b2b2",
        },
      },
    ]);
    const before = byId(planDeploySteps(input())).get("migrate")!.triggers[1] as {
      migrations: Record<string, string>;
    };
    const after = migrate.triggers[1] as { migrations: Record<string, string> };
    assert.deepEqual(
      Object.keys(after.migrations).filter((k) => !(k in before.migrations)),
      ["billing.0002_wallettransaction"],
    );
  });

  it("an edited, already-deployed migration changes the migrate and backup triggers", () => {
    const edited = { ...MIGRATIONS, "accounts.0001_initial": "eeeeeeeeeeee" };
    assert.deepEqual(rerun({}, { migrations: edited }), ["backup", "migrate"]);
  });
});
