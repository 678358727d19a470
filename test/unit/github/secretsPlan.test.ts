import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { planSecrets } from "../../../components/github";

const ssh = { sshPrivateKey: "KEY", hostKey: "HOST" };

describe("planSecrets", () => {
  it("Pulumi Cloud: access token in the repository, SSH material in the environment", () => {
    const plan = planSecrets({ ...ssh, backend: { kind: "pulumi-cloud", accessToken: "TOKEN" } });
    assert.deepEqual(plan, [
      { name: "PULUMI_ACCESS_TOKEN", scope: "repository", value: "TOKEN" },
      { name: "DEPLOY_SSH_PRIVATE_KEY", scope: "environment", value: "KEY" },
      { name: "DEPLOY_SSH_HOST_KEY", scope: "environment", value: "HOST" },
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
        ["DEPLOY_SSH_HOST_KEY", "environment"],
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
      { name: "PULUMI_CONFIG_PASSPHRASE", scope: "repository", value: "PASS" },
      { name: "AWS_ACCESS_KEY_ID", scope: "repository", value: "ID" },
      { name: "AWS_SECRET_ACCESS_KEY", scope: "repository", value: "SECRET" },
      { name: "DEPLOY_SSH_PRIVATE_KEY", scope: "environment", value: "KEY" },
      { name: "DEPLOY_SSH_HOST_KEY", scope: "environment", value: "HOST" },
    ]);
  });

  const badNames: [string, RegExp][] = [
    ["aws_access_key_id", /must be upper-case letters, digits and underscores/],
    ["1KEY", /not start with a digit/],
    ["GITHUB_TOKEN", /or GITHUB_/],
    ["AWS-KEY", /is not a usable secret name/],
    ["PULUMI_CONFIG_PASSPHRASE", /is reserved: the workflow sets it itself/],
    ["DEPLOY_SSH_PRIVATE_KEY", /is reserved/],
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
