import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";

import { buildWorkflowModel } from "./buildWorkflowModel";
import { renderWorkflow } from "./renderWorkflow";
import { planSecrets, setSecretCommand } from "./secretsPlan";
import { resolveSettings, type GitHubWorkflowSettings } from "./settings";

/** Arguments of GitHubWorkflow: secret values are Pulumi inputs, ideally secret outputs. */
export type GitHubWorkflowArgs = GitHubWorkflowSettings<pulumi.Input<string>>;

/**
 * The deploy workflow committed to the repository, the Actions secrets it reads, and the
 * deployment environment its deploy job runs in. Repositories are addressed by name; the owner
 * comes from the GitHub provider (`github:owner`) and its token from GITHUB_TOKEN, never from
 * stack config (a preview job's passphrase would decrypt it). The SSH key and that token are
 * environment secrets a person sets (`secretsToSetByHand`); Pulumi never holds their values.
 */
export class GitHubWorkflow extends pulumi.ComponentResource {
  /** Path of the workflow file in the repository. */
  public readonly workflowPath: string;
  /** The rendered workflow, exactly as committed. */
  public readonly workflowContent: string;
  /** Actions secret names the workflow reads, by scope. */
  public readonly secretNames: { repository: string[]; environment: string[] };
  /** Secrets the workflow reads that a person sets, with what each holds and the command. */
  public readonly secretsToSetByHand: { name: string; holds: string; command: string }[];
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
        // The provider's default lets admins skip the reviewers; a deploy is reviewed by all.
        canAdminsBypass: false,
      },
      { parent: this },
    );
    const branchPolicy = new github.RepositoryEnvironmentDeploymentPolicy(
      `${name}-environment-branch`,
      { repository, environment: this.environment.environment, branchPattern: settings.branch },
      { parent: this },
    );

    const planned = planSecrets(settings);
    const secrets = planned
      .filter((secret) => secret.setBy === "pulumi")
      .map((secret) =>
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
    this.secretsToSetByHand = planned
      .filter((secret) => secret.setBy === "hand")
      .map((secret) => ({
        name: secret.name,
        holds: secret.holds ?? "",
        command: setSecretCommand(secret, {
          owner: args.owner,
          repository,
          environment: settings.environment.name,
        }),
      }));
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
      secretsToSetByHand: this.secretsToSetByHand,
      commitSha: this.file.commitSha,
    });
  }
}
