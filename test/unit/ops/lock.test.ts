import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import { holdLockCommand } from "../../../components/server/deploy-lock";
import { describeLock, lockStatusCommand } from "../../../components/ops/verbs/lock";
import { parseOpsArgs } from "../../../components/ops/args";

const dir = join(mkdtempSync(join(tmpdir(), "ops-lock-")), "srv app");
after(() => rmSync(join(dir, ".."), { recursive: true, force: true }));

describe("ops and the deploy lock", () => {
  it("status reads free, then the holder while a deploy holds it", async () => {
    const status = () => spawnSync("sh", ["-c", lockStatusCommand(dir)], { encoding: "utf8" });
    assert.equal(describeLock(status().stdout), "free");
    const holder = spawn(
      "sh",
      [
        "-c",
        holdLockCommand(dir, {
          stack: "prod",
          user: "ci",
          host: "runner",
          pid: 7,
          since: "2026-12-02T10:00:00.000Z",
        }),
      ],
      { stdio: "pipe" },
    );
    await new Promise((resolve) => holder.stdout.once("data", resolve));
    assert.equal(
      describeLock(status().stdout),
      "held by stack prod, ci@runner (pid 7) since 2026-12-02T10:00:00.000Z",
    );
    holder.stdin.end();
    await new Promise((resolve) => holder.on("exit", resolve));
    assert.equal(describeLock(status().stdout), "free");
  });

  it("unlock takes only --yes", () => {
    assert.deepEqual(parseOpsArgs(["unlock", "--yes"]).request, { verb: "unlock", yes: true });
    assert.throws(() => parseOpsArgs(["unlock", "now"]), /unlock takes no arguments/);
  });
});
