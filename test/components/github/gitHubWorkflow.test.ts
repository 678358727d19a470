import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as pulumi from "@pulumi/pulumi";

// Each test file runs in its own process, so the mocks set here are this file's alone.
const created: pulumi.runtime.MockResourceArgs[] = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      created.push(args);
      return { id: `${args.name}-id`, state: { ...args.inputs, commitSha: "0123abcd" } };
    },
    call: (args) => args.inputs,
  },
  "django-deploy",
  "prod",
);

import { buildWorkflowModel, GitHubWorkflow, renderWorkflow } from "../../../components/github";
import type { GitHubWorkflowArgs } from "../../../components/github";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply(done));
}

interface SecretInput {
  [SECRET_SIG_KEY]: string;
  value: unknown;
}

function isSecretInput(value: unknown): value is SecretInput {
  return typeof value === "object" && value !== null && SECRET_SIG_KEY in value;
}

/** Every string in the inputs that is not inside a secret. */
function plainStrings(value: unknown): string[] {
  if (isSecretInput(value)) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(plainStrings);
  if (typeof value === "object" && value !== null)
    return Object.values(value).flatMap(plainStrings);
  return [];
}

const SENTINELS = {
  accessToken: "SENTINEL-PULUMI-ACCESS-TOKEN-3f9a",
  passphrase: "SENTINEL-PASSPHRASE-77c1",
  awsKeyId: "SENTINEL-AWS-KEY-ID-1d2e",
  awsSecret: "SENTINEL-AWS-SECRET-9b8a",
};

async function createComponent(name: string, args: GitHubWorkflowArgs) {
  const component = new GitHubWorkflow(name, args);
  await resolve(component.urn);
  await resolve(component.file.commitSha);
  const mine = created.filter((r) => r.name.startsWith(`${name}-`));
  const byName = (n: string) => {
    const found = mine.find((r) => r.name === n);
    assert.ok(found, `no resource named ${n}; created: ${mine.map((r) => r.name).join(", ")}`);
    return found;
  };
  return { component, mine, byName };
}

