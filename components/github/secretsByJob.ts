// What each job of a rendered workflow can read: read back from the YAML GitHub will run, not
// from the model, so the README's table and the tests describe the file itself.
import { parse } from "yaml";

import {
  ACCESS_TOKEN_SECRET,
  GITHUB_TOKEN_SECRET,
  PASSPHRASE_SECRET,
  SSH_PRIVATE_KEY_SECRET,
} from "./secretsPlan";

export interface JobSecrets {
  job: string;
  /** When the job runs, in words. */
  runsOn: string;
  /** The deployment environment it enters (whose secrets only it can read), if any. */
  environment?: string;
  /** Secret names referenced anywhere in the job, sorted. */
  secrets: string[];
}

const SECRET_REF = /\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}/g;

function referencedSecrets(value: unknown): string[] {
  const text = JSON.stringify(value);
  return [...new Set([...text.matchAll(SECRET_REF)].map((m) => m[1]))].sort();
}

function trigger(condition: unknown, branch: string): string {
  if (condition === undefined) return `every pull request to and push to ${branch}`;
  const text = String(condition);
  if (text.includes("github.event_name == 'push'")) return `push to ${branch}`;
  if (text.includes("github.event_name == 'pull_request'")) {
    return text.includes("head.repo.full_name == github.repository")
      ? `pull request to ${branch} from a branch of the repository`
      : `pull request to ${branch}`;
  }
  return text;
}

export function secretsByJob(workflowYaml: string): JobSecrets[] {
  const workflow = parse(workflowYaml) as {
    on: { push?: { branches?: string[] } };
    jobs: Record<string, { if?: unknown; environment?: unknown }>;
  };
  const branch = workflow.on.push?.branches?.[0] ?? "the branch";
  return Object.entries(workflow.jobs).map(([job, body]) => ({
    job,
    runsOn: trigger(body.if, branch),
    ...(body.environment !== undefined ? { environment: String(body.environment) } : {}),
    secrets: referencedSecrets(body),
  }));
}

/** What holding each secret allows, for the README's table. */
function secretMeaning(name: string): string {
  switch (name) {
    case PASSPHRASE_SECRET:
      return "decrypt the stack's secrets: every `secretEnv` app setting and the backend credentials";
    case ACCESS_TOKEN_SECRET:
      return "read and write the stack's state in Pulumi Cloud and decrypt its secrets";
    case SSH_PRIVATE_KEY_SECRET:
      return "sign in to the server as the deploy user (in the docker group: root there)";
    case GITHUB_TOKEN_SECRET:
      return "write the repository's workflow files, environments and Actions secrets";
    default:
      return "the state backend's credential: read and write the state (and with the passphrase, its secrets)";
  }
}

/** The README's per-job table, as Markdown. */
export function secretsTable(workflowYaml: string): string {
  const rows = secretsByJob(workflowYaml).flatMap((job) => {
    const where = `\`${job.job}\` (${job.runsOn}${job.environment ? `; environment \`${job.environment}\`` : ""})`;
    if (job.secrets.length === 0) return [`| ${where} | none | nothing secret |`];
    return job.secrets.map((secret) => `| ${where} | \`${secret}\` | ${secretMeaning(secret)} |`);
  });
  return ["| job (runs on) | secret | allows |", "|---|---|---|", ...rows].join("\n");
}
