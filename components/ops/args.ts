import { parseArgs } from "node:util";
import { checkName, UsageError } from "./names";

export type OpsRequest =
  | { verb: "status" }
  | { verb: "showmigrations"; app?: string; plan: boolean }
  | { verb: "migrate"; app: string; target: string; fake: boolean; yes: boolean }
  | { verb: "rename-migration"; app: string; from: string; to: string; yes: boolean }
  | { verb: "logs"; service: string; since?: string; tail: number; follow: boolean }
  | { verb: "exec"; service: string; command: string[] }
  | { verb: "restart"; services: string[]; yes: boolean }
  | { verb: "backups" }
  | { verb: "restore"; backup: string; yes: boolean }
  | { verb: "rollback"; to?: string; unapplyMigrations: boolean; yes: boolean }
  | { verb: "unlock"; yes: boolean };

export interface OpsInvocation {
  stack?: string;
  request: OpsRequest;
}

export const USAGE = `Usage: npm run ops -- <verb> [--stack <name>] ...

  status                                   releases, containers and health, migrations, backups
  showmigrations [<app>] [--plan]          as Django prints it, from the current release's image
  migrate <app> <target> [--fake] --yes    prints the plan, takes a backup, then migrates
  rename-migration <app> <old> <new> --yes records <new> as applied in place of <old> (a file
                                           renamed after it was applied); migrates nothing
  logs <service> [--since <t>] [--tail <n>] [--follow]
  exec <service> -- <command...>           runs in the service's running container
  restart [<service>...] --yes             restarts (default: the app services), waits until healthy
  backups                                  lists the backups on the server
  restore <backup> --yes                   app services stopped, restored in one transaction, started
  rollback [--to <release>] --yes [--unapply-migrations]
                                           app services back on an earlier release on the server
  unlock --yes                             ends a deploy-lock holder the server still keeps`;

const OPTIONS = {
  stack: { type: "string" },
  yes: { type: "boolean" },
  plan: { type: "boolean" },
  fake: { type: "boolean" },
  since: { type: "string" },
  tail: { type: "string" },
  follow: { type: "boolean" },
  to: { type: "string" },
  "unapply-migrations": { type: "boolean" },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The options each verb takes besides --stack; anything else is a usage error, not ignored. */
const VERB_OPTIONS: Record<OpsRequest["verb"], OptionName[]> = {
  status: [],
  showmigrations: ["plan"],
  migrate: ["fake", "yes"],
  "rename-migration": ["yes"],
  logs: ["since", "tail", "follow"],
  exec: [],
  restart: ["yes"],
  backups: [],
  restore: ["yes"],
  rollback: ["to", "unapply-migrations", "yes"],
  unlock: ["yes"],
};

function isVerb(v: string): v is OpsRequest["verb"] {
  return v in VERB_OPTIONS;
}

/** Parses `<verb> [args] [--options] [-- command...]`; throws UsageError on anything unexpected. */
export function parseOpsArgs(argv: string[]): OpsInvocation {
  // Everything after the first `--` is exec's command, passed on untouched (its own flags too).
  const dashes = argv.indexOf("--");
  const own = dashes === -1 ? argv : argv.slice(0, dashes);
  const command = dashes === -1 ? undefined : argv.slice(dashes + 1);
  let parsed;
  try {
    parsed = parseArgs({ args: own, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [verb, ...rest] = parsed.positionals;
  if (verb === undefined) throw new UsageError("No verb given.");
  if (!isVerb(verb)) throw new UsageError(`Unknown verb ${JSON.stringify(verb)}.`);
  const values = parsed.values as Partial<Record<OptionName, string | boolean>>;
  for (const name of Object.keys(values) as OptionName[]) {
    if (name !== "stack" && !VERB_OPTIONS[verb].includes(name)) {
      throw new UsageError(`${verb} does not take --${name}.`);
    }
  }
  if (command !== undefined && verb !== "exec") {
    throw new UsageError(`${verb} takes no command after --.`);
  }
  const positional = (count: { min: number; max: number }, names: string) => {
    if (rest.length < count.min || rest.length > count.max) {
      throw new UsageError(`${verb} takes ${names}; got ${JSON.stringify(rest)}.`);
    }
  };
  const yes = values.yes === true;
  const stack = values.stack as string | undefined;
  switch (verb) {
    case "status":
    case "backups":
      positional({ min: 0, max: 0 }, "no arguments");
      return { stack, request: { verb } };
    case "showmigrations":
      positional({ min: 0, max: 1 }, "at most one app label");
      return {
        stack,
        request: {
          verb,
          app: rest[0] === undefined ? undefined : checkName("app", rest[0]),
          plan: values.plan === true,
        },
      };
    case "migrate":
      positional({ min: 2, max: 2 }, "<app> <target>");
      return {
        stack,
        request: {
          verb,
          app: checkName("app", rest[0]),
          target: checkName("migration", rest[1]),
          fake: values.fake === true,
          yes,
        },
      };
    case "rename-migration":
      positional({ min: 3, max: 3 }, "<app> <old name> <new name>");
      return {
        stack,
        request: {
          verb,
          app: checkName("app", rest[0]),
          from: checkName("migration", rest[1]),
          to: checkName("migration", rest[2]),
          yes,
        },
      };
    case "logs": {
      positional({ min: 1, max: 1 }, "one service");
      const tail = values.tail === undefined ? "200" : String(values.tail);
      if (!/^\d+$/.test(tail))
        throw new UsageError(`--tail ${JSON.stringify(tail)} is not a count.`);
      return {
        stack,
        request: {
          verb,
          service: checkName("service", rest[0]),
          since: values.since === undefined ? undefined : checkName("since", String(values.since)),
          tail: Number(tail),
          follow: values.follow === true,
        },
      };
    }
    case "exec":
      positional({ min: 1, max: 1 }, "one service, then -- and the command");
      if (command === undefined || command.length === 0) {
        throw new UsageError(
          "exec needs the command after --, e.g. exec web -- python manage.py check",
        );
      }
      return { stack, request: { verb, service: checkName("service", rest[0]), command } };
    case "unlock":
      positional({ min: 0, max: 0 }, "no arguments");
      return { stack, request: { verb, yes } };
    case "restart":
      return {
        stack,
        request: { verb, services: rest.map((s) => checkName("service", s)), yes },
      };
    case "restore":
      positional({ min: 1, max: 1 }, "one backup file name");
      return { stack, request: { verb, backup: checkName("backup", rest[0]), yes } };
    case "rollback":
      positional({ min: 0, max: 0 }, "no arguments (use --to <release>)");
      return {
        stack,
        request: {
          verb,
          to: values.to === undefined ? undefined : checkName("release", String(values.to)),
          unapplyMigrations: values["unapply-migrations"] === true,
          yes,
        },
      };
  }
}
