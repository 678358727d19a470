import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import { checkProjectFiles, envDigest } from "../../../components/config";
import { ConfigError, parseConfig } from "../../../components/config-parse";
import type { RawConfig } from "../../../components/config-schema";

const FIXTURE = join(__dirname, "..", "..", "fixtures", "deploy", "django-project");
const P = "django-deploy";

function raw(values: Record<string, string>): RawConfig {
  return parseConfig({
    project: P,
    values: {
      host: "203.0.113.10",
      hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
      composeProject: "shop",
      infraServices: '["db","redis"]',
      workerServices: '["celery_worker","celery_beat"]',
      ...values,
    },
    secretKeys: new Set(["secretEnv"]),
  });
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail("expected a ConfigError");
}

describe("checkProjectFiles", () => {
  const base = mkdtempSync(join(tmpdir(), "project-files-"));
  after(() => rmSync(base, { recursive: true, force: true }));
  cpSync(FIXTURE, join(base, "app"), { recursive: true });
  mkdirSync(join(base, "not-django"));
  writeFileSync(join(base, "a-file"), "");
  mkdirSync(join(base, "no-compose"));
  writeFileSync(join(base, "no-compose", "manage.py"), "");

  it("the fixture project: absolute paths and the services that build", () => {
    assert.deepEqual(checkProjectFiles(raw({ projectPath: "app" }), base, P), {
      projectDir: join(base, "app"),
      composePath: join(base, "app", "docker-compose.yml"),
      buildServices: ["web", "celery_worker"],
      webBuild: { context: ".", dockerfile: "Dockerfile" },
      proxy: { ports: [] },
      // celery_beat's healthcheck is disabled: it is a singleton, stopped before its successor.
      rollingWorkers: [],
      singletonWorkers: ["celery_worker", "celery_beat"],
    });
  });

  const cases: [string, Record<string, string>, string[]][] = [
    [
      "projectPath missing",
      { projectPath: "nope" },
      [
        `${P}:projectPath "nope" is not a directory (resolved to ${join(base, "nope")}). Fix: pulumi config set projectPath <path of the Django project, relative to Pulumi.yaml>`,
      ],
    ],
    [
      "projectPath is a file",
      { projectPath: "a-file" },
      [
        `${P}:projectPath "a-file" is not a directory (resolved to ${join(base, "a-file")}). Fix: pulumi config set projectPath <path of the Django project, relative to Pulumi.yaml>`,
      ],
    ],
    [
      "no manage.py",
      { projectPath: "not-django" },
      [
        `${P}:projectPath "not-django" has no manage.py, so it is not a Django project root. Fix: point projectPath at the directory that holds manage.py.`,
      ],
    ],
    [
      "compose file missing",
      { projectPath: "no-compose" },
      [
        `${P}:composeFile "docker-compose.yml" does not exist in ${join(base, "no-compose")}. Fix: pulumi config set composeFile <file name inside projectPath>`,
      ],
    ],
    [
      "a named compose file that is not there",
      { projectPath: "app", composeFile: "compose.prod.yml" },
      [
        `${P}:composeFile "compose.prod.yml" does not exist in ${join(base, "app")}. Fix: pulumi config set composeFile <file name inside projectPath>`,
      ],
    ],
    [
      "services missing from the compose file",
      {
        projectPath: "app",
        infraServices: '["postgres","redis"]',
        backupService: "postgres",
        workerServices: '["celery"]',
      },
      [
        `Service "postgres" is named in the stack config but not defined in ${join(base, "app", "docker-compose.yml")} (services: db, redis, web, celery_worker, celery_beat). Fix: correct the name in infraServices/webService/workerServices.`,
        `Service "celery" is named in the stack config but not defined in ${join(base, "app", "docker-compose.yml")} (services: db, redis, web, celery_worker, celery_beat). Fix: correct the name in infraServices/webService/workerServices.`,
      ],
    ],
    [
      "an infra service without a healthcheck (celery_beat's is disabled)",
      { projectPath: "app", infraServices: '["db","celery_beat"]', workerServices: "[]" },
      [
        `Service "celery_beat" in ${join(base, "app", "docker-compose.yml")} has no healthcheck, so the deploy cannot wait until it is ready. Fix: add a healthcheck (e.g. pg_isready for Postgres, redis-cli ping for Redis, an HTTP probe for the web).`,
      ],
    ],
  ];
  for (const [name, values, expected] of cases) {
    it(name, () =>
      assert.deepEqual(
        problems(() => checkProjectFiles(raw(values), base, P)),
        expected,
      ),
    );
  }
});

describe("envDigest", () => {
  it("is SHA-256 of the canonical JSON of sorted pairs, 16 hex (checked with sha256sum)", () => {
    assert.equal(envDigest({ B: "two", A: "1" }), "75c5adf5b47af9f2");
    assert.equal(envDigest({}), "4f53cda18c2baa0c");
  });

  it("is stable and independent of insertion order", () => {
    assert.equal(envDigest({ A: "1", B: "two" }), envDigest({ B: "two", A: "1" }));
  });

  const vars = { DJANGO_SECRET_KEY: "s3cret", DJANGO_DEBUG: "0" };
  const changed: [string, Record<string, string>][] = [
    ["a value changes", { ...vars, DJANGO_DEBUG: "1" }],
    ["a secret value changes", { ...vars, DJANGO_SECRET_KEY: "s3cret2" }],
    ["a name is added", { ...vars, NEW: "" }],
    ["a name is removed", { DJANGO_DEBUG: "0" }],
    ["a value moves between names", { DJANGO_SECRET_KEY: "0", DJANGO_DEBUG: "s3cret" }],
    ["the name/value boundary moves", { DJANGO_SECRET_KEYs: "3cret", DJANGO_DEBUG: "0" }],
  ];
  for (const [name, other] of changed) {
    it(`changes when ${name}`, () => assert.notEqual(envDigest(other), envDigest(vars)));
  }

  it("holds no value in clear (the program also keeps it secret in the state)", () => {
    assert.match(envDigest(vars), /^[0-9a-f]{16}$/);
    assert.equal(envDigest(vars).includes("s3cret"), false);
  });
});
