// The workflow variants the tests render: one per backend choice, with settings that exercise
// every option. Secret values are sentinels: the builders must never read them.

import type { GitHubWorkflowSettings } from "../../../components/github";

export interface Variant {
  /** Expected file name under expected/, without .yml. */
  name: string;
  settings: GitHubWorkflowSettings<string>;
}

export const pulumiCloud: Variant = {
  name: "pulumi-cloud",
  settings: {
    repository: "django-app",
    stack: "prod",
    environment: { name: "production" },
    backend: { kind: "pulumi-cloud", accessToken: "SENTINEL-ACCESS-TOKEN" },
  },
};

export const selfManagedS3: Variant = {
  name: "self-managed-s3",
  settings: {
    repository: "django-app",
    branch: "release",
    stack: "acme/prod",
    workflowName: "deploy-prod",
    environment: {
      name: "production",
      reviewers: { users: [1234567], teams: [89] },
      preventSelfReview: true,
    },
    backend: {
      kind: "self-managed",
      url: "s3://acme-pulumi-state/django?region=eu-west-1",
      passphrase: "SENTINEL-PASSPHRASE",
      credentials: {
        AWS_SECRET_ACCESS_KEY: "SENTINEL-AWS-SECRET",
        AWS_ACCESS_KEY_ID: "SENTINEL-AWS-KEY-ID",
      },
    },
    workingDirectory: "infra",
    nodeVersion: "22",
  },
};

/** Not compared to a file; linted only, for the remaining backend shapes. */
export const lintOnly: Variant[] = [
  {
    name: "self-hosted-cloud-with-passphrase",
    settings: {
      ...pulumiCloud.settings,
      backend: {
        kind: "pulumi-cloud",
        url: "https://api.pulumi.example.com",
        accessToken: "SENTINEL-ACCESS-TOKEN",
        passphrase: "SENTINEL-PASSPHRASE",
      },
      testCommands: ["npm test"],
    },
  },
  {
    name: "no-pull-request-previews",
    settings: { ...pulumiCloud.settings, pullRequestPreviews: "off" },
  },
  {
    name: "self-managed-gs",
    settings: {
      ...pulumiCloud.settings,
      backend: {
        kind: "self-managed",
        url: "gs://acme-state",
        passphrase: "SENTINEL-PASSPHRASE",
        credentials: { GOOGLE_CREDENTIALS: "SENTINEL-GOOGLE" },
      },
    },
  },
];

export const SENTINELS = [
  "SENTINEL-ACCESS-TOKEN",
  "SENTINEL-PASSPHRASE",
  "SENTINEL-AWS-SECRET",
  "SENTINEL-AWS-KEY-ID",
  "SENTINEL-GOOGLE",
];
