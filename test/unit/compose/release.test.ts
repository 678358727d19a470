import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import {
  executableFiles,
  hashFiles,
  releaseFiles,
  releaseId,
  sha256,
} from "../../../components/compose/release";
import { stageRelease } from "../../../components/compose/staging";

const FIXTURE = join(__dirname, "..", "..", "fixtures", "deploy", "django-project");
const FIXTURE_FILES = [
  "accounts/__init__.py",
  "accounts/migrations/0001_initial.py",
  "accounts/migrations/0002_account_email.bak.py",
  "accounts/migrations/0002_account_email.py",
  "accounts/migrations/README.txt",
  "accounts/migrations/__init__.py",
  "accounts/migrations/_helpers.py",
  "accounts/migrations/~0003_tmp.py",
  "config/__init__.py",
  "config/settings.py",
  "docker-compose.yml",
  "manage.py",
  "notes/migrations/0001_initial.py",
  "shop/__init__.py",
  "shop/orders/__init__.py",
  "shop/orders/migrations/0001_initial.py",
  "shop/orders/migrations/__init__.py",
];

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function temp(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
function copy() {
  const dir = temp("release-");
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

describe("releaseFiles", () => {
  it("lists every project file as sorted relative '/' paths", () => {
    assert.deepEqual(releaseFiles(FIXTURE), FIXTURE_FILES);
  });

  it("skips local clutter: __pycache__, .pyc, .env, .git, node_modules, venvs, .DS_Store", () => {
    const dir = copy();
    const clutter: [string, string][] = [
      ["accounts/__pycache__/models.cpython-311.pyc", "x"],
      ["accounts/models.pyc", "x"],
      [".env", "DJANGO_SECRET_KEY='local'\n"],
      [".git/HEAD", "ref: refs/heads/main\n"],
      ["node_modules/x/index.js", ""],
      [".venv/bin/python", ""],
      ["venv/bin/python", ""],
      [".mypy_cache/x", ""],
      [".pytest_cache/x", ""],
      [".DS_Store", ""],
      [".pulumi-release/0123456789ab/manage.py", ""],
    ];
    for (const [path, text] of clutter) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    assert.deepEqual(releaseFiles(dir), FIXTURE_FILES);
  });
});

describe("hashFiles / releaseId", () => {
  it("hashFiles covers names and bytes: sha256 over name NUL sha256(bytes) NUL (checked with sha256sum)", () => {
    const dir = temp("hash-");
    writeFileSync(join(dir, "a"), "x");
    assert.equal(
      hashFiles(dir, ["a"]),
      "09ac5f154ec6c43e843145c150abe0eb90cd5e10436c81ed32678f8faa58ad29",
    );
  });

  it("sha256 of text", () => {
    assert.equal(sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("is 12 lowercase hex and the same in another process (no dependence on fs order or time)", () => {
    const id = releaseId(FIXTURE);
    assert.match(id, /^[0-9a-f]{12}$/);
    const other = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `console.log(require(${JSON.stringify(join(__dirname, "..", "..", "..", "components", "compose", "release"))}).releaseId(${JSON.stringify(FIXTURE)}))`,
      ],
      { encoding: "utf8" },
    );
    assert.equal(other.stdout.trim(), id, other.stderr);
    assert.equal(releaseId(copy()), id);
  });

  it("changes when a file's content changes, and when a file is renamed", () => {
    const dir = copy();
    const base = releaseId(dir);
    writeFileSync(join(dir, "config", "settings.py"), 'SECRET_KEY = "changed"\n');
    const edited = releaseId(dir);
    assert.notEqual(edited, base);
    renameSync(join(dir, "config", "settings.py"), join(dir, "config", "settings_prod.py"));
    assert.notEqual(releaseId(dir), edited);
  });

  it("changes when a file's exec bit changes (the server restores it from the release)", () => {
    const dir = copy();
    const base = releaseId(dir);
    assert.deepEqual(executableFiles(dir), ["manage.py"]);
    chmodSync(join(dir, "manage.py"), 0o644);
    assert.notEqual(releaseId(dir), base);
    assert.deepEqual(executableFiles(dir), []);
    chmodSync(join(dir, "manage.py"), 0o755);
    assert.equal(releaseId(dir), base);
  });

  it("changes when an empty file is added", () => {
    const dir = copy();
    const base = releaseId(dir);
    writeFileSync(join(dir, "config", "empty.py"), "");
    assert.notEqual(releaseId(dir), base);
  });

  it("ignores __pycache__, .pyc and .env changes", () => {
    const dir = copy();
    const base = releaseId(dir);
    mkdirSync(join(dir, "accounts", "__pycache__"));
    writeFileSync(join(dir, "accounts", "__pycache__", "x.cpython-311.pyc"), "bytecode");
    writeFileSync(join(dir, "accounts", "stale.pyc"), "bytecode");
    writeFileSync(join(dir, ".env"), "SECRET='1'\n");
    assert.equal(releaseId(dir), base);
  });

  it("is not changed by staging a release inside the project (projectPath '.')", () => {
    const dir = copy();
    const base = releaseId(dir);
    stageRelease(dir, base, join(dir, ".pulumi-release"));
    assert.equal(releaseId(dir), base);
  });
});

describe("stageRelease", () => {
  it("copies exactly releaseFiles (bytes and exec bit) into <stagingRoot>/<releaseId>", () => {
    const dir = copy();
    writeFileSync(join(dir, ".env"), "LOCAL='1'\n");
    mkdirSync(join(dir, "accounts", "__pycache__"));
    writeFileSync(join(dir, "accounts", "__pycache__", "x.pyc"), "");
    const staging = join(temp("staging-"), "nested", "root");
    const id = releaseId(dir);
    const staged = stageRelease(dir, id, staging);
    assert.equal(staged, join(staging, id));
    assert.deepEqual(releaseFiles(staged), FIXTURE_FILES);
    assert.equal(existsSync(join(staged, ".env")), false);
    for (const file of FIXTURE_FILES) {
      assert.deepEqual(readFileSync(join(staged, file)), readFileSync(join(dir, file)), file);
    }
    assert.equal(statSync(join(staged, "manage.py")).mode & 0o111, 0o111);
    assert.equal(releaseId(staged), id);
    assert.deepEqual(readdirSync(staging), [id]);
  });

  it("is idempotent: a second call returns the same dir and leaves it as it was", () => {
    const dir = copy();
    const staging = temp("staging-");
    const id = releaseId(dir);
    const first = stageRelease(dir, id, staging);
    const second = stageRelease(dir, id, staging);
    assert.equal(second, first);
    assert.deepEqual(readdirSync(staging), [id]);
    assert.deepEqual(releaseFiles(second), FIXTURE_FILES);
  });
});
