import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import {
  buildServices,
  checkComposeRoles,
  type ComposeService,
  infraDefinitionHash,
  readComposeServices,
  switchRoles,
} from "../../../components/compose/compose-file";

const FIXTURE = join(__dirname, "..", "..", "fixtures", "deploy", "django-project");
const FIXTURE_COMPOSE = join(FIXTURE, "docker-compose.yml");

describe("readComposeServices", () => {
  const dir = mkdtempSync(join(tmpdir(), "compose-file-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("reads the fixture: build detection (string and map), image, healthcheck incl. disable: true", () => {
    assert.deepEqual(readComposeServices(FIXTURE_COMPOSE), [
      { name: "db", builds: false, image: "postgres:15", hasHealthcheck: true },
      { name: "redis", builds: false, image: "redis:7", hasHealthcheck: true },
      {
        name: "web",
        builds: true,
        image: undefined,
        hasHealthcheck: true,
        build: { context: ".", dockerfile: "Dockerfile" },
      },
      {
        name: "celery_worker",
        builds: true,
        image: undefined,
        hasHealthcheck: false,
        build: { context: ".", dockerfile: "Dockerfile" },
      },
      { name: "celery_beat", builds: false, image: "shop-app:latest", hasHealthcheck: false },
    ]);
  });

  it("a healthcheck without test, an empty service and build: null", () => {
    const path = write(
      "odd.yml",
      "services:\n  a:\n    image: x\n    healthcheck:\n      interval: 5s\n  b:\n  c:\n    build: null\n    image: y\n",
    );
    assert.deepEqual(readComposeServices(path), [
      { name: "a", builds: false, image: "x", hasHealthcheck: false },
      { name: "b", builds: false, image: undefined, hasHealthcheck: false },
      { name: "c", builds: false, image: "y", hasHealthcheck: false },
    ]);
  });

  it("invalid YAML: names the file and the fix", () => {
    const path = write("bad.yml", "services:\n  web: [\n");
    assert.throws(
      () => readComposeServices(path),
      (err: Error) =>
        err.message.startsWith(`Cannot read the compose file ${path}: `) &&
        err.message.endsWith(". Fix: correct the YAML, or point composeFile at the right file."),
    );
  });

  const noServices: [string, string][] = [
    ["an empty file", ""],
    ["no services key", "volumes:\n  data:\n"],
    ["services is a list", "services:\n  - web\n"],
  ];
  for (const [name, text] of noServices) {
    it(`${name}: "no 'services:' map" with the fix`, () => {
      const path = write("none.yml", text);
      assert.throws(() => readComposeServices(path), {
        message: `The compose file ${path} has no 'services:' map. Fix: point composeFile at the project's docker-compose.yml.`,
      });
    });
  }

  it("buildServices lists the services with build:, in file order", () => {
    assert.deepEqual(buildServices(readComposeServices(FIXTURE_COMPOSE)), ["web", "celery_worker"]);
  });
});

describe("checkComposeRoles", () => {
  const services: ComposeService[] = [
    { name: "db", builds: false, image: "postgres:15", hasHealthcheck: true },
    { name: "redis", builds: false, image: "redis:7", hasHealthcheck: false },
    { name: "web", builds: true, hasHealthcheck: true },
    { name: "worker", builds: true, hasHealthcheck: false },
    { name: "bare", builds: false, hasHealthcheck: true },
  ];
  const F = "/p/docker-compose.yml";

  it("valid roles: no problems (workers need no healthcheck)", () => {
    assert.deepEqual(
      checkComposeRoles(
        services,
        { infraServices: ["db"], webService: "web", workerServices: ["worker"] },
        F,
      ),
      [],
    );
  });

  it("the fixture's roles are valid", () => {
    assert.deepEqual(
      checkComposeRoles(
        readComposeServices(FIXTURE_COMPOSE),
        {
          infraServices: ["db", "redis"],
          webService: "web",
          workerServices: ["celery_worker", "celery_beat"],
        },
        FIXTURE_COMPOSE,
      ),
      [],
    );
  });

  const cases: [
    string,
    { infraServices: string[]; webService: string; workerServices: string[] },
    string[],
  ][] = [
    [
      "unknown services in every role",
      { infraServices: ["postgres"], webService: "app", workerServices: ["celery"] },
      [
        `Service "postgres" is named in the stack config but not defined in ${F} (services: db, redis, web, worker, bare). Fix: correct the name in infraServices/webService/workerServices.`,
        `Service "app" is named in the stack config but not defined in ${F} (services: db, redis, web, worker, bare). Fix: correct the name in infraServices/webService/workerServices.`,
        `Service "celery" is named in the stack config but not defined in ${F} (services: db, redis, web, worker, bare). Fix: correct the name in infraServices/webService/workerServices.`,
      ],
    ],
    [
      "infra and web without a healthcheck",
      { infraServices: ["db", "redis"], webService: "worker", workerServices: [] },
      [
        `Service "redis" in ${F} has no healthcheck, so the deploy cannot wait until it is ready. Fix: add a healthcheck (e.g. pg_isready for Postgres, redis-cli ping for Redis, an HTTP probe for the web).`,
        `Service "worker" in ${F} has no healthcheck, so the deploy cannot wait until it is ready. Fix: add a healthcheck (e.g. pg_isready for Postgres, redis-cli ping for Redis, an HTTP probe for the web).`,
      ],
    ],
    [
      "a web service with neither build: nor image:",
      { infraServices: [], webService: "bare", workerServices: [] },
      [
        `Service "bare" in ${F} has neither build: nor image:. Fix: give the web service a build: context.`,
      ],
    ],
  ];
  for (const [name, roles, expected] of cases) {
    it(name, () => assert.deepEqual(checkComposeRoles(services, roles, F), expected));
  }
});

