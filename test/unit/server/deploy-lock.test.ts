import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";

import {
  breakLockCommand,
  heldMessage,
  holderFile,
  holdLockCommand,
  type LockHolder,
} from "../../../components/server/deploy-lock";

const HOLDER: LockHolder = {
  stack: "prod",
  user: "alice",
  host: "laptop",
  pid: 4242,
  since: "2026-12-02T09:00:00.000Z",
  run: "https://github.com/acme/shop/actions/runs/7",
};

const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  children.forEach((c) => c.kill("SIGKILL"));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function remoteDir(): string {
  // Shell syntax in the path must stay data.
  const dir = join(mkdtempSync(join(tmpdir(), "deploy-lock-")), "srv $(touch CANARY) 'x'");
  dirs.push(dir);
  return dir;
}

/** Starts a holder as the SSH session would run it: `sh -c`, stdin open until the holder goes. */
function holdFrom(dir: string, holder = HOLDER): Promise<{ child: ChildProcess; first: string }> {
  const child = spawn("sh", ["-c", holdLockCommand(dir, holder)], { stdio: "pipe" });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve({ child, first: out });
    });
    child.on("exit", (code) => reject(new Error(`holder exited ${code}: ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on("exit", (code) => resolve(code));
  });
}

describe("the server's deploy lock, under a real sh and flock", () => {
  it("the first holder gets it and records itself; a second is refused with that record", async () => {
    const dir = remoteDir();
    const { child, first } = await holdFrom(dir);
    assert.equal(first, "LOCKED\n");
    const second = spawnSync("sh", ["-c", holdLockCommand(dir, { ...HOLDER, stack: "other" })], {
      encoding: "utf8",
      input: "",
    });
    assert.equal(second.status, 75);
    const [held, record] = second.stdout.split("\n");
    assert.equal(held, "HELD");
    assert.deepEqual((JSON.parse(record) as { holder: LockHolder }).holder, HOLDER);
    assert.equal(existsSync(join(dirname(dir), "CANARY")), false);
    child.stdin!.end();
    assert.equal(await exited(child), 0);
  });

  it("a holder running as another user is seen, named, by the deploy user", async (t) => {
    if (spawnSync("id", ["-u", "nobody"]).status !== 0 || process.getuid?.() !== 0) {
      t.skip("needs root and the nobody user");
      return;
    }
    const dir = remoteDir();
    mkdirSync(dir, { recursive: true });
    chmodSync(dirname(dir), 0o755);
    const { child } = await holdFrom(dir); // root holds it
    const other = spawnSync(
      "runuser",
      ["-u", "nobody", "--", "sh", "-c", holdLockCommand(dir, { ...HOLDER, stack: "other" })],
      { encoding: "utf8", input: "" },
    );
    assert.equal(other.status, 75, other.stderr);
    const [held, record] = other.stdout.split("\n");
    assert.equal(held, "HELD");
    assert.equal((JSON.parse(record) as { holder: LockHolder }).holder.stack, "prod");
    child.stdin!.end();
    await exited(child);
  });

  it("the lock goes with the holder's connection, and its record with it", async () => {
    const dir = remoteDir();
    const { child } = await holdFrom(dir);
    child.stdin!.end(); // the connection closes
    await exited(child);
    assert.equal(existsSync(holderFile(dir)), false);
    const again = await holdFrom(dir);
    assert.equal(again.first, "LOCKED\n");
    again.child.stdin!.end();
    await exited(again.child);
  });

  it("a killed holder leaves the lock free (the kernel drops a flock with its process)", async () => {
    const dir = remoteDir();
    const { child } = await holdFrom(dir);
    child.kill("SIGKILL");
    await exited(child);
    const again = await holdFrom(dir);
    assert.equal(again.first, "LOCKED\n");
    again.child.stdin!.end();
    await exited(again.child);
  });

  it("breakLockCommand ends a holder the server still keeps, and says the lock is free", async () => {
    const dir = remoteDir();
    const { child } = await holdFrom(dir);
    const broken = spawnSync("sh", ["-c", breakLockCommand(dir)], { encoding: "utf8" });
    assert.equal(broken.status, 0, broken.stderr);
    assert.equal(broken.stdout, "released\n");
    assert.notEqual(await exited(child), 0);
    assert.equal(existsSync(holderFile(dir)), false);
  });

  it("the refusal names the holder and the way out", () => {
    const record = JSON.stringify({ holder: HOLDER, pid: 99 });
    assert.equal(
      heldMessage("/srv/shop", record, { stack: "prod" }),
      "Another deploy holds the server's deploy lock (/srv/shop/.deploy.lock): stack prod, alice@laptop (pid 4242), since 2026-12-02T09:00:00.000Z, https://github.com/acme/shop/actions/runs/7. Nothing was changed. Wait for it to finish, then run pulumi up again. The lock lasts exactly as long as that deploy's SSH session; if that deploy is gone but the server still keeps its session, end it with: npm run ops -- unlock --yes --stack prod",
    );
    assert.match(heldMessage("/srv/shop", "", { stack: "prod" }), /a holder that left no record/);
  });

  it("the record holds exactly the holder and the server-side pid", async () => {
    const dir = remoteDir();
    const { child } = await holdFrom(dir);
    const record = JSON.parse(readFileSync(holderFile(dir), "utf8")) as Record<string, unknown>;
    assert.deepEqual(Object.keys(record), ["holder", "pid"]);
    assert.equal(record.pid, child.pid);
    child.stdin!.end();
    await exited(child);
  });
});
