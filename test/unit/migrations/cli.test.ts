// The command line as other tools see it: exit codes, stdout JSON, usage errors on stderr.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { repo, runCli as run } from "./compiled-cli";
import { tempDir } from "./project";

const fixtures = join(repo, "test", "fixtures", "migrations");

test("npm run --silent migration-graph prints exactly one JSON object and exits 0", () => {
  const r = spawnSync(
    "npm",
    ["run", "--silent", "migration-graph", "--", join(fixtures, "squashed"), "--json"],
    {
      cwd: repo,
      encoding: "utf8",
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    apps: { shop: { nodes: ["0001_squashed_0003_price", "0004_stock"], leaves: ["0004_stock"] } },
    plan: ["shop.0001_squashed_0003_price", "shop.0004_stock"],
    errors: [],
    warnings: [],
    external: [],
  });
});

test("--applied with comments and blank lines marks the squash applied", () => {
  const r = run([
    join(fixtures, "squashed"),
    "--json",
    "--applied",
    join(fixtures, "squashed", "applied-all.txt"),
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).plan, ["shop.0004_stock"]);
});

test("--applied partly applied squash plans the replaced migrations", () => {
  const r = run([
    join(fixtures, "squashed"),
    "--json",
    "--applied",
    join(fixtures, "squashed", "applied-partial.txt"),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.plan, ["shop.0002_product", "shop.0003_price", "shop.0004_stock"]);
  assert.deepEqual(out.apps.shop.nodes, [
    "0001_initial",
    "0002_product",
    "0003_price",
    "0004_stock",
  ]);
});

const errorCases: Array<[string, Array<Record<string, unknown>>]> = [
  [
    "missing-parent",
    [
      {
        code: "node-not-found",
        node: "settings.0018_site_logo",
        missing: "settings.0017_site_theme",
      },
    ],
  ],
  [
    "conflict",
    [{ code: "conflict", app: "accounts", leaves: ["0011_user_avatar", "0011_user_phone"] }],
  ],
  [
    "renamed-dependency",
    [
      {
        code: "node-not-found",
        node: "billing.0002_invoice_owner",
        missing: "accounts.0002_profile",
      },
    ],
  ],
  [
    "syntax",
    [
      { code: "bad-migration", node: "broken.0003_no_class" },
      { code: "parse-error", node: "broken.0001_initial" },
    ],
  ],
];

for (const [fixture, expected] of errorCases) {
  test(`${fixture}: exit 1 with the contract fields`, () => {
    const r = run([join(fixtures, fixture), "--json"]);
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    const fields = out.errors.map((e: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(e).filter(([k]) => ["code", "node", "missing", "app", "leaves"].includes(k)),
      ),
    );
    assert.deepEqual(fields, expected);
    for (const e of out.errors) assert.equal(typeof e.message, "string");
  });
}

test("discovery: nested apps, an app named migrations, ignored files and directories", () => {
  const r = run([join(fixtures, "discovery"), "--json"]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).apps, {
    empty: { nodes: [], leaves: [] },
    migrations: { nodes: ["0001_initial"], leaves: ["0001_initial"] },
    shop: { nodes: ["0001_initial", "0002_product_price"], leaves: ["0002_product_price"] },
  });
});

test("without --json the report is human-readable", () => {
  const r = run([join(fixtures, "conflict")]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^1 app\(s\), 3 migration\(s\)\./);
  assert.match(r.stdout, /error \[conflict\] .*makemigrations --merge accounts/);
});

const usageCases: Array<[string, string[], RegExp]> = [
  ["missing root", ["--json"], /missing <root> argument/],
  [
    "root is not a directory",
    [join(fixtures, "squashed", "applied-all.txt"), "--json"],
    /is not a directory/,
  ],
  ["root does not exist", [join(fixtures, "no-such-dir"), "--json"], /is not a directory/],
  [
    "unreadable --applied file",
    [join(fixtures, "squashed"), "--json", "--applied", join(fixtures, "nope.txt")],
    /cannot read --applied file/,
  ],
  [
    "--applied line without a dot",
    [
      join(fixtures, "squashed"),
      "--json",
      "--applied",
      join(fixtures, "squashed", "applied-bad-line.txt"),
    ],
    /:2: "shop0002_product" is not app_label\.migration_name/,
  ],
  [
    "unknown option",
    [join(fixtures, "squashed"), "--json", "--verbose"],
    /unknown option --verbose/,
  ],
  [
    "--applied without a file",
    [join(fixtures, "squashed"), "--json", "--applied"],
    /--applied needs a file/,
  ],
];

for (const [name, args, message] of usageCases) {
  test(`usage error: ${name} -> exit 2 and a message on stderr`, () => {
    const r = run(args);
    assert.equal(r.status, 2);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /usage: migration-graph <root>/);
  });
}

test("two apps with the same label are a usage error", () => {
  const root = tempDir("migration-graph-dup-");
  for (const dir of ["a/shop", "b/shop"]) {
    spawnSync("mkdir", ["-p", join(root, dir, "migrations")]);
    writeFileSync(join(root, dir, "migrations", "__init__.py"), "");
  }
  const r = run([root, "--json"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /two Django apps share the label "shop"/);
});

test("--cache gives the same answer on a second run", () => {
  const env = {
    ...process.env,
    MIGRATION_GRAPH_CACHE_DIR: tempDir("migration-graph-cli-cache-"),
  };
  const args = [join(fixtures, "conflict"), "--json", "--cache"];
  const first = run(args, { env });
  const second = run(args, { env });
  assert.equal(first.status, 1);
  assert.equal(second.status, 1);
  assert.equal(second.stdout, first.stdout);
  assert.equal(JSON.parse(first.stdout).errors[0].code, "conflict");
});
