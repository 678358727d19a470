import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  databaseChangeProblem,
  databaseIdentity,
  interpolate,
  postgresMajor,
  type DatabaseIdentity,
} from "../../../components/compose/database-identity";

const dir = mkdtempSync(join(tmpdir(), "db-identity-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function composeFile(db: string): string {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(path, `services:\n  db:\n${db}\n  web:\n    image: app\n`);
  return path;
}

describe("database identity from the compose file", () => {
  it("interpolates ${VAR}, ${VAR:-default}, ${VAR-default} and $VAR as compose does", () => {
    const env = { SET: "x", EMPTY: "" };
    assert.equal(interpolate("${SET:-d}/${UNSET:-d}/${EMPTY:-d}", env), "x/d/d");
    assert.equal(interpolate("${EMPTY-d}/${UNSET-d}/$SET/${UNSET}", env), "/d/x/");
  });

  it("reads the major version from the tag when it says it, and only then", () => {
    assert.equal(postgresMajor("postgres:17"), 17);
    assert.equal(postgresMajor("postgres:16-alpine"), 16);
    assert.equal(postgresMajor("registry.example:5000/pg/postgres:15.4-bookworm@sha256:ab"), 15);
    assert.equal(postgresMajor("postgis/postgis:16-3.4"), 16);
    assert.equal(postgresMajor("postgres"), undefined);
    assert.equal(postgresMajor("django-deploy/postgres:trixie"), undefined);
    assert.equal(postgresMajor("registry.example:5000/postgres"), undefined);
  });

  it("resolves the image with the plain settings and finds the data directory's volume", () => {
    const path = composeFile(
      "    image: ${POSTGRES_IMAGE:-postgres:17}\n    volumes:\n      - ./init:/docker-entrypoint-initdb.d\n      - pgdata:/var/lib/postgresql/data",
    );
    assert.deepEqual(databaseIdentity(path, "db", {}), {
      service: "db",
      image: "postgres:17",
      major: 17,
      dataVolume: "pgdata:/var/lib/postgresql/data",
    });
    assert.deepEqual(databaseIdentity(path, "db", { POSTGRES_IMAGE: "postgres:16" })?.major, 16);
    assert.equal(databaseIdentity(path, "nodb", {}), undefined);
  });

  it("reads the long volume syntax, and a data directory with no volume", () => {
    const long = composeFile(
      "    image: postgres:18\n    volumes:\n      - type: volume\n        source: pg18\n        target: /var/lib/postgresql",
    );
    assert.equal(databaseIdentity(long, "db", {})?.dataVolume, "pg18:/var/lib/postgresql");
    const none = composeFile("    image: postgres:18");
    assert.deepEqual(databaseIdentity(none, "db", {}), {
      service: "db",
      image: "postgres:18",
      major: 18,
    });
  });
});

describe("databaseChangeProblem", () => {
  const pg17: DatabaseIdentity = {
    service: "db",
    image: "postgres:17",
    major: 17,
    dataVolume: "pgdata:/var/lib/postgresql/data",
  };

  it("lets the same database, a minor or unknown-major image change, and a first deploy through", () => {
    assert.equal(databaseChangeProblem(pg17, pg17, false), undefined);
    assert.equal(
      databaseChangeProblem(pg17, { ...pg17, image: "postgres:17.6" }, false),
      undefined,
    );
    const unknown = { ...pg17, image: "django-deploy/postgres:trixie", major: undefined };
    assert.equal(databaseChangeProblem(pg17, unknown, false), undefined);
    assert.equal(databaseChangeProblem(undefined, pg17, false), undefined);
    assert.equal(databaseChangeProblem("not an identity", pg17, false), undefined);
  });

  it("refuses a major version change, naming both and the upgrade path", () => {
    const problem = databaseChangeProblem(
      pg17,
      { ...pg17, image: "postgres:18", major: 18 },
      false,
    );
    assert.match(
      problem ?? "",
      /changes the "db" service's Postgres major version from 17 \(postgres:17\) to 18 \(postgres:18\)/,
    );
    assert.match(problem ?? "", /Nothing was changed on the server/);
    assert.match(problem ?? "", /pulumi config set allowDatabaseChange true/);
    assert.match(problem ?? "", /npm run ops -- restore <file> --yes/);
  });

  it("refuses a new data volume or mount point, and lets both through when allowed", () => {
    const moved = { ...pg17, dataVolume: "pgdata2:/var/lib/postgresql/data" };
    assert.match(
      databaseChangeProblem(pg17, moved, false) ?? "",
      /data volume from pgdata:\/var\/lib\/postgresql\/data to pgdata2:\/var\/lib\/postgresql\/data: the database would start empty/,
    );
    const both = { ...moved, image: "postgres:18", major: 18 };
    assert.match(databaseChangeProblem(pg17, both, false) ?? "", /; and its data volume/);
    assert.equal(databaseChangeProblem(pg17, both, true), undefined);
  });
});
