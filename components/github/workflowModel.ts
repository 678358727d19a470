// A typed subset of the GitHub Actions workflow syntax: only what this project renders. Keys are
// spelled exactly as in the YAML so the model serializes as is.

export type PermissionLevel = "read" | "write" | "none";

/** Scopes of the GITHUB_TOKEN a workflow or job may ask for. */
export type Permissions = Partial<
  Record<
    | "actions"
    | "checks"
    | "contents"
    | "deployments"
    | "id-token"
    | "issues"
    | "pull-requests"
    | "statuses",
    PermissionLevel
  >
>;

export interface Concurrency {
  group: string;
  "cancel-in-progress": boolean;
}

export interface BranchFilter {
  branches: string[];
}

export interface Triggers {
  pull_request?: BranchFilter;
  push?: BranchFilter;
}

interface StepBase {
  name: string;
  id?: string;
  if?: string;
  env?: Record<string, string>;
  "continue-on-error"?: boolean;
}

export interface RunStep extends StepBase {
  run: string;
  shell?: "bash";
}

export interface UsesStep extends StepBase {
  uses: string;
  with?: Record<string, string | number | boolean>;
}

export type Step = RunStep | UsesStep;

export interface Job {
  name: string;
  if?: string;
  needs?: string[];
  "runs-on": string;
  "timeout-minutes"?: number;
  permissions?: Permissions;
  environment?: string;
  concurrency?: Concurrency;
  env?: Record<string, string>;
  steps: Step[];
}

export interface Workflow {
  name: string;
  on: Triggers;
  permissions: Permissions;
  defaults?: { run: { "working-directory": string } };
  jobs: Record<string, Job>;
}
