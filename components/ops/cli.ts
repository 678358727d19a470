#!/usr/bin/env node
// The operations command: `npm run ops -- <verb> [--stack <name>]`, run in the Pulumi project.
import { parseOpsArgs, USAGE, type OpsRequest } from "./args";
import { UsageError } from "./names";
import { readStack } from "./read-stack";
import { RemoteCommandError, SshSession } from "../server/ssh-session";
import { Refused, type OpsContext } from "./verbs/context";
import { listBackups, restore } from "./verbs/backups";
import { exec, logs, restart } from "./verbs/containers";
import { migrate, renameMigration, showmigrations } from "./verbs/migrations";
import { rollback } from "./verbs/rollback";
import { status } from "./verbs/status";
import { unlock } from "./verbs/lock";
import { currentHolder, holdDeployLock } from "../server/deploy-lock-client";

/** Verbs that change the server: with --yes they hold the deploy lock, as a deploy does. */
function changesServer(request: OpsRequest): boolean {
  return (
    "yes" in request &&
    request.yes &&
    ["migrate", "rename-migration", "restart", "restore", "rollback"].includes(request.verb)
  );
}

function dispatch(ctx: OpsContext, request: OpsRequest): Promise<void> {
  switch (request.verb) {
    case "status":
      return status(ctx);
    case "showmigrations":
      return showmigrations(ctx, request);
    case "migrate":
      return migrate(ctx, request);
    case "rename-migration":
      return renameMigration(ctx, request);
    case "logs":
      return logs(ctx, request);
    case "exec":
      return exec(ctx, request);
    case "restart":
      return restart(ctx, request);
    case "backups":
      return listBackups(ctx);
    case "restore":
      return restore(ctx, request);
    case "rollback":
      return rollback(ctx, request);
    case "unlock":
      return unlock(ctx, request);
  }
}

/** Exit codes: 0 done, 1 failed or refused, 2 usage. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  let session: SshSession | undefined;
  try {
    const { stack, request } = parseOpsArgs(argv);
    const settings = await readStack(process.cwd(), stack);
    if (changesServer(request)) {
      await holdDeployLock(settings, settings.target.remoteDir, currentHolder(settings.stack));
    }
    session = await SshSession.open(settings);
    const open = session;
    const where = `${settings.user}@${settings.host}:${settings.port}`;
    const ctx: OpsContext = {
      settings,
      run: (command, options) => {
        process.stderr.write(`[${where}] $ ${command}\n`);
        return open.run(command, options);
      },
      out: (text) => process.stdout.write(`${text}\n`),
      say: (text) => process.stderr.write(`${text}\n`),
      now: () => new Date(),
    };
    // Ctrl-C on `logs --follow` or a long verb: close the session so the remote side ends too.
    process.once("SIGINT", () => {
      open.close();
      process.exit(130);
    });
    await dispatch(ctx, request);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof RemoteCommandError) {
      process.stderr.write(
        `error: the remote command failed (exit ${err.code}):\n  ${err.command}\n` +
          `last lines of its output:\n${err.stderrTail.replace(/^/gm, "  | ")}\n`,
      );
      return 1;
    }
    if (err instanceof Refused) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  } finally {
    session?.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
