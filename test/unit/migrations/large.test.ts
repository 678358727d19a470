// Large generated projects: correctness on long chains and exponential-path graphs, in bounded time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeMigrations, migrationNames } from "../../../components/migrations";
import {
  chainProject,
  diamondLadderProject,
  multiAppProject,
  type GeneratedProject,
} from "../../fixtures/migrations/generate";

/** Every migration appears once, after all of its dependencies. */
function assertTopological(plan: string[], project: GeneratedProject): void {
  assert.deepEqual([...plan].sort(), [...project.graph.keys()].sort());
  const position = new Map(plan.map((key, i) => [key, i]));
  for (const [key, deps] of project.graph) {
    for (const dep of deps) {
      assert.ok(
        (position.get(dep) as number) < (position.get(key) as number),
        `${dep} must come before ${key}`,
      );
    }
  }
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

test("a 749-migration chain: one leaf, the plan is the chain in order", () => {
  const project = chainProject(749);
  const { value: report, ms } = timed(() => analyzeMigrations(project.root));
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.apps.chain.leaves, ["0749_step"]);
  assert.deepEqual(report.plan, [...project.graph.keys()]);
  assert.ok(ms < 30_000, `took ${ms} ms`);
});

test("a 3x50 diamond ladder (3^50 paths) is analyzed in linear time", () => {
  const project = diamondLadderProject(3, 50);
  const { value: report, ms } = timed(() => analyzeMigrations(project.root));
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.apps.ladder.leaves, ["0051_top"]);
  assert.equal(report.plan.length, 152);
  assertTopological(report.plan, project);
  // Django's order: parents pushed sorted, so the last-sorted parent is walked first.
  assert.deepEqual(report.plan.slice(0, 5), [
    "ladder.0000_root",
    "ladder.0001_rung_c",
    "ladder.0001_rung_b",
    "ladder.0001_rung_a",
    "ladder.0002_rung_c",
  ]);
  assert.ok(ms < 30_000, `took ${ms} ms`);
});

test("the diamond ladder with the middle applied plans only the rest", () => {
  const project = diamondLadderProject(3, 50);
  const applied = [...project.graph.keys()].filter((k) => k < "ladder.0026");
  const report = analyzeMigrations(project.root, { applied });
  assert.deepEqual(report.errors, []);
  assert.equal(report.plan.length, 152 - applied.length);
  assert.ok(report.plan.every((k) => k >= "ladder.0026"));
});

test("a 1,400-migration project over 56 apps with cross-app dependencies", () => {
  const project = multiAppProject(56, 25);
  const { value: report, ms } = timed(() => analyzeMigrations(project.root));
  assert.deepEqual(report.errors, []);
  assert.equal(migrationNames(report).length, 1400);
  assertTopological(report.plan, project);
  assert.ok(ms < 30_000, `took ${ms} ms`);
});
