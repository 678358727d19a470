import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";

import {
  extraState,
  inputsOf,
  record,
  registered,
  resolveDeclared,
  settled,
  valueOf,
} from "./mocks";
import {
  backupCommand,
  preInfraBackupCommand,
  buildCommand,
  collectstaticCommand,
  composeDownCommand,
  type ComposeTarget,
  djangoCheckCommand,
  infraUpCommand,
  migrateCommand,
  pruneReleasesCommand,
  prepareReleaseCommand,
} from "../../../components/compose/commands";
import { switchReleaseCommand } from "../../../components/compose/switch";
import { ComposeStack } from "../../../components/compose/compose-stack";
import { Server } from "../../../components/server/server";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const secret = (value: unknown) => ({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value });
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
const SENTINEL = "SENTINEL-9d2e";
const ENV_FILE = `# header\nDJANGO_SECRET_KEY='${SENTINEL}'\n`;
const STAGED = join(__dirname, "..", "..", "fixtures", "deploy", "django-project");
const MIGRATIONS = { "accounts.0001_initial": "a1a1a1a1a1a1", "accounts.0002_x": "a2a2a2a2a2a2" };
const target: ComposeTarget = {
  remoteDir: "/srv/shop",
  releaseId: "0123456789ab",
  composeFile: "docker-compose.yml",
  composeProject: "shop",
  dockerEnv: { DOCKER_BUILDKIT: "0" },
};

extraState.set("app-migrate", {
  stdout:
    "Operations to perform:\n  Apply all migrations: accounts\nRunning migrations:\n  Applying accounts.0002_x... OK\n",
});

const server = new Server(
  "server",
  {
    host: "203.0.113.10",
    port: 22,
    user: "deploy",
    hostKey: HOST_KEY,
    dialErrorLimit: 3,
    dialTimeoutSeconds: 10,
    remoteDir: "/srv/shop",
  },
  { transformations: [record] },
);
const app = new ComposeStack(
  "app",
  {
    server,
    target,
    stagedReleaseDir: STAGED,
    envFile: pulumi.secret(pulumi.output(ENV_FILE)),
    envDigest: pulumi.secret("0011223344556677"),
    infraServices: ["db", "redis"],
    webService: "web",
    workerServices: ["celery_worker", "celery_beat"],
    rollingWorkers: ["celery_worker"],
    singletonWorkers: ["celery_beat"],
    proxy: { ports: [{ published: "8000", target: 8000 }] },
    buildServices: ["web", "celery_worker"],
    executableFiles: ["manage.py"],
    migrations: MIGRATIONS,
    composeFileHash: "c0ffee123456",
    infraDefinitionHash: "1f1f1f1f1f1f",
    backup: { enabled: true, service: "db", keep: 10 },
    collectstatic: true,
    waitTimeoutSeconds: 120,
    stopGraceSeconds: 30,
    keepReleases: 4,
  },
  { transformations: [record] },
);

const STEPS = [
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
];
const COMMANDS = STEPS.filter((s) => s !== "upload").map((s) => `app-${s}`);
const ready = (async () => {
  // Wait for every registration (all children of app) and the migrate output.
  await settled([server, server.bootstrap, app]);
  await valueOf(app.appliedMigrations);
  await new Promise((r) => setTimeout(r, 50));
  return resolveDeclared();
})();