describe("GitHubWorkflow with Pulumi Cloud", async () => {
  const args: GitHubWorkflowArgs = {
    repository: "django-app",
    stack: "prod",
    environment: { name: "production", reviewers: { users: [101], teams: [7] } },
    backend: { kind: "pulumi-cloud", accessToken: pulumi.secret(SENTINELS.accessToken) },
  };
  const { component, mine, byName } = await createComponent("ci", args);

  it("creates the file, environment, branch policy and only the secrets Pulumi knows", () => {
    // The SSH key and the GitHub write token are set by hand: a value Pulumi set would sit in the
    // state, which a pull-request preview's passphrase decrypts.
    assert.deepEqual(mine.map((r) => [r.type, r.name]).sort(), [
      ["github:index/actionsSecret:ActionsSecret", "ci-secret-PULUMI_ACCESS_TOKEN"],
      ["github:index/repositoryEnvironment:RepositoryEnvironment", "ci-environment"],
      [
        "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
        "ci-environment-branch",
      ],
      ["github:index/repositoryFile:RepositoryFile", "ci-workflow-file"],
    ]);
  });

  it("parents every child to the component", async () => {
    const urns = await Promise.all([
      resolve(component.file.urn),
      resolve(component.environment.urn),
    ]);
    for (const urn of urns)
      assert.match(urn, /::django-deploy:github:GitHubWorkflow\$github:index\//);
  });

  it("commits the rendered workflow to the branch, overwriting a hand-made file", () => {
    const file = byName("ci-workflow-file").inputs;
    assert.equal(file.repository, "django-app");
    assert.equal(file.branch, "main");
    assert.equal(file.file, ".github/workflows/deploy.yml");
    assert.equal(file.overwriteOnCreate, true);
    assert.equal(file.commitMessage, "Deploy workflow for stack prod (managed by Pulumi)");
    assert.equal(file.content, renderWorkflow(buildWorkflowModel(args), { stack: "prod" }));
    assert.equal(file.content, component.workflowContent);
  });

  it("creates the environment with its reviewers, open only to the deploy branch", () => {
    assert.deepEqual(byName("ci-environment").inputs, {
      repository: "django-app",
      environment: "production",
      reviewers: [{ users: [101], teams: [7] }],
      preventSelfReview: false,
      deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
      canAdminsBypass: false,
    });
    assert.deepEqual(byName("ci-environment-branch").inputs, {
      repository: "django-app",
      environment: "production",
      branchPattern: "main",
    });
  });

  it("stores each secret value as a Pulumi secret, in the right scope", () => {
    const expected: [string, string, string | undefined][] = [
      ["ci-secret-PULUMI_ACCESS_TOKEN", SENTINELS.accessToken, undefined],
    ];
    for (const [name, value, environment] of expected) {
      const inputs = byName(name).inputs;
      assert.equal(inputs.repository, "django-app");
      assert.equal(inputs.environment, environment);
      assert.equal(inputs.secretName, name.replace(/^ci-(env-)?secret-/, ""));
      assert.deepEqual(inputs.value, { [SECRET_SIG_KEY]: SECRET_SIG, value }, name);
    }
  });

  it("leaks no secret value into any plain input, the workflow file included", () => {
    for (const resource of mine) {
      for (const text of plainStrings(resource.inputs)) {
        for (const sentinel of Object.values(SENTINELS)) {
          assert.ok(!text.includes(sentinel.trim().split("\n")[0]), `${resource.name} leaks`);
          assert.ok(!text.includes("SENTINEL"), `${resource.name} leaks a sentinel`);
        }
      }
    }
  });

  it("exposes the secret names by scope, and the gh command for each one set by hand", () => {
    assert.deepEqual(component.secretNames, {
      repository: ["PULUMI_ACCESS_TOKEN"],
      environment: ["DEPLOY_SSH_PRIVATE_KEY", "DEPLOY_GITHUB_TOKEN"],
    });
    assert.deepEqual(
      component.secretsToSetByHand.map((s) => [s.name, s.command]),
      [
        [
          "DEPLOY_SSH_PRIVATE_KEY",
          "gh secret set DEPLOY_SSH_PRIVATE_KEY --repo django-app --env production",
        ],
        [
          "DEPLOY_GITHUB_TOKEN",
          "gh secret set DEPLOY_GITHUB_TOKEN --repo django-app --env production",
        ],
      ],
    );
  });
});

describe("GitHubWorkflow with a self-managed S3 backend", async () => {
  const args: GitHubWorkflowArgs = {
    repository: "django-app",
    branch: "release",
    stack: "acme/prod",
    workflowName: "deploy-prod",
    environment: { name: "production" },
    backend: {
      kind: "self-managed",
      url: "s3://acme-state/django",
      passphrase: pulumi.secret(SENTINELS.passphrase),
      credentials: {
        AWS_ACCESS_KEY_ID: pulumi.secret(SENTINELS.awsKeyId),
        AWS_SECRET_ACCESS_KEY: pulumi.secret(SENTINELS.awsSecret),
      },
    },
  };
  const { mine, byName } = await createComponent("s3ci", args);

  it("creates the passphrase and each credential as repository secrets", () => {
    const secrets = mine
      .filter((r) => r.type === "github:index/actionsSecret:ActionsSecret")
      .map((r) => [r.name, r.inputs.value]);
    assert.deepEqual(secrets.sort(), [
      [
        "s3ci-secret-AWS_ACCESS_KEY_ID",
        { [SECRET_SIG_KEY]: SECRET_SIG, value: SENTINELS.awsKeyId },
      ],
      [
        "s3ci-secret-AWS_SECRET_ACCESS_KEY",
        { [SECRET_SIG_KEY]: SECRET_SIG, value: SENTINELS.awsSecret },
      ],
      [
        "s3ci-secret-PULUMI_CONFIG_PASSPHRASE",
        { [SECRET_SIG_KEY]: SECRET_SIG, value: SENTINELS.passphrase },
      ],
    ]);
  });

  it("commits to the configured branch and path; no reviewers means an empty list", () => {
    const file = byName("s3ci-workflow-file").inputs;
    assert.equal(file.branch, "release");
    assert.equal(file.file, ".github/workflows/deploy-prod.yml");
    assert.equal(file.commitMessage, "Deploy workflow for stack acme/prod (managed by Pulumi)");
    assert.ok(!String(file.content).includes("SENTINEL"));
    assert.deepEqual(byName("s3ci-environment").inputs.reviewers, []);
    assert.equal(byName("s3ci-environment-branch").inputs.branchPattern, "release");
  });
});

describe("GitHubWorkflow refuses a local backend before creating anything", () => {
  it("throws the local-backend error and registers no child", () => {
    assert.throws(
      () =>
        new GitHubWorkflow("local", {
          repository: "django-app",
          stack: "dev",
          environment: { name: "dev" },
          backend: { kind: "self-managed", url: "file:///tmp/state", passphrase: "p" },
        }),
      /backend url "file:\/\/\/tmp\/state" is a local file backend: GitHub Actions runners are ephemeral/,
    );
    assert.equal(created.filter((r) => r.name.startsWith("local-")).length, 0);
  });
});
