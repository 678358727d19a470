import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ConfigError, parseConfig } from "../../../components/config-parse";

const P = "django-deploy";
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
const BASE = {
  host: "203.0.113.10",
  hostKey: HOST_KEY,
  projectPath: "examples/django-app",
  composeProject: "shop",
  infraServices: '["db"]',
};
const SECRETS = [
  "secretEnv",
  "imageRegistryPassword",
  "githubBackendAccessToken",
  "githubBackendPassphrase",
  "githubBackendCredentials",
];

function problems(values: Record<string, string>, secretKeys = SECRETS): string[] {
  try {
    parseConfig({ project: P, values, secretKeys: new Set(secretKeys) });
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
}

const IMAGE = JSON.stringify({ registry: "ghcr.io", repository: "acme/shop", username: "bot" });

describe("registry mode settings (image)", () => {
  it("a complete image block with its password is accepted, defaults applied", () => {
    const c = parseConfig({
      project: P,
      values: { ...BASE, image: IMAGE, imageRegistryPassword: "tok" },
      secretKeys: new Set(SECRETS),
    });
    assert.deepEqual(c.image, {
      registry: "ghcr.io",
      repository: "acme/shop",
      username: "bot",
      platform: "linux/amd64",
      buildArgs: {},
    });
  });

  const cases: [string, Record<string, string>, string[], string[]?][] = [
    [
      "image without the registry password",
      { ...BASE, image: IMAGE },
      [
        `${P}:imageRegistryPassword is required when image (registry mode) is set. Fix: pulumi config set --secret imageRegistryPassword <token>`,
      ],
    ],
    [
      "the registry password in plain text",
      { ...BASE, image: IMAGE, imageRegistryPassword: "tok" },
      [
        `${P}:imageRegistryPassword is stored in plain text in the stack file; it must be encrypted. Fix: pulumi config rm imageRegistryPassword && pulumi config set --secret imageRegistryPassword <token>`,
      ],
      ["secretEnv"],
    ],
    [
      "APP_IMAGE set by hand in registry mode",
      { ...BASE, image: IMAGE, imageRegistryPassword: "tok", env: '{"APP_IMAGE":"x"}' },
      [
        `${P}:env.APP_IMAGE is set by the deploy in registry mode (image.registry/image.repository). Fix: pulumi config rm --path "env.APP_IMAGE"`,
      ],
    ],
    [
      "an uppercase repository and a URL as registry",
      {
        ...BASE,
        image: JSON.stringify({
          registry: "https://ghcr.io",
          repository: "Acme/Shop",
          username: "bot",
        }),
        imageRegistryPassword: "tok",
      },
      [
        `${P}:image.registry must be a registry host, optionally with a port (e.g. ghcr.io) (got "https://ghcr.io"). Fix: pulumi config set --path "image.registry" ghcr.io`,
        `${P}:image.repository must be a lowercase image repository path (e.g. acme/django-app) (got "Acme/Shop"). Fix: pulumi config set --path "image.registry" ghcr.io`,
      ],
    ],
  ];
  for (const [name, values, expected, secretKeys] of cases) {
    it(name, () => assert.deepEqual(problems(values, secretKeys), expected));
  }
});

describe("GitHub workflow settings (github)", () => {
  const CLOUD = JSON.stringify({ repository: "shop", backend: { kind: "pulumi-cloud" } });
  const S3 = JSON.stringify({
    repository: "shop",
    backend: { kind: "self-managed", url: "s3://acme-state/shop" },
  });

  it("pulumi-cloud with its token is accepted; the environment defaults to production", () => {
    const c = parseConfig({
      project: P,
      values: { ...BASE, github: CLOUD, githubBackendAccessToken: "pul-x" },
      secretKeys: new Set(SECRETS),
    });
    assert.deepEqual(c.github, {
      repository: "shop",
      backend: { kind: "pulumi-cloud" },
      environment: { name: "production" },
    });
  });

  const cases: [string, Record<string, string>, string[]][] = [
    [
      "pulumi-cloud without an access token",
      { ...BASE, github: CLOUD },
      [
        `${P}:githubBackendAccessToken is required when github.backend.kind is pulumi-cloud. Fix: pulumi config set --secret githubBackendAccessToken <token>`,
      ],
    ],
    [
      "self-managed without a passphrase",
      { ...BASE, github: S3 },
      [
        `${P}:githubBackendPassphrase is required when github.backend.kind is self-managed. Fix: pulumi config set --secret githubBackendPassphrase <passphrase>`,
      ],
    ],
    [
      "owner/name instead of a bare repository name",
      {
        ...BASE,
        github: JSON.stringify({ repository: "acme/shop", backend: { kind: "pulumi-cloud" } }),
        githubBackendAccessToken: "t",
      },
      [
        `${P}:github.repository must be a repository name without the owner (set github:owner for that) (got "acme/shop"). Fix: pulumi config set --path "github.repository" my-app`,
      ],
    ],
  ];
  for (const [name, values, expected] of cases) {
    it(name, () => assert.deepEqual(problems(values), expected));
  }
});
