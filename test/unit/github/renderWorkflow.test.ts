import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

import YAML from "yaml";

import { ACTION_PINS, buildWorkflowModel, renderWorkflow } from "../../../components/github";
import type { Workflow } from "../../../components/github";
import { lintOnly, pulumiCloud, selfManagedS3, SENTINELS, type Variant } from "./variants";

const EXPECTED_DIR = join(__dirname, "expected");

function render(variant: Variant): string {
  return renderWorkflow(buildWorkflowModel(variant.settings), { stack: variant.settings.stack });
}

describe("renderWorkflow: exact output per backend", () => {
  for (const variant of [pulumiCloud, selfManagedS3]) {
    it(`matches expected/${variant.name}.yml`, () => {
      const path = join(EXPECTED_DIR, `${variant.name}.yml`);
      const actual = render(variant);
      // After a deliberate change: UPDATE_EXPECTED=1, then review the diff before committing.
      if (process.env.UPDATE_EXPECTED === "1") writeFileSync(path, actual);
      assert.equal(actual, readFileSync(path, "utf8"));
    });
  }
});

describe("renderWorkflow: properties of every variant", () => {
  for (const variant of [pulumiCloud, selfManagedS3, ...lintOnly]) {
    const yaml = render(variant);
    const parsed = YAML.parse(yaml) as Workflow;
    const stack = variant.settings.stack;

    it(`${variant.name}: parses back to the model`, () => {
      assert.deepEqual(parsed, buildWorkflowModel(variant.settings));
    });

    it(`${variant.name}: every uses: is pinned by a 40-hex SHA with its release as comment`, () => {
      const uses = [...yaml.matchAll(/^\s*(?:- )?uses: (\S+)(.*)$/gm)];
      assert.ok(uses.length > 0);
      for (const [, ref, rest] of uses) {
        assert.match(ref, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `unpinned action ${ref}`);
        const pin = Object.values(ACTION_PINS).find((p) => ref === `${p.repository}@${p.sha}`);
        assert.ok(pin, `${ref} is not in ACTION_PINS`);
        assert.equal(rest, ` # ${pin.version}`);
      }
    });

    const previews = variant.settings.pullRequestPreviews !== "off";

    it(`${variant.name}: least-privilege token permissions`, () => {
      assert.deepEqual(parsed.permissions, { contents: "read" });
      if (previews) {
        assert.deepEqual(parsed.jobs.preview.permissions, {
          contents: "read",
          "pull-requests": "write",
        });
      } else {
        assert.equal(parsed.jobs.preview, undefined);
      }
      assert.equal(parsed.jobs.test.permissions, undefined);
      assert.equal(parsed.jobs.deploy.permissions, undefined);
    });

    it(`${variant.name}: deploys of the stack share one non-cancelling group`, () => {
      assert.deepEqual(parsed.jobs.deploy.concurrency, {
        group: `pulumi-${stack}`,
        "cancel-in-progress": false,
      });
      assert.notEqual(parsed.jobs.preview?.concurrency?.group, `pulumi-${stack}`);
      assert.equal(parsed.jobs.deploy.environment, variant.settings.environment.name);
      assert.deepEqual(parsed.jobs.deploy.needs, ["test"]);
    });

    it(`${variant.name}: runs preview on pull requests and up on pushes`, () => {
      const branch = variant.settings.branch ?? "main";
      assert.deepEqual(parsed.on, {
        pull_request: { branches: [branch] },
        push: { branches: [branch] },
      });
      const runs = (job: string) =>
        parsed.jobs[job].steps.flatMap((s) => ("run" in s ? [s.run] : [])).join("\n");
      if (previews) {
        assert.match(runs("preview"), new RegExp(`pulumi preview --diff --stack ${stack} `));
        assert.match(parsed.jobs.preview.if ?? "", /github.event_name == 'pull_request'/);
      }
      assert.match(runs("deploy"), new RegExp(`^pulumi up --yes --diff --stack ${stack}$`, "m"));
      assert.equal(parsed.jobs.deploy.if, "github.event_name == 'push'");
    });

    it(`${variant.name}: secrets only as \${{ secrets.NAME }} on the pulumi steps and the agent's`, () => {
      for (const sentinel of SENTINELS) assert.ok(!yaml.includes(sentinel), sentinel);
      for (const [jobName, job] of Object.entries(parsed.jobs)) {
        assert.equal(job.env, undefined, `${jobName} has job-level env`);
        for (const step of job.steps) {
          const secretRefs = Object.entries(step.env ?? {}).filter(([, v]) =>
            v.includes("secrets."),
          );
          for (const [name, value] of secretRefs) {
            // The github provider reads GITHUB_TOKEN; the secret has its own name, as GitHub
            // reserves GITHUB_* for its own.
            const secretName = name === "GITHUB_TOKEN" ? "DEPLOY_GITHUB_TOKEN" : name;
            assert.equal(value, `\${{ secrets.${secretName} }}`);
            const runsPulumi = "run" in step && /^(.*\n)?pulumi (preview|up) /m.test(step.run);
            const loadsAgent = "run" in step && /\| ssh-add -q -$/m.test(step.run);
            assert.ok(
              runsPulumi || (loadsAgent && name === "DEPLOY_SSH_PRIVATE_KEY"),
              `${jobName}/${step.name} gets ${name}`,
            );
          }
        }
      }
      const up = parsed.jobs.deploy.steps.find((s) => s.name === "pulumi up")?.env ?? {};
      // pulumi itself never sees the key: it signs in through the agent.
      assert.ok(!("DEPLOY_SSH_PRIVATE_KEY" in up), "pulumi up must not get the SSH key");
      assert.equal(up.SSH_AUTH_SOCK, "${{ runner.temp }}/ssh-agent.sock");
      const previewEnv = parsed.jobs.preview?.steps.find((s) => s.id === "preview")?.env ?? {};
      assert.ok(!("DEPLOY_SSH_PRIVATE_KEY" in previewEnv), "preview must not get the SSH key");
      assert.ok(!("GITHUB_TOKEN" in previewEnv), "preview must not get a GitHub write token");
    });
  }
});
