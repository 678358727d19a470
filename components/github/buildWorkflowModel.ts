// The deploy workflow as data: pull requests get tests and a preview comment, pushes to the
// branch get tests and `pulumi up` in the deployment environment.

import { quote } from "shell-quote";

import { usesRef } from "./actionPins";
import { previewCommentMarker, PREVIEW_COMMENT_SCRIPT } from "./previewCommentScript";
import {
  GITHUB_TOKEN_SECRET,
  planSecrets,
  SSH_PRIVATE_KEY_SECRET,
  type PlannedSecret,
} from "./secretsPlan";
import { resolveSettings, type GitHubWorkflowSettings, type ResolvedSettings } from "./settings";
import type { Job, Step, Workflow } from "./workflowModel";

const RUNNER = "ubuntu-24.04";
const PREVIEW_FILE = "${{ runner.temp }}/pulumi-preview.txt";
// A fixed socket path, so the steps after the one that starts the agent find it without
// exporting anything through $GITHUB_ENV.
const AGENT_SOCKET = "${{ runner.temp }}/ssh-agent.sock";

function secretEnv(secrets: PlannedSecret<unknown>[]): Record<string, string> {
  return Object.fromEntries(secrets.map((s) => [s.name, `\${{ secrets.${s.name} }}`]));
}

/**
 * Variables a `pulumi` step needs to reach the state and decrypt config. Set on that step only:
 * job-level env would also hand the secrets to `npm ci` and every package install script.
 */
function backendEnv(settings: ResolvedSettings<unknown>): Record<string, string> {
  const backend = settings.validatedBackend;
  const repositorySecrets = planSecrets(settings).filter((s) => s.scope === "repository");
  return {
    ...(backend.url !== undefined ? { PULUMI_BACKEND_URL: backend.url } : {}),
    ...secretEnv(repositorySecrets),
  };
}

function setupSteps(settings: ResolvedSettings<unknown>): Step[] {
  const lockFile =
    settings.workingDirectory === "."
      ? "package-lock.json"
      : `${settings.workingDirectory}/package-lock.json`;
  return [
    {
      name: "Check out",
      uses: usesRef("checkout"),
      // The job needs no git credentials after checkout; leaving them would expose the token.
      with: { "persist-credentials": false },
    },
    {
      name: "Set up Node.js",
      uses: usesRef("setupNode"),
      with: {
        "node-version": settings.nodeVersion,
        cache: "npm",
        "cache-dependency-path": lockFile,
      },
    },
    { name: "Install dependencies", run: "npm ci" },
  ];
}

function installPulumiStep(settings: ResolvedSettings<unknown>): Step {
  // Without a `command` input the action only installs the CLI.
  return {
    name: "Install Pulumi CLI",
    uses: usesRef("pulumiActions"),
    with: { "pulumi-version": settings.pulumiVersion },
  };
}

function testJob(settings: ResolvedSettings<unknown>): Job {
  return {
    name: "Test",
    "runs-on": RUNNER,
    "timeout-minutes": 30,
    steps: [
      ...setupSteps(settings),
      ...settings.testCommands.map((command) => ({ name: command, run: command })),
    ],
  };
}

function previewJob(settings: ResolvedSettings<unknown>): Job {
  const preview = quote([
    "pulumi",
    "preview",
    "--diff",
    "--stack",
    settings.stack,
    "--non-interactive",
    "--color",
    "never",
  ]);
  return {
    name: `Preview ${settings.stack}`,
    // Pull requests from forks get no secrets, so a preview there could only fail.
    if:
      "github.event_name == 'pull_request' && " +
      "github.event.pull_request.head.repo.full_name == github.repository",
    "runs-on": RUNNER,
    "timeout-minutes": 30,
    permissions: { contents: "read", "pull-requests": "write" },
    // One preview per pull request at a time; a newer commit supersedes a running preview.
    // Kept out of the deploy group: a pending preview there would cancel a pending deploy.
    concurrency: {
      group: `pulumi-${settings.stack}-preview-\${{ github.event.pull_request.number }}`,
      "cancel-in-progress": true,
    },
    steps: [
      ...setupSteps(settings),
      installPulumiStep(settings),
      {
        name: "pulumi preview",
        id: "preview",
        // The comment must be posted when the preview fails too (a broken migration graph is
        // reported there); the last step fails the job afterwards.
        "continue-on-error": true,
        env: { ...backendEnv(settings), PREVIEW_FILE },
        run: ["set -o pipefail", `${preview} 2>&1 | tee "$PREVIEW_FILE"`].join("\n") + "\n",
      },
      {
        name: "Comment the preview on the pull request",
        // Also after a failed preview (continue-on-error), but not when it never ran.
        if: "steps.preview.outcome != 'skipped'",
        uses: usesRef("githubScript"),
        env: {
          COMMENT_MARKER: previewCommentMarker(settings.stack),
          PREVIEW_FILE,
          PREVIEW_OUTCOME: "${{ steps.preview.outcome }}",
          STACK: settings.stack,
        },
        with: { script: PREVIEW_COMMENT_SCRIPT },
      },
      {
        name: "Fail when the preview failed",
        if: "steps.preview.outcome == 'failure'",
        run: 'echo "::error::pulumi preview failed; see its step log" && exit 1',
      },
    ],
  };
}

