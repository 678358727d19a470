// Django graph semantics, scenario by scenario, with exact expected errors, plans and nodes.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  analyzeMigrations,
  type Finding,
  type MigrationReport,
} from "../../../components/migrations";
import { files, migration, packages, writeProject } from "./project";

interface Case {
  name: string;
  project: Record<string, string>;
  applied?: string[];
  errors: Array<Partial<Finding>>;
  plan?: string[];
  apps?: MigrationReport["apps"];
  external?: string[];
}

/** The contract fields of each error (message and location are checked separately). */
function contractFields(errors: Finding[]): Array<Partial<Finding>> {
  return errors.map((e) => {
    const out: Partial<Finding> = { code: e.code };
    for (const k of ["node", "missing", "app", "leaves"] as const)
      if (e[k] !== undefined) (out as Record<string, unknown>)[k] = e[k];
    return out;
  });
}

const chain3 = {
  "0001_initial": migration(),
  "0002_a": migration([["shop", "0001_initial"]]),
  "0003_b": migration([["shop", "0002_a"]]),
};
const squash = migration([], {
  replaces: [
    ["shop", "0001_initial"],
    ["shop", "0002_a"],
    ["shop", "0003_b"],
  ],
});

const cases: Case[] = [
  {
    name: "linear chain with cross-app and external dependencies",
    project: {
      ...files("accounts", {
        "0001_initial": migration([["auth", "0012_alter_user_first_name_max_length"]]),
        "0002_profile": migration([["accounts", "0001_initial"]]),
      }),
      ...files("billing", {
        "0001_initial": migration([
          ["accounts", "0002_profile"],
          ["contenttypes", "__first__"],
        ]),
      }),
    },
    errors: [],
    plan: ["accounts.0001_initial", "accounts.0002_profile", "billing.0001_initial"],
    apps: {
      accounts: { nodes: ["0001_initial", "0002_profile"], leaves: ["0002_profile"] },
      billing: { nodes: ["0001_initial"], leaves: ["0001_initial"] },
    },
    external: ["auth.0012_alter_user_first_name_max_length", "contenttypes.__first__"],
  },
  {
    name: "settings 0018 depends on a 0017 that is missing",
    project: files("settings", {
      "0016_site_name": migration(),
      "0018_site_logo": migration([["settings", "0017_site_theme"]]),
    }),
    errors: [
      {
        code: "node-not-found",
        node: "settings.0018_site_logo",
        missing: "settings.0017_site_theme",
      },
    ],
  },
  {
    name: "two 0011 leaves in accounts are a conflict; plan and apps still complete",
    project: files("accounts", {
      "0010_base": migration(),
      "0011_add_phone": migration([["accounts", "0010_base"]]),
      "0011_add_avatar": migration([["accounts", "0010_base"]]),
    }),
    errors: [{ code: "conflict", app: "accounts", leaves: ["0011_add_avatar", "0011_add_phone"] }],
    plan: ["accounts.0010_base", "accounts.0011_add_avatar", "accounts.0011_add_phone"],
    apps: {
      accounts: {
        nodes: ["0010_base", "0011_add_avatar", "0011_add_phone"],
        leaves: ["0011_add_avatar", "0011_add_phone"],
      },
    },
  },
  {
    name: "billing 0002 depends on an accounts migration that was renamed",
    project: {
      ...files("accounts", {
        "0001_initial": migration(),
        "0002_user_profile": migration([["accounts", "0001_initial"]]),
      }),
      ...files("billing", {
        "0001_initial": migration([["accounts", "0001_initial"]]),
        "0002_invoice_owner": migration([
          ["billing", "0001_initial"],
          ["accounts", "0002_profile"],
        ]),
      }),
    },
    errors: [
      {
        code: "node-not-found",
        node: "billing.0002_invoice_owner",
        missing: "accounts.0002_profile",
      },
    ],
  },
  {
    name: "every missing node is reported",
    project: files("shop", {
      "0001_initial": migration([["shop", "0000_gone"]]),
      "0002_x": migration([
        ["shop", "0001_initial"],
        ["shop", "0001_gone_too"],
      ]),
    }),
    errors: [
      { code: "node-not-found", node: "shop.0001_initial", missing: "shop.0000_gone" },
      { code: "node-not-found", node: "shop.0002_x", missing: "shop.0001_gone_too" },
    ],
  },
  {
    name: "cross-app __first__ and __latest__ resolve to the first root and leaf",
    project: {
      ...files("accounts", {
        "0001_initial": migration(),
        "0002_more": migration([["accounts", "0001_initial"]]),
      }),
      ...files("billing", { "0001_initial": migration([["accounts", "__first__"]]) }),
      ...files("shop", { "0001_initial": migration([["accounts", "__latest__"]]) }),
      ...packages("empty"),
      ...files("notes", {
        "0001_initial": migration([
          ["empty", "__first__"],
          ["empty", "__latest__"],
        ]),
      }),
    },
    // billing only needs accounts.0001; shop needs accounts.0002 (checked through the history).
    applied: ["accounts.0001_initial", "billing.0001_initial", "shop.0001_initial"],
    errors: [
      { code: "inconsistent-history", node: "shop.0001_initial", missing: "accounts.0002_more" },
    ],
    plan: ["accounts.0002_more", "notes.0001_initial"],
    apps: {
      accounts: { nodes: ["0001_initial", "0002_more"], leaves: ["0002_more"] },
      billing: { nodes: ["0001_initial"], leaves: ["0001_initial"] },
      empty: { nodes: [], leaves: [] },
      notes: { nodes: ["0001_initial"], leaves: ["0001_initial"] },
      shop: { nodes: ["0001_initial"], leaves: ["0001_initial"] },
    },
    external: [],
  },
  {
    name: "same-app __first__ is ignored, same-app __latest__ is a missing node",
    project: files("shop", {
      "0001_initial": migration([["shop", "__first__"]]),
      "0002_x": migration([
        ["shop", "0001_initial"],
        ["shop", "__latest__"],
      ]),
    }),
    errors: [{ code: "node-not-found", node: "shop.0002_x", missing: "shop.__latest__" }],
  },
  {
    name: "a named dependency on a local app without migrations is a missing node",
    project: {
      ...packages("empty"),
      ...files("shop", { "0001_initial": migration([["empty", "0001_initial"]]) }),
    },
    errors: [{ code: "node-not-found", node: "shop.0001_initial", missing: "empty.0001_initial" }],
  },
  {
    name: "run_before makes the target depend on the declaring migration",
    project: {
      ...files("accounts", { "0001_initial": migration() }),
      ...files("billing", {
        "0001_initial": migration([], { runBefore: [["accounts", "0001_initial"]] }),
      }),
    },
    errors: [],
    plan: ["billing.0001_initial", "accounts.0001_initial"],
  },
  {
    name: "run_before to a missing migration names the declaring migration",
    project: {
      ...files("accounts", { "0001_initial": migration() }),
      ...files("billing", {
        "0001_initial": migration([], { runBefore: [["accounts", "0009_nope"]] }),
      }),
    },
    errors: [
      { code: "node-not-found", node: "billing.0001_initial", missing: "accounts.0009_nope" },
    ],
  },
  {
    name: "run_before with __first__ of another app and of its own app",
    project: {
      ...files("accounts", {
        "0001_initial": migration(),
        "0002_more": migration([["accounts", "0001_initial"]]),
      }),
      ...files("billing", {
        "0001_initial": migration([], {
          runBefore: [
            ["accounts", "__first__"],
            ["billing", "__first__"],
          ],
        }),
      }),
    },
    errors: [],
    plan: ["billing.0001_initial", "accounts.0001_initial", "accounts.0002_more"],
  },
  {
    name: "a dependency cycle across apps",
    project: {
      ...files("a", { "0001_initial": migration([["b", "0001_initial"]]) }),
      ...files("b", { "0001_initial": migration([["a", "0001_initial"]]) }),
    },
    errors: [{ code: "circular-dependency", node: "a.0001_initial" }],
  },
  {
    name: "a self-dependency is a cycle",
    project: files("a", { "0001_initial": migration([["a", "0001_initial"]]) }),
    errors: [{ code: "circular-dependency", node: "a.0001_initial" }],
  },
  {
    name: "inconsistent history: applied child, unapplied parent; the plan skips the applied leaf",
    project: files("shop", chain3),
    applied: ["shop.0001_initial", "shop.0003_b", "other.0001_unknown"],
    errors: [{ code: "inconsistent-history", node: "shop.0003_b", missing: "shop.0002_a" }],
    plan: [],
  },
  // Squashed migrations.
  {
    name: "squash not applied: the replacement stands in for the replaced migrations",
    project: files("shop", {
      ...chain3,
      "0001_squashed_0003_b": squash,
      "0004_c": migration([["shop", "0003_b"]]),
    }),
    errors: [],
    plan: ["shop.0001_squashed_0003_b", "shop.0004_c"],
    apps: { shop: { nodes: ["0001_squashed_0003_b", "0004_c"], leaves: ["0004_c"] } },
  },
  {
    name: "squash fully applied: the replacement counts as applied",
    project: files("shop", {
      ...chain3,
      "0001_squashed_0003_b": squash,
      "0004_c": migration([["shop", "0003_b"]]),
    }),
    applied: ["shop.0001_initial", "shop.0002_a", "shop.0003_b"],
    errors: [],
    plan: ["shop.0004_c"],
    apps: { shop: { nodes: ["0001_squashed_0003_b", "0004_c"], leaves: ["0004_c"] } },
  },
  {
    name: "squash partly applied: the replaced migrations are used",
    project: files("shop", {
      ...chain3,
      "0001_squashed_0003_b": squash,
      "0004_c": migration([["shop", "0003_b"]]),
    }),
    applied: ["shop.0001_initial"],
    errors: [],
    plan: ["shop.0002_a", "shop.0003_b", "shop.0004_c"],
    apps: { shop: { nodes: ["0001_initial", "0002_a", "0003_b", "0004_c"], leaves: ["0004_c"] } },
  },
  {
    name: "a squash listed as applied without its replaced migrations is not applied",
    project: files("shop", { ...chain3, "0001_squashed_0003_b": squash }),
    applied: ["shop.0001_squashed_0003_b"],
    errors: [],
    plan: ["shop.0001_squashed_0003_b"],
  },
  {
    name: "replaced files deleted: dependants in other apps point at the squash",
    project: {
      ...files("shop", {
        "0001_squashed_0003_b": squash,
        "0004_c": migration([["shop", "0003_b"]]),
      }),
      ...files("billing", { "0001_initial": migration([["shop", "0002_a"]]) }),
    },
    errors: [],
    plan: ["shop.0001_squashed_0003_b", "billing.0001_initial", "shop.0004_c"],
  },
  {
    name: "replaced files deleted and squash partly applied: node not found after squash",
    project: files("shop", {
      "0001_squashed_0003_b": squash,
      "0004_c": migration([["shop", "0003_b"]]),
    }),
    applied: ["shop.0001_initial"],
    errors: [{ code: "node-not-found", node: "shop.0004_c", missing: "shop.0003_b" }],
  },
  {
    name: "nested squash, nothing applied",
    project: files("shop", {
      ...chain3,
      "0004_d": migration([["shop", "0003_b"]]),
      "0001_squashed_0002_a": migration([], {
        replaces: [
          ["shop", "0001_initial"],
          ["shop", "0002_a"],
        ],
      }),
      "0001_squashed_0004_d": migration([], {
        replaces: [
          ["shop", "0001_squashed_0002_a"],
          ["shop", "0003_b"],
          ["shop", "0004_d"],
        ],
      }),
      "0005_e": migration([["shop", "0004_d"]]),
    }),
    errors: [],
    plan: ["shop.0001_squashed_0004_d", "shop.0005_e"],
    apps: { shop: { nodes: ["0001_squashed_0004_d", "0005_e"], leaves: ["0005_e"] } },
  },
  {
    name: "nested squash, everything applied",
    project: files("shop", {
      ...chain3,
      "0004_d": migration([["shop", "0003_b"]]),
      "0001_squashed_0002_a": migration([], {
        replaces: [
          ["shop", "0001_initial"],
          ["shop", "0002_a"],
        ],
      }),
      "0001_squashed_0004_d": migration([], {
        replaces: [
          ["shop", "0001_squashed_0002_a"],
          ["shop", "0003_b"],
          ["shop", "0004_d"],
        ],
      }),
      "0005_e": migration([["shop", "0004_d"]]),
    }),
    applied: ["shop.0001_initial", "shop.0002_a", "shop.0003_b", "shop.0004_d"],
    errors: [],
    plan: ["shop.0005_e"],
  },
  {
    name: "nested squash, inner squash applied and outer partly",
    project: files("shop", {
      ...chain3,
      "0004_d": migration([["shop", "0003_b"]]),
      "0001_squashed_0002_a": migration([], {
        replaces: [
          ["shop", "0001_initial"],
          ["shop", "0002_a"],
        ],
      }),
      "0001_squashed_0004_d": migration([], {
        replaces: [
          ["shop", "0001_squashed_0002_a"],
          ["shop", "0003_b"],
          ["shop", "0004_d"],
        ],
      }),
      "0005_e": migration([["shop", "0004_d"]]),
    }),
    applied: ["shop.0001_initial", "shop.0002_a"],
    errors: [],
    plan: ["shop.0003_b", "shop.0004_d", "shop.0005_e"],
    apps: {
      shop: { nodes: ["0001_squashed_0002_a", "0003_b", "0004_d", "0005_e"], leaves: ["0005_e"] },
    },
  },
  {
    name: "squashes that replace each other are a circular dependency",
    project: files("shop", {
      "0001_squashed_a": migration([], { replaces: [["shop", "0001_squashed_b"]] }),
      "0001_squashed_b": migration([], { replaces: [["shop", "0001_squashed_a"]] }),
    }),
    errors: [{ code: "circular-dependency", node: "shop.0001_squashed_a" }],
  },
  {
    name: "an applied squash's replaced migrations satisfy the history check",
    project: files("shop", {
      "0001_initial": migration(),
      "0002_a": migration([["shop", "0001_initial"]]),
      "0001_squashed_0002_a": migration([], {
        replaces: [
          ["shop", "0001_initial"],
          ["shop", "0002_a"],
        ],
      }),
      "0003_b": migration([["shop", "0002_a"]]),
    }),
    applied: ["shop.0001_initial", "shop.0002_a", "shop.0003_b"],
    errors: [],
    plan: [],
  },
  {
    name: "external dependencies include those of replaced files",
    project: files("shop", {
      "0001_initial": migration([["auth", "0001_initial"]]),
      "0001_squashed": migration([], { replaces: [["shop", "0001_initial"]] }),
    }),
    errors: [],
    plan: ["shop.0001_squashed"],
    external: ["auth.0001_initial"],
  },
];

