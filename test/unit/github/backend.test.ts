import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { validateBackend } from "../../../components/github";

describe("validateBackend accepts backends that outlive a CI runner", () => {
  const cases: [string, { kind: string; url?: string }, unknown][] = [
    ["Pulumi Cloud", { kind: "pulumi-cloud" }, { kind: "pulumi-cloud" }],
    [
      "self-hosted Pulumi Cloud",
      { kind: "pulumi-cloud", url: "https://api.pulumi.example.com" },
      { kind: "pulumi-cloud", url: "https://api.pulumi.example.com" },
    ],
    [
      "S3",
      { kind: "self-managed", url: "s3://state/app?region=eu-west-1" },
      { kind: "self-managed", url: "s3://state/app?region=eu-west-1", scheme: "s3" },
    ],
    [
      "Azure Blob",
      { kind: "self-managed", url: "azblob://state" },
      { kind: "self-managed", url: "azblob://state", scheme: "azblob" },
    ],
    [
      "Google Cloud Storage",
      { kind: "self-managed", url: "gs://state" },
      { kind: "self-managed", url: "gs://state", scheme: "gs" },
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.deepEqual(validateBackend(input), expected));
  }
});

describe("validateBackend refuses", () => {
  const localMessage =
    'GitHub workflow backend url "file:///home/me/.pulumi" is a local file backend: GitHub ' +
    "Actions runners are ephemeral, so the state a deploy writes would be lost with the runner " +
    "and the next run would try to create every resource again. Fix: use Pulumi Cloud (backend " +
    'kind "pulumi-cloud" with an access token) or a self-managed object store (backend kind ' +
    '"self-managed" with an s3://, azblob:// or gs:// URL and a passphrase).';

  it("a file:// URL, with the reason and the fix", () => {
    assert.throws(() => validateBackend({ kind: "self-managed", url: "file:///home/me/.pulumi" }), {
      message: localMessage,
    });
  });

  it("file:// whatever the kind or case", () => {
    for (const kind of ["pulumi-cloud", "self-managed", "local"]) {
      assert.throws(() => validateBackend({ kind, url: "FILE://~" }), /is a local file backend/);
    }
  });

  it('kind "local"', () => {
    assert.throws(
      () => validateBackend({ kind: "local" }),
      /^Error: GitHub workflow backend kind "local" is a local file backend: .* Fix: use Pulumi Cloud/,
    );
  });

  const refused: [string, { kind: string; url?: string }, RegExp][] = [
    ["self-managed without url", { kind: "self-managed" }, /needs a url\. Fix: .*s3:\/\//],
    [
      "an unknown scheme",
      { kind: "self-managed", url: "http://state.example.com" },
      /url "http:\/\/state.example.com" is not an object store URL \(allowed: s3:\/\/<bucket>, azblob:\/\/<bucket>, gs:\/\/<bucket>\)/,
    ],
    ["a bare path", { kind: "self-managed", url: "/var/pulumi" }, /is not an object store URL/],
    [
      "a non-https cloud URL",
      { kind: "pulumi-cloud", url: "http://api.example.com" },
      /is not an https:\/\/ URL/,
    ],
    [
      "an unknown kind",
      { kind: "s3" },
      /kind "s3" is not supported \(allowed: "pulumi-cloud", "self-managed"\)/,
    ],
  ];
  for (const [name, input, message] of refused) {
    it(name, () => assert.throws(() => validateBackend(input), message));
  }
});
