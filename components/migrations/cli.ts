// Command line: migration-graph <root> [--json] [--applied <file>] [--cache]
// Exit 0 when there are no errors, 1 when there are, 2 on a usage error (message on stderr).
import { readFileSync } from "node:fs";
import { analyzeMigrations } from "./analyze";
import { parseAppliedList } from "./applied";
import { formatReport } from "./format";
import { MigrationInputError } from "./types";

const USAGE = "usage: migration-graph <root> [--json] [--applied <file>] [--cache]";

class UsageError extends Error {}

interface CliArgs {
  root: string;
  json: boolean;
  /** Reuse parse results of unchanged files from earlier runs (see AnalyzeOptions.cache). */
  cache: boolean;
  appliedFile?: string;
}

export function parseArgs(argv: string[]): CliArgs | "help" {
  let root: string | undefined;
  let json = false;
  let cache = false;
  let appliedFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") json = true;
    else if (arg === "--cache") cache = true;
    else if (arg === "-h" || arg === "--help") return "help";
    else if (arg === "--applied") {
      if (i + 1 >= argv.length) throw new UsageError("--applied needs a file argument");
      appliedFile = argv[++i];
    } else if (arg.startsWith("--applied=")) appliedFile = arg.slice("--applied=".length);
    else if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}`);
    else if (root !== undefined) throw new UsageError(`unexpected extra argument ${arg}`);
    else root = arg;
  }
  if (root === undefined)
    throw new UsageError("missing <root> argument (the Django project directory)");
  return { root, json, cache, appliedFile };
}

function main(argv: string[]): number {
  let args: CliArgs | "help";
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`migration-graph: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    let applied: string[] | undefined;
    if (args.appliedFile !== undefined) {
      let text: string;
      try {
        text = readFileSync(args.appliedFile, "utf8");
      } catch (err) {
        throw new MigrationInputError(
          `cannot read --applied file ${args.appliedFile}: ${(err as Error).message}`,
        );
      }
      applied = parseAppliedList(text, args.appliedFile);
    }
    const report = analyzeMigrations(args.root, { applied, cache: args.cache });
    process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
    return report.errors.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof MigrationInputError) {
      process.stderr.write(`migration-graph: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2));
