// Lints every rendered variant with the real actionlint (and, through it, shellcheck on the
// run: scripts). A missing linter fails the test: skipping would let a broken workflow through.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { buildWorkflowModel, renderWorkflow } from "../../../components/github";
import { lintOnly, pulumiCloud, selfManagedS3 } from "./variants";

const INSTALL_SCRIPT = join(__dirname, "..", "..", "..", "scripts", "install-actionlint.sh");
const HOW_TO_FIX = "run scripts/install-actionlint.sh (builds actionlint, installs shellcheck)";

/** The linter's path, or the reason it cannot run; each test fails on the reason by itself. */
function findActionlint(): { path: string } | { missing: string } {
  const found = spawnSync("bash", [INSTALL_SCRIPT, "--print-path"], { encoding: "utf8" });
  if (found.status !== 0) {
    return { missing: `actionlint is not installed: ${HOW_TO_FIX}.\n${found.stderr}` };
  }
  const shellcheck = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
  if (shellcheck.status !== 0) {
    return {
      missing: `shellcheck is not on PATH, so actionlint would not check run: scripts: ${HOW_TO_FIX}.`,
    };
  }
  return { path: found.stdout.trim() };
}

describe("actionlint accepts every rendered workflow", () => {
  const linter = findActionlint();
  const actionlint = (): string => {
    if ("missing" in linter) assert.fail(linter.missing);
    return linter.path;
  };
  let repo = "";

  before(() => {
    // A scratch repository, so actionlint finds no project config but ours.
    repo = mkdtempSync(join(tmpdir(), "workflow-lint-"));
    mkdirSync(join(repo, ".git"));
    mkdirSync(join(repo, ".github", "workflows"), { recursive: true });
  });

  after(() => {
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  for (const variant of [pulumiCloud, selfManagedS3, ...lintOnly]) {
    it(variant.name, () => {
      const file = join(repo, ".github", "workflows", `${variant.name}.yml`);
      const model = buildWorkflowModel(variant.settings);
      writeFileSync(file, renderWorkflow(model, { stack: variant.settings.stack }));
      const result = spawnSync(actionlint(), ["-no-color", "-verbose", file], {
        cwd: repo,
        encoding: "utf8",
      });
      assert.doesNotMatch(result.stderr, /shellcheck.* (disabled|not found)/i, result.stderr);
      assert.equal(result.status, 0, `actionlint findings:\n${result.stdout}${result.stderr}`);
    });
  }

  it("reports a finding on a broken workflow (the linter really runs)", () => {
    const file = join(repo, ".github", "workflows", "broken.yml");
    writeFileSync(
      file,
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo $FOO\n",
    );
    const result = spawnSync(actionlint(), ["-no-color", file], { cwd: repo, encoding: "utf8" });
    rmSync(file);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /SC2086/);
  });
});