function deployJob(settings: ResolvedSettings<unknown>): Job {
  const byName = (name: string) => `\${{ secrets.${name} }}`;
  return {
    name: `Deploy ${settings.stack}`,
    if: "github.event_name == 'push'",
    needs: ["test"],
    "runs-on": RUNNER,
    "timeout-minutes": 60,
    // The only job that enters the environment, so the only one that can read its secrets: the
    // SSH key and the GitHub write token.
    environment: settings.environment.name,
    // Deploys of one stack never overlap; a newer push waits for the running deploy to finish
    // (cancelling one midway could leave the server half-deployed and the state locked).
    concurrency: { group: `pulumi-${settings.stack}`, "cancel-in-progress": false },
    steps: [
      ...setupSteps(settings),
      installPulumiStep(settings),
      {
        name: "Load the deploy key into an SSH agent",
        // The key goes to ssh-add on stdin (printf is a shell builtin, so no command line holds
        // it) and lives only in the agent's memory; the program and the state never see it.
        env: {
          SSH_AUTH_SOCK: AGENT_SOCKET,
          [SSH_PRIVATE_KEY_SECRET]: byName(SSH_PRIVATE_KEY_SECRET),
        },
        run:
          [
            'eval "$(ssh-agent -s -a "$SSH_AUTH_SOCK")" >/dev/null',
            'echo "$SSH_AGENT_PID" >"$RUNNER_TEMP/ssh-agent.pid"',
            `printf '%s\\n' "$${SSH_PRIVATE_KEY_SECRET}" | ssh-add -q -`,
          ].join("\n") + "\n",
      },
      {
        name: "pulumi up",
        env: {
          ...backendEnv(settings),
          SSH_AUTH_SOCK: AGENT_SOCKET,
          // The github provider's credential: write access to the workflow, environment and
          // secrets, from the environment only.
          GITHUB_TOKEN: byName(GITHUB_TOKEN_SECRET),
        },
        run: quote(["pulumi", "up", "--yes", "--diff", "--stack", settings.stack]),
      },
      {
        name: "Stop the SSH agent",
        if: "always()",
        // Self-hosted runners outlive the job: leave no agent holding the key behind.
        run:
          [
            'pid_file="$RUNNER_TEMP/ssh-agent.pid"',
            'if [ -f "$pid_file" ]; then SSH_AGENT_PID="$(cat "$pid_file")" ssh-agent -k >/dev/null; rm -f "$pid_file"; fi',
          ].join("\n") + "\n",
      },
    ],
  };
}

/** The workflow for the given settings; throws on invalid settings. */
export function buildWorkflowModel(args: GitHubWorkflowSettings<unknown>): Workflow {
  const settings = resolveSettings(args);
  return {
    name: `Deploy ${settings.stack}`,
    on: {
      pull_request: { branches: [settings.branch] },
      push: { branches: [settings.branch] },
    },
    permissions: { contents: "read" },
    ...(settings.workingDirectory !== "."
      ? { defaults: { run: { "working-directory": settings.workingDirectory } } }
      : {}),
    jobs: {
      test: testJob(settings),
      ...(settings.pullRequestPreviews === "off" ? {} : { preview: previewJob(settings) }),
      deploy: deployJob(settings),
    },
  };
}