describe("infraDefinitionHash", () => {
  const dir = mkdtempSync(join(tmpdir(), "infra-hash-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const COMPOSE = `services:
  db:
    image: \${POSTGRES_IMAGE:-postgres:17}
    environment:
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD}
    volumes: [pgdata:/var/lib/postgresql/data]
  redis:
    image: redis:8
  web:
    build: .
    environment:
      DJANGO_DEBUG: \${DJANGO_DEBUG}
volumes:
  pgdata: {}
`;
  const ENV = { POSTGRES_IMAGE: "postgres:17", POSTGRES_PASSWORD: "pw", DJANGO_DEBUG: "0" };
  const hash = (text: string, env: Record<string, string> = ENV) => {
    const path = join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(path, text);
    return infraDefinitionHash(path, ["db", "redis"], env);
  };
  const base = hash(COMPOSE);

  it("is stable, 12 hex, and ignores the app services and their settings", () => {
    assert.match(base, /^[0-9a-f]{12}$/);
    assert.equal(hash(COMPOSE), base);
    assert.equal(hash(COMPOSE.replace("build: .", "build: ./app")), base);
    assert.equal(hash(COMPOSE, { ...ENV, DJANGO_DEBUG: "1" }), base);
  });

  const changes: [string, () => string][] = [
    ["the db image", () => hash(COMPOSE.replace("redis:8", "redis:9"))],
    [
      "the image chosen through a variable",
      () => hash(COMPOSE, { ...ENV, POSTGRES_IMAGE: "postgres:18" }),
    ],
    ["a setting the db reads", () => hash(COMPOSE, { ...ENV, POSTGRES_PASSWORD: "pw2" })],
    ["the data volume", () => hash(COMPOSE.replace("pgdata:/var", "pgdata2:/var"))],
    [
      "a named volume's definition",
      () => hash(COMPOSE.replace("pgdata: {}", "pgdata: {external: true}")),
    ],
  ];
  for (const [what, other] of changes) {
    it(`changes with ${what}`, () => assert.notEqual(other(), base));
  }
});

describe("switchRoles", () => {
  const services: ComposeService[] = [
    {
      name: "web",
      builds: true,
      hasHealthcheck: true,
      ports: [{ published: "8000", target: 8000 }],
      staticRoot: "/app/static",
    },
    { name: "celery_worker", builds: true, hasHealthcheck: true },
    { name: "celery_beat", builds: true, hasHealthcheck: false },
  ];
  const roles = {
    infraServices: [],
    webService: "web",
    workerServices: ["celery_worker", "celery_beat"],
  };

  it("workers with a healthcheck roll, the others are singletons; the web's ports go to the proxy", () => {
    assert.deepEqual(switchRoles(services, { ...roles, collectstatic: true }), {
      proxy: { ports: [{ published: "8000", target: 8000 }], staticRoot: "/app/static" },
      rollingWorkers: ["celery_worker"],
      singletonWorkers: ["celery_beat"],
    });
  });

  it("no per-release static root when the deploy does not collect into it", () => {
    assert.equal(
      switchRoles(services, { ...roles, collectstatic: false }).proxy.staticRoot,
      undefined,
    );
  });
});
