import type { ComposeTarget } from "../../compose/commands";
import { releasesCommand } from "../commands";
import { parseReleases, type ServerReleases } from "../remote-output";
import type { OpsSettings } from "../settings";
import type { RunOptions, RunResult } from "../../server/ssh-session";

/** What every verb gets: the stack's settings and a way to run remote commands visibly. */
export interface OpsContext {
  settings: OpsSettings;
  /** Prints the command (to stderr), then runs it on the server. */
  run(command: string, options: RunOptions): Promise<RunResult>;
  /** Data a script may read: to stdout. */
  out(text: string): void;
  /** Progress and explanations: to stderr. */
  say(text: string): void;
  now(): Date;
}

/** A destructive verb asked without --yes: it printed what it would do and ran nothing. */
export class Refused extends Error {
  constructor(what: string) {
    super(`Refusing to ${what} without --yes. Nothing was changed; re-run with --yes to do it.`);
    this.name = "Refused";
  }
}

export async function serverReleases(ctx: OpsContext): Promise<ServerReleases> {
  const { stdout } = await ctx.run(releasesCommand(ctx.settings.target.remoteDir), {
    stream: false,
  });
  return parseReleases(stdout);
}

export function targetOf(ctx: OpsContext, releaseId: string): ComposeTarget {
  return { ...ctx.settings.target, releaseId };
}

/** The compose target of the release that `current` points at: what runs now. */
export async function currentTarget(ctx: OpsContext): Promise<ComposeTarget> {
  const { current } = await serverReleases(ctx);
  if (!current) {
    throw new Error(
      `No release is current on the server (${ctx.settings.target.remoteDir}/current is missing): the app was never started. Fix: pulumi up --stack ${ctx.settings.stack}`,
    );
  }
  return targetOf(ctx, current);
}
