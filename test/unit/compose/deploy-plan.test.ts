// The deploy plan summary, rendered from records built out of the same step plan the resources
// are built from: exact text for each kind of deploy.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  LACKING_IN_DATABASE,
  newSinceLastDeploy,
  renderDeployPlan,
} from "../../../components/compose/deploy-plan";
import {
  asDeployRecord,
  deployRecord,
  type DeployRecord,
  settingDigests,
} from "../../../components/compose/deploy-record";
import {
  appServiceRestarts,
  type DeployPlanInput,
  planDeploySteps,
} from "../../../components/compose/steps";
import { envDigest } from "../../../components/config";

const SECRET = "SENTINEL-secret-value-7f3a";

const MIGRATIONS = {
  "accounts.0001_initial": "a1a1a1a1a1a1",
  "billing.0001_initial": "b1b1b1b1b1b1",
  "billing.0002_wallettransaction": "b2b2b2b2b2b2",
};

const FILES = {
  "manage.py": "111111111111+x",
  "billing/models.py": "222222222222",
  "billing/admin.py": "333333333333",
};

const SETTINGS = { DJANGO_DEBUG: "0", DJANGO_SECRET_KEY: SECRET, POSTGRES_DB: "app" };

interface Deploy {
  release: string;
  files?: Record<string, string>;
  migrations?: Record<string, string>;
  settings?: Record<string, string>;
  infra?: string;
}

/** The record a deploy of the example-like plan leaves. */
function recordOf(d: Deploy): DeployRecord {
  const settings = d.settings ?? SETTINGS;
  const migrations = d.migrations ?? MIGRATIONS;
  const input: DeployPlanInput = {
    target: {
      remoteDir: "/srv/shop",
      releaseId: d.release,
      composeFile: "docker-compose.yml",
      composeProject: "shop",
      dockerEnv: {},
    },
    serverAddress: "deploy@203.0.113.10:22",
    infraServices: ["db", "redis"],
    webService: "web",
    workerServices: ["celery_worker", "celery_beat"],
    rollingWorkers: ["celery_worker"],
    singletonWorkers: ["celery_beat"],
    proxy: { ports: [{ published: "8000", target: 8000 }], staticRoot: "/app/static" },
    stopGraceSeconds: 30,
    buildServices: ["web"],
    executableFiles: ["manage.py"],
    migrations,
    composeFileHash: "c0ffee123456",
    infraDefinitionHash: d.infra ?? "1f1f1f1f1f1f",
    envDigest: envDigest(settings),
    backup: { enabled: true, service: "db", keep: 10 },
    collectstatic: true,
    waitTimeoutSeconds: 120,
    keepReleases: 5,
  };
  return deployRecord(planDeploySteps(input), {
    release: d.release,
    files: d.files ?? FILES,
    migrations,
    settings: settingDigests(settings),
  });
}

const common = {
  restarts: appServiceRestarts({
    webService: "web",
    rollingWorkers: ["celery_worker"],
    singletonWorkers: ["celery_beat"],
  }),
  infraServices: ["db", "redis"],
  backupEnabled: true,
};

const LAST = recordOf({ release: "e257e104aaaa" });

