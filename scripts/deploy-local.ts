// Deploys examples/django-app to this machine: a workspace outside the repo (state, stack file,
// sshd keys) that survives between runs, so running it again is an incremental deploy.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import {
  configureStack,
  createWorkspace,
  moveLegacyKey,
  startSshd,
  STACK,
  useAgent,
} from "./lib/local-stack";

const WEB_PORT = 18000;
const dir = process.env.DJANGO_DEPLOY_LOCAL_DIR ?? "/var/lib/django-deploy/local";

const ws = createWorkspace(dir, { copyExample: false });
// Reused keys and port keep the connection, and so every step's inputs, the same between runs.
const sshd = startSshd(join(dir, "sshd"), { reuse: true });
// The program signs in through an agent, as on a laptop; this one holds only the local key.
const agent = useAgent(ws, sshd);
configureStack(ws, sshd, {
  webPort: WEB_PORT,
  remoteDir: "/srv/django-example",
  composeProject: "django-example",
});

const moved = moveLegacyKey(ws);
if (moved) console.log(moved.stdout);

const up = spawnSync(
  "pulumi",
  ["up", "--yes", "--diff", "--stack", STACK, ...process.argv.slice(2)],
  {
    cwd: ws.dir,
    env: ws.env,
    stdio: "inherit",
  },
);
agent.stop();
if (up.status !== 0) {
  console.error(
    `pulumi up failed (exit ${up.status}); the previous release, if any, is still serving.`,
  );
  process.exit(up.status ?? 1);
}
console.log(
  `\nThe example app is deployed: http://127.0.0.1:${WEB_PORT}/ (health: http://127.0.0.1:${WEB_PORT}/healthz/)`,
);
console.log(`Workspace (state, stack config, sshd keys): ${dir}`);
console.log(
  `Run pulumi there yourself with: cd ${dir} && PULUMI_BACKEND_URL=file://${dir}/state PULUMI_CONFIG_PASSPHRASE_FILE=${dir}/passphrase pulumi stack output`,
);
console.log(
  `(pulumi up there signs in through an agent: eval "$(ssh-agent -s)" && ssh-add ${sshd.privateKeyFile})`,
);
