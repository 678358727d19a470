import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";

import { buildWorkflowModel, renderWorkflow } from "../../../components/github";
import { secretsByJob, secretsTable } from "../../../components/github/secretsByJob";
import type { GitHubWorkflowSettings } from "../../../components/github/settings";
import { lintOnly, pulumiCloud, selfManagedS3 } from "./variants";

const ROOT = join(__dirname, "..", "..", "..");
const WRITE_CREDENTIALS = ["DEPLOY_SSH_PRIVATE_KEY", "DEPLOY_GITHUB_TOKEN"];

function render(settings: GitHubWorkflowSettings<string>): string {
  return renderWorkflow(buildWorkflowModel(settings), { stack: settings.stack });
}

describe("secrets per job of the rendered workflow", () => {
  for (const variant of [pulumiCloud, selfManagedS3, ...lintOnly]) {
    it(`${variant.name}: the SSH key and the write token reach only the deploy job, which has the environment`, () => {
      const jobs = secretsByJob(render(variant.settings));
      for (const job of jobs) {
        const holds = job.secrets.filter((s) => WRITE_CREDENTIALS.includes(s));
        if (job.job === "deploy") {
          assert.deepEqual(holds, [...WRITE_CREDENTIALS].sort());
          assert.equal(job.environment, variant.settings.environment.name);
          assert.equal(job.runsOn, `push to ${variant.settings.branch ?? "main"}`);
        } else {
          assert.deepEqual(holds, [], `${job.job} can read ${holds.join(", ")}`);
          assert.equal(job.environment, undefined, `${job.job} enters the environment`);
        }
      }
      assert.deepEqual(jobs.find((j) => j.job === "test")?.secrets, []);
    });
  }

  it("with pullRequestPreviews off, no job that a pull request runs holds any secret", () => {
    const jobs = secretsByJob(render({ ...pulumiCloud.settings, pullRequestPreviews: "off" }));
    assert.deepEqual(
      jobs.map((j) => j.job),
      ["test", "deploy"],
    );
    assert.deepEqual(jobs[0].secrets, []);
  });

  it("the preview job holds exactly the repository secrets and is limited to the repository's branches", () => {
    const preview = secretsByJob(render(selfManagedS3.settings)).find((j) => j.job === "preview");
    assert.deepEqual(preview, {
      job: "preview",
      runsOn: "pull request to release from a branch of the repository",
      secrets: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PULUMI_CONFIG_PASSPHRASE"],
    });
  });

  it("no step but the agent's reads the SSH key, and only on stdin", () => {
    const workflow = parse(render(pulumiCloud.settings)) as {
      jobs: Record<
        string,
        { steps: { name: string; env?: Record<string, string>; run?: string }[] }
      >;
    };
    const readers = Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .filter((step) => JSON.stringify(step).includes("secrets.DEPLOY_SSH_PRIVATE_KEY"));
    assert.deepEqual(
      readers.map((s) => s.name),
      ["Load the deploy key into an SSH agent"],
    );
    assert.match(readers[0].run ?? "", /printf '%s\\n' "\$DEPLOY_SSH_PRIVATE_KEY" \| ssh-add -q -/);
  });
});

describe("the README's secrets table", () => {
  it("matches the workflow rendered for Pulumi.prod.yaml's settings", () => {
    const stack = parse(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    const github = stack.config["django-deploy:github"] as GitHubWorkflowSettings<string>;
    const credentials = stack.config["django-deploy:githubBackendCredentials"] as Record<
      string,
      unknown
    >;
    const settings: GitHubWorkflowSettings<string> = {
      ...github,
      stack: "prod",
      backend: {
        kind: "self-managed",
        url: (github.backend as { url: string }).url,
        passphrase: "p",
        credentials: Object.fromEntries(Object.keys(credentials).map((k) => [k, "v"])),
      },
    };
    const expected = secretsTable(render(settings));
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const found = /<!-- secrets-table -->\n([\s\S]*?)\n<!-- \/secrets-table -->/.exec(readme);
    assert.ok(found, "README.md has no <!-- secrets-table --> section");
    assert.equal(found[1], expected, `README's table should be:\n${expected}`);
  });
});
