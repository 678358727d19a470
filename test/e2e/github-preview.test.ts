// `pulumi preview` of a stack with `github` on, with the real github provider plugin: it plans
// the workflow file, the deployment environment and its branch policy, and the Actions secrets,
// without GitHub credentials and without reaching GitHub's API (this machine cannot), and shows
// no secret value.
//
// The stack sets neither github:token nor github:owner. The provider configures itself even for a
// preview: given an owner it looks it up (GET /orgs/<owner>), given only a token it asks whose it
// is (GET /user), and either fails the preview where the API is unreachable ("failed to lookup
// organization ..."). Without both it is anonymous and plans from the inputs alone.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { parse, stringify } from "yaml";
import {
  configureStack,
  createWorkspace,
  pulumi,
  run,
  STACK,
  type RunResult,
  type Workspace,
} from "../../scripts/lib/local-stack";
import { buildWorkflowModel } from "../../components/github/buildWorkflowModel";
import { renderWorkflow } from "../../components/github/renderWorkflow";
import { planSecrets } from "../../components/github/secretsPlan";
import { resolveSettings, type GitHubWorkflowSettings } from "../../components/github/settings";

const PROJECT = "django-deploy";
const dir = mkdtempSync(join(tmpdir(), "django-deploy-github-preview-"));
let ws: Workspace;
/** Stands in for the server: a preview must never connect to it. */
let fakeServer: TcpServer;
let connections = 0;
let preview: RunResult;
let hostKey = "";
let steps: PreviewStep[] = [];
/** Every secret value the stack config holds, as set with `pulumi config set --secret`. */
const secretValues: string[] = [];

/** The `github` setting, as a user writes it in the stack file (cf. Pulumi.prod.yaml). */
const GITHUB = {
  repository: "shop",
  branch: "main",
  workflowName: "deploy",
  environment: { name: "production", reviewers: { users: [1234567] } },
  backend: { kind: "self-managed", url: "s3://acme-pulumi-state/shop" },
} as const;
const BACKEND_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
  AWS_SECRET_ACCESS_KEY: randomBytes(30).toString("base64url"),
};
const BACKEND_PASSPHRASE = randomBytes(24).toString("base64url");

interface PreviewStep {
  op: string;
  urn: string;
  provider?: string;
  newState?: { type: string; inputs?: Record<string, unknown> };
}

const GITHUB_TYPES = {
  file: "github:index/repositoryFile:RepositoryFile",
  environment: "github:index/repositoryEnvironment:RepositoryEnvironment",
  branchPolicy:
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
  secret: "github:index/actionsSecret:ActionsSecret",
  envSecret: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
};

