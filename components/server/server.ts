import * as pulumi from "@pulumi/pulumi";
import { remote, types } from "@pulumi/command";
import { bootstrapCommand } from "./commands";
import { SECRET_COMMAND_OUTPUTS } from "./command-options";

export interface ServerArgs {
  host: string;
  port: number;
  user: string;
  /** The server's public host key, '<type> <base64>': the connection refuses any other. */
  hostKey: string;
  dialErrorLimit: number;
  dialTimeoutSeconds: number;
  remoteDir: string;
}

/** One SSH-reachable host with Docker and Compose v2, prepared to receive releases. */
export class Server extends pulumi.ComponentResource {
  readonly connection: types.input.remote.ConnectionArgs;
  readonly bootstrap: remote.Command;
  readonly address: string;

  constructor(name: string, args: ServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("django-deploy:server:Server", name, {}, opts);
    this.address = `${args.user}@${args.host}:${args.port}`;
    // No key material here: the provider signs in through the SSH agent at SSH_AUTH_SOCK, so the
    // state holds no key and rotating the key changes no step's inputs.
    this.connection = {
      host: args.host,
      port: args.port,
      user: args.user,
      hostKey: args.hostKey,
      // Bounded so an unreachable host fails in seconds instead of retrying for minutes.
      dialErrorLimit: args.dialErrorLimit,
      perDialTimeout: args.dialTimeoutSeconds,
    };
    const command = bootstrapCommand({ remoteDir: args.remoteDir });
    this.bootstrap = new remote.Command(
      `${name}-bootstrap`,
      {
        connection: this.connection,
        create: command,
        triggers: [command],
        addPreviousOutputInEnv: false,
      },
      { parent: this, additionalSecretOutputs: [...SECRET_COMMAND_OUTPUTS] },
    );
    this.registerOutputs({ address: this.address });
  }
}