describe("renderDeployPlan", () => {
  it("a no-op says so in one line", () => {
    assert.equal(
      renderDeployPlan({ ...common, next: recordOf({ release: "e257e104aaaa" }), previous: LAST }),
      "deploy plan: no change; release e257e104aaaa stays deployed and nothing runs on the server",
    );
  });

  it("a code-only change: the release, no migration, no backup, the restarts", () => {
    const next = recordOf({
      release: "249b5524bbbb",
      files: { ...FILES, "billing/admin.py": "444444444444", "billing/views.py": "555555555555" },
    });
    assert.equal(
      renderDeployPlan({ ...common, next, previous: LAST }),
      [
        "deploy plan: release e257e104aaaa → 249b5524bbbb (2 files changed)",
        "  no migrations to apply (new since the last deploy: none)",
        "  backup before migrate: no (no migration changed)",
        "  services: web, celery_worker (switch without downtime); celery_beat (stop, then start)",
        "  settings changed: none",
      ].join("\n"),
    );
  });

  it("a migrating change names the migrations and takes a backup", () => {
    const migrations = { ...MIGRATIONS, "billing.0003_coupon": "b3b3b3b3b3b3" };
    const next = recordOf({
      release: "249b5524bbbb",
      files: { ...FILES, "billing/migrations/0003_coupon.py": "666666666666" },
      migrations,
    });
    assert.equal(
      renderDeployPlan({ ...common, next, previous: LAST }),
      [
        "deploy plan: release e257e104aaaa → 249b5524bbbb (1 file changed)",
        "  migrations to apply (new since the last deploy): billing.0003_coupon",
        "  backup before migrate: yes",
        "  services: web, celery_worker (switch without downtime); celery_beat (stop, then start)",
        "  settings changed: none",
      ].join("\n"),
    );
  });

  it("takes the list of migrations to apply from elsewhere (the live database), with its source", () => {
    const migrations = { ...MIGRATIONS, "billing.0003_coupon": "b3b3b3b3b3b3" };
    const next = recordOf({ release: "249b5524bbbb", migrations });
    const plan = renderDeployPlan({
      ...common,
      next,
      previous: LAST,
      migrationsToApply: {
        names: ["billing.0002_wallettransaction", "billing.0003_coupon"],
        source: "not yet applied in the database",
      },
    });
    assert.equal(
      plan.split("\n")[1],
      "  migrations to apply (not yet applied in the database): billing.0002_wallettransaction, billing.0003_coupon",
    );
  });

  it("a database behind its release (migrated back by hand): says migrate will not apply it", () => {
    // A settings-only change: the release and its migrations are the last deploy's, so migrate does not run.
    const next = recordOf({
      release: "e257e104aaaa",
      settings: { ...SETTINGS, DJANGO_DEBUG: "1" },
    });
    assert.equal(
      renderDeployPlan({
        ...common,
        next,
        previous: LAST,
        migrationsToApply: {
          names: ["billing.0002_wallettransaction"],
          source: LACKING_IN_DATABASE,
        },
      }).split("\n")[1],
      "  migrate does not run, yet 1 migration not yet in the server's database: billing.0002_wallettransaction (apply with `npm run ops -- migrate <app> <name> --yes`)",
    );
  });

  it("an edited migration file is named: Django will not apply it again", () => {
    const migrations = { ...MIGRATIONS, "billing.0001_initial": "edededededed" };
    const next = recordOf({ release: "249b5524bbbb", migrations });
    assert.deepEqual(
      renderDeployPlan({ ...common, next, previous: LAST })
        .split("\n")
        .slice(1, 4),
      [
        "  no migrations to apply (new since the last deploy: none)",
        "  migration files edited since the last deploy (Django does not apply them again): billing.0001_initial",
        "  backup before migrate: yes",
      ],
    );
  });

  it("a settings change names the settings, never a value", () => {
    const next = recordOf({
      release: "e257e104aaaa",
      settings: { DJANGO_DEBUG: "1", DJANGO_SECRET_KEY: `${SECRET}-rotated`, NEW_FLAG: "on" },
    });
    const plan = renderDeployPlan({ ...common, next, previous: LAST });
    assert.equal(
      plan,
      [
        "deploy plan: release e257e104aaaa again (no file changed)",
        "  no migrations to apply (new since the last deploy: none)",
        "  backup before migrate: no (no migration changed)",
        "  services: web, celery_worker (switch without downtime); celery_beat (stop, then start); db, redis (recreated only if their definitions changed)",
        "  settings changed: DJANGO_DEBUG, DJANGO_SECRET_KEY, NEW_FLAG, POSTGRES_DB",
      ].join("\n"),
    );
    assert.ok(!plan.includes(SECRET));
    assert.ok(!JSON.stringify(next).includes(SECRET), "the record holds digests only");
  });

  it("an infra change says the running database is dumped first", () => {
    const next = recordOf({ release: "e257e104aaaa", infra: "2e2e2e2e2e2e" });
    assert.equal(
      renderDeployPlan({ ...common, next, previous: LAST }),
      [
        "deploy plan: release e257e104aaaa again (no file changed)",
        "  no migrations to apply (new since the last deploy: none)",
        "  backup before migrate: no (no migration changed)",
        "  backup before the infra change: yes (db, redis: definitions changed)",
        "  services: none restart",
        "  settings changed: none",
      ].join("\n"),
    );
  });

  it("a first deploy: every migration, a backup, every service and setting name", () => {
    assert.equal(
      renderDeployPlan({ ...common, next: LAST }),
      [
        "deploy plan: first deploy, release e257e104aaaa (3 files)",
        "  migrations to apply (new since the last deploy): accounts.0001_initial, billing.0001_initial, billing.0002_wallettransaction",
        "  backup before migrate: yes",
        "  backup before the infra change: yes (db, redis: definitions changed)",
        "  services: web, celery_worker (switch without downtime); celery_beat (stop, then start); db, redis (recreated only if their definitions changed)",
        "  settings set: DJANGO_DEBUG, DJANGO_SECRET_KEY, POSTGRES_DB",
      ].join("\n"),
    );
  });

  it("after a deploy by an older version (no record): its release and migrations still count", () => {
    const migrations = { ...MIGRATIONS, "billing.0003_coupon": "b3b3b3b3b3b3" };
    const next = recordOf({ release: "249b5524bbbb", migrations });
    const legacy = { release: "e257e104aaaa", migrations: Object.keys(MIGRATIONS) };
    assert.deepEqual(
      renderDeployPlan({ ...common, next, legacy })
        .split("\n")
        .slice(0, 2),
      [
        "deploy plan: release e257e104aaaa → 249b5524bbbb (the last deploy, by an older version, left no record of its files and settings)",
        "  migrations to apply (new since the last deploy): billing.0003_coupon",
      ],
    );
  });

  it("a long list is cut after six names, with the count of the rest", () => {
    const many = Object.fromEntries(
      Array.from({ length: 9 }, (_, i) => [`app.000${i + 1}_m`, `${i}`.repeat(12)]),
    );
    const next = recordOf({ release: "249b5524bbbb", migrations: many });
    assert.equal(
      renderDeployPlan({ ...common, next }).split("\n")[1],
      "  migrations to apply (new since the last deploy): app.0001_m, app.0002_m, app.0003_m, app.0004_m, app.0005_m, app.0006_m and 3 more",
    );
  });
});

describe("deploy record", () => {
  it("newSinceLastDeploy: names in the release the last deploy did not have, sorted", () => {
    const next = recordOf({
      release: "b",
      migrations: { ...MIGRATIONS, "zeta.0001_initial": "z", "alpha.0001_initial": "a" },
    });
    assert.deepEqual(newSinceLastDeploy(next, LAST), {
      names: ["alpha.0001_initial", "zeta.0001_initial"],
      source: "new since the last deploy",
    });
  });

  it("asDeployRecord accepts a record read back and refuses anything else", () => {
    assert.deepEqual(asDeployRecord(JSON.parse(JSON.stringify(LAST))), LAST);
    for (const bad of [undefined, null, "x", {}, { release: "r" }, { ...LAST, steps: "x" }]) {
      assert.equal(asDeployRecord(bad), undefined);
    }
  });

  it("settingDigests: one short digest per name, changed by the value alone", () => {
    const a = settingDigests({ B: "1", A: "2" });
    assert.deepEqual(Object.keys(a), ["A", "B"]);
    assert.match(a.A, /^[0-9a-f]{16}$/);
    assert.notEqual(settingDigests({ A: "3" }).A, a.A);
    assert.equal(settingDigests({ A: "2" }).A, a.A);
  });
});
