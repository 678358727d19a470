// Scenarios from Django's own loader tests (tests/migrations/test_loader.py), rebuilt as
// projects: the expected plans are the ones Django asserts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeMigrations } from "../../../components/migrations";
import { files, migration, writeProject } from "./project";

// test_migrations_squashed_complex: 1..7 in a chain, 3_squashed_5 replaces 3, 4 and 5.
const complex = writeProject(
  files("migrations", {
    "1_auto": migration(),
    "2_auto": migration([["migrations", "1_auto"]]),
    "3_auto": migration([["migrations", "2_auto"]]),
    "3_squashed_5": migration([["migrations", "2_auto"]], {
      replaces: [
        ["migrations", "3_auto"],
        ["migrations", "4_auto"],
        ["migrations", "5_auto"],
      ],
    }),
    "4_auto": migration([["migrations", "3_auto"]]),
    "5_auto": migration([["migrations", "4_auto"]]),
    "6_auto": migration([["migrations", "5_auto"]]),
    "7_auto": migration([["migrations", "6_auto"]]),
  }),
);

const complexCases: Array<[number, string[]]> = [
  [
    0,
    [
      "migrations.1_auto",
      "migrations.2_auto",
      "migrations.3_squashed_5",
      "migrations.6_auto",
      "migrations.7_auto",
    ],
  ],
  [1, ["migrations.2_auto", "migrations.3_squashed_5", "migrations.6_auto", "migrations.7_auto"]],
  [2, ["migrations.3_squashed_5", "migrations.6_auto", "migrations.7_auto"]],
  // Starting at 3 to 5 cannot use the squashed migration.
  [3, ["migrations.4_auto", "migrations.5_auto", "migrations.6_auto", "migrations.7_auto"]],
  [4, ["migrations.5_auto", "migrations.6_auto", "migrations.7_auto"]],
  // Once 5 is applied the squash counts as applied again.
  [5, ["migrations.6_auto", "migrations.7_auto"]],
  [6, ["migrations.7_auto"]],
  [7, []],
];

for (const [appliedUpTo, plan] of complexCases) {
  test(`squashed_complex with 1..${appliedUpTo} applied`, () => {
    const applied = Array.from({ length: appliedUpTo }, (_, i) => `migrations.${i + 1}_auto`);
    const report = analyzeMigrations(complex, { applied });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.plan, plan);
  });
}

// test_migrations_squashed_complex_multi_apps: squashes in two apps that depend on each other.
const multi = writeProject({
  ...files("app1", {
    "1_auto": migration(),
    "2_auto": migration([["app1", "1_auto"]]),
    "2_squashed_3": migration(
      [
        ["app1", "1_auto"],
        ["app2", "2_auto"],
      ],
      {
        replaces: [
          ["app1", "2_auto"],
          ["app1", "3_auto"],
        ],
      },
    ),
    "3_auto": migration([
      ["app1", "2_auto"],
      ["app2", "2_auto"],
    ]),
    "4_auto": migration([["app1", "3_auto"]]),
  }),
  ...files("app2", {
    "1_auto": migration([["app1", "1_auto"]]),
    "1_squashed_2": migration([["app1", "1_auto"]], {
      replaces: [
        ["app2", "1_auto"],
        ["app2", "2_auto"],
      ],
    }),
    "2_auto": migration([["app2", "1_auto"]]),
  }),
});

test("squashed_complex_multi_apps: nothing applied uses both squashes", () => {
  const report = analyzeMigrations(multi);
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.plan, [
    "app1.1_auto",
    "app2.1_squashed_2",
    "app1.2_squashed_3",
    "app1.4_auto",
  ]);
});

test("squashed_complex_multi_apps_partially_applied: app1 1 and 2 applied", () => {
  const report = analyzeMigrations(multi, { applied: ["app1.1_auto", "app1.2_auto"] });
  assert.deepEqual(report.errors, []);
  assert.deepEqual(
    new Set(report.plan),
    new Set(["app2.1_squashed_2", "app1.3_auto", "app1.4_auto"]),
  );
});