for (const c of cases) {
  test(c.name, () => {
    const report = analyzeMigrations(
      writeProject(c.project),
      c.applied ? { applied: c.applied } : {},
    );
    assert.deepEqual(contractFields(report.errors), c.errors);
    if (c.plan) assert.deepEqual(report.plan, c.plan);
    if (c.apps) assert.deepEqual(report.apps, c.apps);
    if (c.external) assert.deepEqual(report.external, c.external);
    for (const e of report.errors)
      assert.ok(e.message.length > 20, `error without a message: ${JSON.stringify(e)}`);
  });
}

test("node-not-found message names the migration, the missing parent, the file:line and the fix", () => {
  const root = writeProject(
    files("settings", {
      "0016_site_name": migration(),
      "0018_site_logo": migration([["settings", "0017_site_theme"]]),
    }),
  );
  const [error] = analyzeMigrations(root).errors;
  const file = `${root}/settings/migrations/0018_site_logo.py`;
  assert.equal(error.file, file);
  assert.equal(error.line, 6);
  assert.equal(
    error.message,
    `Migration settings.0018_site_logo depends on settings.0017_site_theme, but there is no migration ` +
      `0017_site_theme in app "settings". Restore the missing migration file or correct the dependency in ${file}:6.`,
  );
});

test("conflict message gives the makemigrations --merge command", () => {
  const root = writeProject(
    files("accounts", {
      "0010_base": migration(),
      "0011_add_phone": migration([["accounts", "0010_base"]]),
      "0011_add_avatar": migration([["accounts", "0010_base"]]),
    }),
  );
  const [error] = analyzeMigrations(root).errors;
  assert.match(error.message, /0011_add_avatar, 0011_add_phone/);
  assert.match(error.message, /`python manage\.py makemigrations --merge accounts`/);
});

test("a node missing after a partly applied squash explains why the squash could not stand in", () => {
  const root = writeProject(
    files("shop", { "0001_squashed_0003_b": squash, "0004_c": migration([["shop", "0003_b"]]) }),
  );
  const [error] = analyzeMigrations(root, { applied: ["shop.0001_initial"] }).errors;
  assert.match(error.message, /shop\.0003_b is replaced by shop\.0001_squashed_0003_b/);
});

test("inconsistent-history message names both migrations and the --fake fix", () => {
  const root = writeProject(files("shop", chain3));
  const [error] = analyzeMigrations(root, { applied: ["shop.0002_a"] }).errors;
  assert.equal(error.code, "inconsistent-history");
  assert.match(
    error.message,
    /shop\.0002_a is recorded as applied but its dependency shop\.0001_initial is not/,
  );
  assert.match(error.message, /migrate --fake shop 0001_initial/);
});
