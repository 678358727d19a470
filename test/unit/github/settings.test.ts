import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  DEFAULT_PULUMI_VERSION,
  DEFAULT_TEST_COMMANDS,
  resolveSettings,
  type GitHubWorkflowSettings,
} from "../../../components/github";
import { pulumiCloud } from "./variants";

const base = pulumiCloud.settings;

describe("resolveSettings", () => {
  it("fills the defaults", () => {
    const resolved = resolveSettings(base);
    assert.equal(resolved.branch, "main");
    assert.equal(resolved.workflowName, "deploy");
    assert.equal(resolved.workflowPath, ".github/workflows/deploy.yml");
    assert.equal(resolved.workingDirectory, ".");
    assert.equal(resolved.nodeVersion, "20");
    assert.equal(resolved.pulumiVersion, DEFAULT_PULUMI_VERSION);
    assert.deepEqual(resolved.testCommands, DEFAULT_TEST_COMMANDS);
    assert.deepEqual(resolved.validatedBackend, { kind: "pulumi-cloud" });
  });

  it("keeps the CLI default in step with the SDK this project installs", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require("../../../package.json") as { dependencies: Record<string, string> };
    assert.equal(DEFAULT_PULUMI_VERSION, pkg.dependencies["@pulumi/pulumi"]);
  });

  it("normalizes a trailing slash on the working directory", () => {
    assert.equal(
      resolveSettings({ ...base, workingDirectory: "infra/" }).workingDirectory,
      "infra",
    );
  });

  const refused: [string, Partial<GitHubWorkflowSettings<string>>, RegExp][] = [
    [
      "owner/name as repository",
      { repository: "acme/django-app" },
      /repository "acme\/django-app" is not a bare repository name\. Fix: .*github:owner/,
    ],
    [
      "a branch wildcard",
      { branch: "release/*" },
      /branch "release\/\*" is not a plain branch name/,
    ],
    ["a stack with spaces", { stack: "my prod" }, /stack "my prod" is not a Pulumi stack name/],
    ["a workflow name with a dot", { workflowName: "deploy.prod" }, /workflowName "deploy.prod"/],
    [
      "an absolute working directory",
      { workingDirectory: "/srv/infra" },
      /workingDirectory "\/srv\/infra" is not a folder inside the repository/,
    ],
    ["a working directory above the root", { workingDirectory: "../x" }, /not a folder inside/],
    [
      "a Node.js codename",
      { nodeVersion: "lts/iron" },
      /nodeVersion "lts\/iron" is not a Node.js version/,
    ],
    ["a Pulumi version range", { pulumiVersion: "^3" }, /pulumiVersion "\^3" is not an exact/],
    ["a multi-line test command", { testCommands: ["a\nb"] }, /testCommands .* multi-line/],
    ["an empty environment name", { environment: { name: " " } }, /environment.name " "/],
    [
      "seven reviewers",
      { environment: { name: "p", reviewers: { users: [1, 2, 3, 4, 5, 6, 7] } } },
      /environment.reviewers.users \[1,2,3,4,5,6,7\] is not a list of at most 6 numeric ids/,
    ],
    [
      "a reviewer login instead of an id",
      { environment: { name: "p", reviewers: { teams: [Number("ops")] } } },
      /environment.reviewers.teams/,
    ],
    [
      "a local backend",
      { backend: { kind: "self-managed", url: "file://./state", passphrase: "p" } },
      /is a local file backend/,
    ],
  ];
  for (const [name, override, message] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => resolveSettings({ ...base, ...override }), message);
    });
  }
});