function must(what: string, r: RunResult): RunResult {
  assert.equal(r.code, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

function setSecret(path: string, value: string): void {
  must(
    `pulumi config set --secret ${path}`,
    pulumi(ws, ["config", "set", "--stack", STACK, "--secret", "--path", path], value),
  );
  secretValues.push(value);
}

function ed25519(name: string): { privateKey: string; publicKey: string; file: string } {
  const file = join(dir, name);
  must("ssh-keygen", run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", file]));
  return {
    file,
    privateKey: readFileSync(file, "utf8"),
    publicKey: readFileSync(`${file}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" "),
  };
}

/** The component's settings as components/config.ts builds them from this stack's config. */
function expectedSettings(): GitHubWorkflowSettings<string> {
  return {
    repository: GITHUB.repository,
    branch: GITHUB.branch,
    stack: STACK,
    workflowName: GITHUB.workflowName,
    environment: {
      name: GITHUB.environment.name,
      reviewers: { users: [...GITHUB.environment.reviewers.users] },
    },
    backend: {
      kind: "self-managed",
      url: GITHUB.backend.url,
      passphrase: BACKEND_PASSPHRASE,
      credentials: BACKEND_CREDENTIALS,
    },
  };
}

/** Inputs as the provider checked them, without the bridge's `__defaults` bookkeeping. */
function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "__defaults")
        .map(([k, v]) => [k, withoutDefaults(v)]),
    );
  }
  return value;
}

function stepsOfType(type: string): PreviewStep[] {
  return steps.filter((s) => s.newState?.type === type);
}

function nameOf(step: PreviewStep): string {
  return step.urn.split("::").pop()!;
}

function inputsOf(type: string, name: string): Record<string, unknown> {
  const step = stepsOfType(type).find((s) => nameOf(s) === name);
  assert.ok(step, `no ${type} named ${name} in the plan`);
  return withoutDefaults(step.newState!.inputs ?? {}) as Record<string, unknown>;
}

describe(
  "pulumi preview with github on plans the workflow, environment and secrets",
  { timeout: 10 * 60 * 1000 },
  () => {
    before(async () => {
      ws = createWorkspace(dir, { copyExample: false });
      // No GitHub credentials of any kind reach the provider: no token or owner from the
      // environment, no app auth, and no `gh auth token` fallback from a logged-in gh CLI.
      for (const key of Object.keys(ws.env)) {
        if (key.startsWith("GITHUB_") || key.startsWith("GH_")) delete ws.env[key];
      }
      ws.env.GH_PATH = join(dir, "no-gh-cli");

      fakeServer = createServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => fakeServer.listen(0, "127.0.0.1", resolve));
      const port = (fakeServer.address() as { port: number }).port;

      const host = ed25519("ssh_host_ed25519_key");
      const client = ed25519("id_ed25519");
      hostKey = host.publicKey;
      configureStack(
        ws,
        { port, privateKeyFile: client.file, hostKey },
        { webPort: 18998, remoteDir: "/srv/github-preview-never-created", composeProject: "ghp" },
      );
      secretValues.push(client.privateKey);
      const appSecrets = JSON.parse(
        readFileSync(join(ws.dir, "app-secrets.json"), "utf8"),
      ) as Record<string, string>;
      secretValues.push(...Object.values(appSecrets));

      // The plain `github` object goes into the stack file, as a user writes it; no github:token
      // and no github:owner.
      const stackFile = join(ws.dir, `Pulumi.${STACK}.yaml`);
      const stack = parse(readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
      stack.config[`${PROJECT}:github`] = GITHUB;
      writeFileSync(stackFile, stringify(stack));
      setSecret("githubBackendPassphrase", BACKEND_PASSPHRASE);
      for (const [name, value] of Object.entries(BACKEND_CREDENTIALS)) {
        setSecret(`githubBackendCredentials.${name}`, value);
      }
      const config = readFileSync(stackFile, "utf8");
      assert.doesNotMatch(config, /github:(token|owner)/);

      preview = pulumi(ws, ["preview", "--json", "--stack", STACK]);
      await sleep(200); // lets the fake server's loop see any connection made meanwhile
      if (preview.code === 0) {
        steps = (JSON.parse(preview.stdout) as { steps: PreviewStep[] }).steps;
      }
    });
    after(async () => {
      if (fakeServer) await new Promise<void>((resolve) => fakeServer.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    });

    it("succeeds without GitHub credentials", () => {
      assert.equal(preview.code, 0, `${preview.stdout}\n${preview.stderr}`);
    });

    it("plans creates of exactly the GitHub resources the component declares", () => {
      const settings = resolveSettings(expectedSettings());
      const planned = planSecrets(settings).filter((s) => s.setBy === "pulumi");
      const expected = [
        `${GITHUB_TYPES.environment} github-environment`,
        `${GITHUB_TYPES.branchPolicy} github-environment-branch`,
        ...planned.map((s) =>
          s.scope === "repository"
            ? `${GITHUB_TYPES.secret} github-secret-${s.name}`
            : `${GITHUB_TYPES.envSecret} github-env-secret-${s.name}`,
        ),
        `${GITHUB_TYPES.file} github-workflow-file`,
      ].sort();
      const actual = steps
        .filter((s) => s.newState?.type.startsWith("github:index/"))
        .map((s) => `${s.newState!.type} ${nameOf(s)}`)
        .sort();
      assert.deepEqual(actual, expected);
      for (const s of steps.filter((s) => s.newState?.type.startsWith("github:index/"))) {
        assert.equal(s.op, "create", `${s.urn} is planned as ${s.op}`);
        // Checked by the real provider plugin (the default one, no explicit provider resource).
        assert.match(s.provider ?? "", /::pulumi:providers:github::default_6_15_0::/, s.urn);
      }
      // The secret names a user checks against the workflow.
      assert.deepEqual(
        planned.map((s) => `${s.scope} ${s.name}`),
        [
          "repository PULUMI_CONFIG_PASSPHRASE",
          "repository AWS_ACCESS_KEY_ID",
          "repository AWS_SECRET_ACCESS_KEY",
        ],
      );
    });

    it("the workflow file is the rendered workflow at its path, on the branch", () => {
      const args = expectedSettings();
      const content = renderWorkflow(buildWorkflowModel(args), { stack: STACK });
      const file = inputsOf(GITHUB_TYPES.file, "github-workflow-file");
      assert.equal(file.file, ".github/workflows/deploy.yml");
      assert.equal(file.repository, "shop");
      assert.equal(file.branch, "main");
      assert.equal(file.overwriteOnCreate, true);
      assert.equal(file.content, content);
    });

    it("the environment has its reviewers and only the branch may deploy", () => {
      const env = inputsOf(GITHUB_TYPES.environment, "github-environment");
      assert.equal(env.repository, "shop");
      assert.equal(env.environment, "production");
      assert.deepEqual(env.reviewers, [{ users: [1234567] }]);
      assert.deepEqual(env.deploymentBranchPolicy, {
        protectedBranches: false,
        customBranchPolicies: true,
      });
      // Admins wait for the reviewers too (the provider's default would let them skip).
      assert.equal(env.canAdminsBypass, false);
      const policy = inputsOf(GITHUB_TYPES.branchPolicy, "github-environment-branch");
      assert.equal(policy.repository, "shop");
      assert.equal(policy.environment, "production");
      assert.equal(policy.branchPattern, "main");
    });

    it("secrets are planned by name and scope, their values shown as [secret]", () => {
      for (const s of planSecrets(resolveSettings(expectedSettings()))) {
        if (s.setBy === "hand") {
          // Never a resource: its value would sit in the state the preview job can decrypt.
          assert.equal(
            steps.some((step) => nameOf(step).endsWith(s.name)),
            false,
            `${s.name} is planned as a resource`,
          );
        } else if (s.scope === "repository") {
          assert.deepEqual(inputsOf(GITHUB_TYPES.secret, `github-secret-${s.name}`), {
            repository: "shop",
            secretName: s.name,
            value: "[secret]",
          });
        } else {
          assert.deepEqual(inputsOf(GITHUB_TYPES.envSecret, `github-env-secret-${s.name}`), {
            repository: "shop",
            environment: "production",
            secretName: s.name,
            value: "[secret]",
          });
        }
      }
    });

    it("no secret value of the config appears in the preview output", () => {
      const out = preview.stdout + preview.stderr;
      assert.ok(secretValues.length >= 6);
      for (const value of secretValues) {
        for (const part of value.split("\n").filter((l) => l.length >= 16)) {
          assert.equal(out.includes(part), false, "a secret value appears in the preview output");
        }
      }
    });

    it("never connected to the server", () => {
      assert.equal(connections, 0);
    });
  },
);
