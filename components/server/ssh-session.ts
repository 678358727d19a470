import { createHash, timingSafeEqual } from "node:crypto";
import { connect, type Socket } from "node:net";
import { Client, type ClientChannel, type ServerHostKeyAlgorithm } from "ssh2";
import { agentProblem } from "./agent";

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** '<type> <base64>' from the stack config: the only key the server may present. */
  hostKey: string;
  dialTimeoutSeconds: number;
}

export interface RunOptions {
  /** Copy the remote output to this terminal as it arrives (long verbs, logs). */
  stream: boolean;
  /** Ask for a pseudo-terminal and forward this process's stdin (interactive exec). */
  tty?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A remote command that exited non-zero; carries the last lines of its stderr. */
export class RemoteCommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: number,
    readonly stderrTail: string,
  ) {
    super(`The remote command failed (exit ${code}).`);
    this.name = "RemoteCommandError";
  }
}

const STDERR_TAIL_LINES = 20;
const CAPTURE_LIMIT = 64 * 1024 * 1024;

export function tail(text: string, count = STDERR_TAIL_LINES): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}

export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** One SSH connection, signed in through the agent, to a server whose host key is pinned. */
export class SshSession {
  private constructor(
    private readonly client: Client,
    private readonly socket: Socket,
  ) {}

  /**
   * From now on the connection does not keep this process alive, and ends with it: for a session
   * that must last exactly as long as the process (the deploy lock). Only once what the process
   * waits for has arrived: an unreferenced socket mid-handshake would let Node exit early.
   */
  detach(): void {
    this.socket.unref();
  }

  static async open(target: SshTarget, env: NodeJS.ProcessEnv = process.env): Promise<SshSession> {
    const noAgent = agentProblem(env, false);
    if (noAgent) throw new Error(noAgent);
    const [type, base64] = target.hostKey.trim().split(/\s+/);
    const pinned = Buffer.from(base64 ?? "", "base64");
    let presented: Buffer | undefined;
    let sock: Socket | undefined;
    const client = new Client();
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve());
      // `on`, not `once`: a failed handshake can report a second error when its socket closes,
      // and an error without a listener would crash the process (a preview, say).
      client.on("error", (err) => {
        sock?.destroy();
        if (presented && !sameKey(presented, pinned)) {
          reject(
            new Error(
              `The server ${target.host}:${target.port} presented the host key ${fingerprint(presented)}, ` +
                `not the pinned hostKey ${fingerprint(pinned)}; nothing was run. If the server was rebuilt, ` +
                "check its new key out of band and update hostKey.",
            ),
          );
        } else {
          reject(
            new Error(
              `Cannot sign in to ${target.user}@${target.host}:${target.port}: ${err.message}. ` +
                "The agent at SSH_AUTH_SOCK must hold the deploy key (ssh-add -l lists it).",
            ),
          );
        }
      });
      sock = connect({ host: target.host, port: target.port });
      client.connect({
        sock,
        host: target.host,
        port: target.port,
        username: target.user,
        agent: env.SSH_AUTH_SOCK,
        readyTimeout: target.dialTimeoutSeconds * 1000,
        // Only the pinned key's algorithm is offered, so the server cannot answer with another key.
        algorithms: { serverHostKey: [type as ServerHostKeyAlgorithm] },
        hostVerifier: (key: Buffer) => {
          presented = key;
          return sameKey(key, pinned);
        },
      });
    });
    return new SshSession(client, sock!);
  }

  /** Runs one command; rejects with RemoteCommandError when it exits non-zero. */
  run(command: string, options: RunOptions): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, { pty: options.tty === true }, (err, channel) => {
        if (err) return reject(err);
        collect(channel, options).then(({ code, stdout, stderr }) => {
          if (code !== 0) reject(new RemoteCommandError(command, code, tail(stderr || stdout)));
          else resolve({ code, stdout, stderr });
        }, reject);
      });
    });
  }

  /** Starts a command and hands over its channel, for a command that outlives a request. */
  start(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, channel) => (err ? reject(err) : resolve(channel)));
    });
  }

  close(): void {
    this.client.end();
  }
}

function sameKey(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function collect(channel: ClientChannel, options: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let code = 255;
    channel.on("data", (chunk: Buffer) => {
      if (options.stream) process.stdout.write(chunk);
      else if (stdout.length < CAPTURE_LIMIT) stdout += chunk.toString("utf8");
    });
    channel.stderr.on("data", (chunk: Buffer) => {
      if (options.stream) process.stderr.write(chunk);
      // Only the tail is ever shown; keep the memory bounded on a chatty command.
      stderr = (stderr + chunk.toString("utf8")).slice(-16 * 1024);
    });
    if (options.tty) {
      process.stdin.setRawMode?.(true);
      process.stdin.pipe(channel);
    }
    channel.on("exit", (exitCode: number | null, signal?: string) => {
      code = exitCode ?? (signal ? 128 : 255);
    });
    channel.on("close", () => {
      if (options.tty) {
        process.stdin.unpipe(channel);
        process.stdin.setRawMode?.(false);
        process.stdin.pause();
      }
      resolve({ code, stdout, stderr });
    });
  });
}
