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
} from "./mocks";
import { bootstrapCommand } from "../../../components/server/commands";
import { Server } from "../../../components/server/server";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

describe("Server", () => {
  const server = new Server(
    "server",
    {
      host: "203.0.113.10",
      port: 2222,
      user: "deploy",
      hostKey: HOST_KEY,
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

  it("the connection pins the host key, bounds dialing, and holds no credential", async () => {
    await ready;
    // Plain and without privateKey/password/agentSocketPath: the provider signs in through the
    // agent at SSH_AUTH_SOCK, so no key reaches the engine or the state.
    // (The command SDK marks every connection secret, key or not.)
    assert.deepEqual(inputsOf("server-bootstrap").connection, {
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: {
        host: "203.0.113.10",
        port: 2222,
        user: "deploy",
        hostKey: HOST_KEY,
        dialErrorLimit: 3,
        perDialTimeout: 10,
      },
    });
    // The provider's output copy stays secret anyway (the SDK marks it so).
    assert.equal(await secretOf(server.bootstrap.connection), true);
  });

  it("address is user@host:port", () => {
    assert.equal(server.address, "deploy@203.0.113.10:2222");
  });
});
