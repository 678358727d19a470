// The engine the end-to-end tests run is Pulumi's own: the CLI and the real plugins built from
// upstream source (scripts/install-engine.sh), not stand-ins.
import assert from "node:assert/strict";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { engineBinDir, run } from "../../scripts/lib/local-stack";

const bin = engineBinDir();

function builtFrom(binary: string): string {
  const r = run("go", ["version", "-m", binary]);
  assert.equal(r.code, 0, r.stderr);
  return /^\s+path\s+(\S+)$/m.exec(r.stdout)?.[1] ?? "";
}

describe("the installed Pulumi engine", () => {
  it("the language host is upstream's pulumi-language-nodejs", () => {
    assert.equal(
      builtFrom(join(bin, "pulumi-language-nodejs")),
      "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3",
    );
  });

  it("the plugin cache holds upstream's command, docker and github providers at the pinned versions", () => {
    const r = run(join(bin, "pulumi"), ["plugin", "ls", "--json"], {
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    });
    assert.equal(r.code, 0, r.stderr);
    const plugins = (JSON.parse(r.stdout) as { name: string; kind: string; version: string }[])
      .filter((p) => p.kind === "resource")
      .map((p) => ({ name: p.name, version: p.version }));
    const cache = join(process.env.PULUMI_HOME ?? join(homedir(), ".pulumi"), "plugins");
    const expected: Record<string, [string, string]> = {
      command: ["1.2.1", "github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command"],
      docker: ["4.11.2", "github.com/pulumi/pulumi-docker/provider/v4/cmd/pulumi-resource-docker"],
      github: ["6.15.0", "github.com/pulumi/pulumi-github/provider/v6/cmd/pulumi-resource-github"],
    };
    for (const [name, [version, modulePath]] of Object.entries(expected)) {
      const found = plugins.find((p) => p.name === name && p.version === version);
      assert.ok(found, `${name} ${version} is installed (have: ${JSON.stringify(plugins)})`);
      const binary = join(cache, `resource-${name}-v${version}`, `pulumi-resource-${name}`);
      assert.equal(builtFrom(binary), modulePath, name);
    }
  });
});
