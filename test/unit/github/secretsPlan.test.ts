import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { planSecrets } from "../../../components/github";
import { setSecretCommand } from "../../../components/github/secretsPlan";

const ssh = {};
const BY_HAND = [
  {
    name: "DEPLOY_SSH_PRIVATE_KEY",
    scope: "environment",
    setBy: "hand",
    holds: "the deploy user's SSH private key",
  },
  {
    name: "DEPLOY_GITHUB_TOKEN",
    scope: "environment",
    setBy: "hand",
    holds:
      "a GitHub token that may write this repository's workflow file, environments and Actions secrets (fine-grained: Contents, Workflows, Environments, Secrets: read and write)",
  },
];

describe("planSecrets", () => {
  it("Pulumi Cloud: access token in the repository; SSH key and write token by hand, in the environment", () => {
    const plan = planSecrets({ ...ssh, backend: { kind: "pulumi-cloud", accessToken: "TOKEN" } });
    assert.deepEqual(plan, [
      { name: "PULUMI_ACCESS_TOKEN", scope: "repository", setBy: "pulumi", value: "TOKEN" },
      ...BY_HAND,
    ]);
  });

  it("Pulumi Cloud with a passphrase secrets provider adds the passphrase", () => {
    const plan = planSecrets({
      ...ssh,
      backend: { kind: "pulumi-cloud", accessToken: "TOKEN", passphrase: "PASS" },
    });
    assert.deepEqual(
      plan.map((s) => [s.name, s.scope]),
      [
        ["PULUMI_ACCESS_TOKEN", "repository"],
        ["PULUMI_CONFIG_PASSPHRASE", "repository"],
        ["DEPLOY_SSH_PRIVATE_KEY", "environment"],
        ["DEPLOY_GITHUB_TOKEN", "environment"],
      ],
    );
  });

  it("self-managed: passphrase and credentials (sorted by name) in the repository", () => {
    const plan = planSecrets({
      ...ssh,
      backend: {
        kind: "self-managed",
        url: "s3://b",
        passphrase: "PASS",
        credentials: { AWS_SECRET_ACCESS_KEY: "SECRET", AWS_ACCESS_KEY_ID: "ID" },
      },
    });
    assert.deepEqual(plan, [
      { name: "PULUMI_CONFIG_PASSPHRASE", scope: "repository", setBy: "pulumi", value: "PASS" },
      { name: "AWS_ACCESS_KEY_ID", scope: "repository", setBy: "pulumi", value: "ID" },
      { name: "AWS_SECRET_ACCESS_KEY", scope: "repository", setBy: "pulumi", value: "SECRET" },
      ...BY_HAND,
    ]);
  });

  const badNames: [string, RegExp][] = [
    ["aws_access_key_id", /must be upper-case letters, digits and underscores/],
    ["1KEY", /not start with a digit/],
    ["GITHUB_TOKEN", /or GITHUB_/],
    ["AWS-KEY", /is not a usable secret name/],
    ["PULUMI_CONFIG_PASSPHRASE", /is reserved: the workflow sets it itself/],
    ["DEPLOY_SSH_PRIVATE_KEY", /is reserved/],
    ["DEPLOY_GITHUB_TOKEN", /is reserved/],
    ["SSH_AUTH_SOCK", /is reserved/],
    ["PULUMI_BACKEND_URL", /is reserved/],
  ];
  for (const [name, message] of badNames) {
    it(`refuses the credential name ${name}`, () => {
      assert.throws(
        () =>
          planSecrets({
            ...ssh,
            backend: {
              kind: "self-managed",
              url: "s3://b",
              passphrase: "P",
              credentials: { [name]: "v" },
            },
          }),
        message,
      );
    });
  }
});

describe("setSecretCommand", () => {
  it("sets an environment secret from stdin, with the owner when known", () => {
    const [key] = planSecrets({ backend: { kind: "pulumi-cloud", accessToken: "T" } }).filter(
      (s) => s.setBy === "hand",
    );
    assert.equal(
      setSecretCommand(key, { owner: "acme", repository: "shop", environment: "prod env" }),
      "gh secret set DEPLOY_SSH_PRIVATE_KEY --repo acme/shop --env 'prod env'",
    );
  });
});
