import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";

import { buildWorkflowModel } from "./buildWorkflowModel";
import { renderWorkflow } from "./renderWorkflow";
import { planSecrets } from "./secretsPlan";
import { resolveSettings, type GitHubWorkflowSettings } from "./settings";

/** Arguments of GitHubWorkflow: secret values are Pulumi inputs, ideally secret outputs. */
export type GitHubWorkflowArgs = GitHubWorkflowSettings<pulumi.Input<string>>;

/**
 * The deploy workflow committed to the repository, the Actions secrets it reads, and the
 * deployment environment its deploy job runs in. Repositories are addressed by name; the owner
 * and token come from the GitHub provider (`github:owner`, `github:token`, or one passed in
 * `opts.providers`).
 */
export class GitHubWorkflow extends pulumi.ComponentResource {
  /** Path of the workflow file in the repository. */
  public readonly workflowPath: string;
  /** The rendered workflow, exactly as committed. */
  public readonly workflowContent: string;
  /** Actions secret names the workflow reads, by scope. */
  public readonly secretNames: { repository: string[]; environment: string[] };
  public readonly environment: github.RepositoryEnvironment;
  public readonly file: github.RepositoryFile;

  constructor(name: string, args: GitHubWorkflowArgs, opts?: pulumi.ComponentResourceOptions) {
    super("django-deploy:github:GitHubWorkflow", name, {}, opts);
    // Validate before creating anything, so bad settings fail the preview with one message.
    const settings = resolveSettings(args);
    const { repository } = settings;
    this.workflowPath = settings.workflowPath;
    this.workflowContent = renderWorkflow(buildWorkflowModel(args), { stack: settings.stack });

    const reviewers = settings.environment.reviewers;
    const hasReviewers = (reviewers?.users?.length ?? 0) + (reviewers?.teams?.length ?? 0) > 0;
    this.environment = new github.RepositoryEnvironment(
      `${name}-environment`,
      {
        repository,
        environment: settings.environment.name,
        reviewers: hasReviewers ? [{ users: reviewers?.users, teams: reviewers?.teams }] : [],
        preventSelfReview: hasReviewers ? (settings.environment.preventSelfReview ?? false) : false,
        // Only runs from the deploy branch may enter the environment and read its secrets.
        deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
      },
      { parent: this },
    );
    const branchPolicy = new github.RepositoryEnvironmentDeploymentPolicy(
      `${name}-environment-branch`,
      { repository, environment: this.environment.environment, branchPattern: settings.branch },
      { parent: this },
    );

    const planned = planSecrets(settings);
    const secrets = planned.map((secret) =>
      secret.scope === "repository"
        ? new github.ActionsSecret(
            `${name}-secret-${secret.name}`,
            { repository, secretName: secret.name, value: pulumi.secret(secret.value) },
            { parent: this },
          )
        : new github.ActionsEnvironmentSecret(
            `${name}-env-secret-${secret.name}`,
            {
              repository,
              environment: this.environment.environment,
              secretName: secret.name,
              value: pulumi.secret(secret.value),
            },
            { parent: this },
          ),
    );
    this.secretNames = {
      repository: planned.filter((s) => s.scope === "repository").map((s) => s.name),
      environment: planned.filter((s) => s.scope === "environment").map((s) => s.name),
    };

    // Committing the file to the branch starts a run of it, so what that run reads must exist
    // first.
    this.file = new github.RepositoryFile(
      `${name}-workflow-file`,
      {
        repository,
        branch: settings.branch,
        file: settings.workflowPath,
        content: this.workflowContent,
        commitMessage: `Deploy workflow for stack ${settings.stack} (managed by Pulumi)`,
        overwriteOnCreate: true,
      },
      { parent: this, dependsOn: [this.environment, branchPolicy, ...secrets] },
    );

    this.registerOutputs({
      workflowPath: this.workflowPath,
      environmentName: this.environment.environment,
      secretNames: this.secretNames,
      commitSha: this.file.commitSha,
    });
  }
}
