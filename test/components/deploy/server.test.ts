import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  declared,
  inputsOf,
  record,
  registered,
  resolveDeclared,
  secretOf,
  settled,
  valueOf,
} from "./mocks";
import { bootstrapCommand } from "../../../components/server/commands";
import { Server } from "../../../components/server/server";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const PRIVATE_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nSENTINEL\n-----END OPENSSH PRIVATE KEY-----\n";

describe("Server", () => {
  const server = new Server(
    "server",
    {
      host: "203.0.113.10",
      port: 2222,
      user: "deploy",
      hostKey: HOST_KEY,
      privateKey: PRIVATE_KEY,
      dialErrorLimit: 3,
      dialTimeoutSeconds: 10,
      remoteDir: "/srv/shop",
    },
    { transformations: [record] },
  );
  const ready = settled([server, server.bootstrap]);

  it("is a django-deploy:server:Server with one child, server-bootstrap, a remote Command", async () => {
    await ready;
    assert.deepEqual(
      resolveDeclared().map((d) => [d.type, d.name, d.parent, d.dependsOn]),
      [
        ["django-deploy:server:Server", "server", undefined, []],
        ["command:remote:Command", "server-bootstrap", "server", []],
      ],
    );
    assert.deepEqual(registered.map((r) => [r.type, r.name]).sort(), [
      ["command:remote:Command", "server-bootstrap"],
      ["django-deploy:server:Server", "server"],
    ]);
    assert.equal(declared.length, 2);
  });

  it("bootstrap runs bootstrapCommand, is re-run when the command changes, no delete, no stdin", async () => {
    await ready;
    const inputs = inputsOf("server-bootstrap");
    const command = bootstrapCommand({ remoteDir: "/srv/shop" });
    assert.equal(inputs.create, command);
    assert.deepEqual(inputs.triggers, [command]);
    assert.equal(inputs.addPreviousOutputInEnv, false);
    assert.equal(inputs.delete, undefined);
    assert.equal(inputs.update, undefined);
    assert.equal(inputs.stdin, undefined);
  });

  it("the connection pins the host key, bounds dialing, and carries the private key as a secret", async () => {
    await ready;
    // The whole connection reaches the engine as a secret (the signature key marks a secret value).
    assert.deepEqual(inputsOf("server-bootstrap").connection, {
      [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270",
      value: {
        host: "203.0.113.10",
        port: 2222,
        user: "deploy",
        hostKey: HOST_KEY,
        privateKey: PRIVATE_KEY,
        dialErrorLimit: 3,
        perDialTimeout: 10,
      },
    });
    assert.equal(await secretOf(server.connection.privateKey), true);
    assert.equal(await valueOf(server.connection.privateKey), PRIVATE_KEY);
    assert.equal(await secretOf(server.bootstrap.connection), true);
  });

  it("address is user@host:port", () => {
    assert.equal(server.address, "deploy@203.0.113.10:2222");
  });
});