describe("ComposeStack: what it creates", () => {
  it("types and names, in order, every child parented to its component", async () => {
    const declared = await ready;
    assert.deepEqual(
      declared.map((d) => [d.type, d.name, d.parent]),
      [
        ["django-deploy:server:Server", "server", undefined],
        ["command:remote:Command", "server-bootstrap", "server"],
        ["django-deploy:compose:ComposeStack", "app", undefined],
        ["command:remote:Command", "app-teardown", "app"],
        ["command:remote:CopyToRemote", "app-upload", "app"],
        ...COMMANDS.map((name) => ["command:remote:Command", name, "app"]),
      ],
    );
    assert.equal(registered.length, declared.length);
  });

  it("ordering: upload -> ... -> prune, collectstatic beside backup/migrate, start after teardown", async () => {
    const declared = await ready;
    assert.deepEqual(
      declared.filter((d) => d.name.startsWith("app-")).map((d) => [d.name, d.dependsOn]),
      [
        ["app-teardown", ["server-bootstrap"]],
        ["app-upload", ["server-bootstrap"]],
        ["app-env", ["server-bootstrap", "app-upload"]],
        ["app-infra-backup", ["server-bootstrap", "app-env"]],
        ["app-infra", ["server-bootstrap", "app-infra-backup"]],
        ["app-build", ["server-bootstrap", "app-infra"]],
        ["app-check", ["server-bootstrap", "app-build"]],
        ["app-backup", ["server-bootstrap", "app-check"]],
        ["app-migrate", ["server-bootstrap", "app-backup"]],
        ["app-collectstatic", ["server-bootstrap", "app-check"]],
        ["app-start", ["server-bootstrap", "app-migrate", "app-collectstatic", "app-teardown"]],
        ["app-prune", ["server-bootstrap", "app-start"]],
      ],
    );
  });

  it("each command's create is the builder's string; no delete except teardown's; update only on backup", async () => {
    await ready;
    // The steps reach the release through the deploying link the env step sets.
    const linked = { ...target, throughLink: true };
    const expected: [string, string][] = [
      ["app-env", prepareReleaseCommand(linked, ["manage.py"])],
      ["app-infra-backup", preInfraBackupCommand(linked, "db", 10)],
      ["app-infra", infraUpCommand(linked, ["db", "redis"], 120)],
      ["app-build", buildCommand(linked, ["web", "celery_worker"])],
      ["app-check", djangoCheckCommand(linked, "web")],
      ["app-backup", backupCommand(linked, "db", 10)],
      ["app-migrate", migrateCommand(linked, "web")],
      ["app-collectstatic", collectstaticCommand(linked, "web")],
      [
        "app-start",
        switchReleaseCommand(linked, {
          web: "web",
          rollingWorkers: ["celery_worker"],
          singletonWorkers: ["celery_beat"],
          proxy: { ports: [{ published: "8000", target: 8000 }] },
          waitSeconds: 120,
          graceSeconds: 30,
        }),
      ],
      ["app-prune", pruneReleasesCommand(linked, 4)],
    ];
    for (const [name, create] of expected) {
      const inputs = inputsOf(name);
      assert.equal(inputs.create, create, name);
      // The backup runs only for new migrations: a new release alone updates it to a no-op.
      const runsOnTriggersOnly = name === "app-backup" || name === "app-infra-backup";
      assert.equal(inputs.update, runsOnTriggersOnly ? "true" : undefined, name);
      assert.equal(inputs.delete, undefined, name);
      assert.equal(inputs.addPreviousOutputInEnv, false, name);
    }
  });

  it("every remote command stores stdout and stderr as secrets (they can echo a setting)", async () => {
    await ready;
    const commands = resolveDeclared().filter((d) => d.type === "command:remote:Command");
    // @pulumi/command adds "connection" itself.
    assert.deepEqual(
      commands.map((d) => [d.name, d.additionalSecretOutputs]),
      commands.map((d) => [d.name, ["stdout", "stderr", "connection"]]),
    );
    assert.equal(commands.length, 12);
  });

  it("triggers: the step plan's, the migrate one keyed by migration name", async () => {
    await ready;
    const release = "0123456789ab";
    const migrate = [release, { migrations: MIGRATIONS }];
    assert.deepEqual(
      ["app-upload", ...COMMANDS].map((name) => [name, inputsOf(name).triggers]),
      [
        ["app-upload", ["deploy@203.0.113.10:22"]],
        ["app-env", []],
        ["app-infra-backup", [{ infra: "1f1f1f1f1f1f" }]],
        // The env digest is a digest of secret values, passed as a secret (the mock serializes
        // the list as one secret; the engine keeps just that entry secret).
        ["app-infra", secret(["c0ffee123456", "0011223344556677"])],
        ["app-build", [release]],
        ["app-check", secret([release, "0011223344556677"])],
        ["app-backup", [{ migrations: MIGRATIONS }]],
        ["app-migrate", migrate],
        ["app-collectstatic", [release]],
        ["app-start", secret([release, "c0ffee123456", "0011223344556677"])],
        ["app-prune", [release]],
      ],
    );
  });

  it("teardown: create 'true', delete = compose down in current (keeps volumes), fixed triggers", async () => {
    await ready;
    const inputs = inputsOf("app-teardown");
    const stackTarget = {
      remoteDir: target.remoteDir,
      composeFile: target.composeFile,
      composeProject: target.composeProject,
      dockerEnv: target.dockerEnv,
    };
    assert.equal(inputs.create, "true");
    assert.equal(inputs.delete, composeDownCommand(stackTarget));
    assert.equal(
      inputs.delete,
      "if [ -e /srv/shop/current ]; then env DOCKER_BUILDKIT\\=0 docker compose --project-name shop --project-directory /srv/shop/current --file /srv/shop/current/docker-compose.yml --env-file /srv/shop/current/.env down --remove-orphans; fi",
    );
    // Not keyed by remoteDir: a replace would run `compose down` on the live project.
    assert.deepEqual(inputs.triggers, ["shop"]);
    assert.equal(inputs.addPreviousOutputInEnv, false);
  });

  it("upload copies the staged release dir into releases/", async () => {
    await ready;
    const inputs = inputsOf("app-upload");
    assert.equal(inputs.remotePath, "/srv/shop/releases");
    assert.ok(inputs.source instanceof pulumi.asset.FileArchive);
    assert.equal(await (inputs.source as pulumi.asset.FileArchive).path, STAGED);
    assert.equal(inputs.create, undefined);
  });

  it("stdin (the .env, secret) only on app-env", async () => {
    await ready;
    const withStdin = registered.filter((r) => r.inputs.stdin !== undefined).map((r) => r.name);
    assert.deepEqual(withStdin, ["app-env"]);
    assert.deepEqual(inputsOf("app-env").stdin, {
      [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270",
      value: ENV_FILE,
    });
  });

  it("every remote resource pins the host key and holds no key material (the agent signs)", async () => {
    await ready;
    const remotes = registered.filter((x) => x.type.startsWith("command:remote:"));
    assert.equal(remotes.length, 13);
    for (const r of remotes) {
      // Exactly these fields: no privateKey, password or agent path, so rotating the key (or
      // using another agent) changes no step's inputs and re-runs nothing. (The command SDK
      // marks every connection secret.)
      assert.deepEqual(
        r.inputs.connection,
        secret({
          host: "203.0.113.10",
          port: 22,
          user: "deploy",
          hostKey: HOST_KEY,
          dialErrorLimit: 3,
          perDialTimeout: 10,
        }),
        r.name,
      );
    }
  });

  it("no secret in any create, delete or trigger", async () => {
    await ready;
    for (const r of registered) {
      const rest = Object.fromEntries(
        Object.entries(r.inputs).filter(([k]) => k !== "connection" && k !== "stdin"),
      );
      assert.equal(JSON.stringify(rest).includes(SENTINEL), false, r.name);
    }
  });
});

describe("ComposeStack: outputs", () => {
  it("release id, app services, migrations in the release", async () => {
    await ready;
    assert.equal(app.releaseId, "0123456789ab");
    assert.deepEqual(app.appServices, ["web", "celery_worker", "celery_beat"]);
    assert.deepEqual(app.migrationsInRelease, ["accounts.0001_initial", "accounts.0002_x"]);
    assert.deepEqual(
      app.steps.map((s) => s.id),
      STEPS,
    );
  });

  it("appliedMigrations parses what the migrate step printed", async () => {
    assert.deepEqual(await valueOf(app.appliedMigrations), ["accounts.0002_x"]);
  });
});
