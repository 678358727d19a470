import {
  backupCommand,
  preInfraBackupCommand,
  buildCommand,
  collectstaticCommand,
  type ComposeTarget,
  djangoCheckCommand,
  infraUpCommand,
  migrateCommand,
  pruneReleasesCommand,
  prepareReleaseCommand,
} from "./commands";
import type { ProxySpec } from "./proxy";
import { switchReleaseCommand, switchSpecOf } from "./switch";

export type StepId =
  | "upload"
  | "env"
  | "infra-backup"
  | "infra"
  | "build"
  | "pull"
  | "check"
  | "backup"
  | "migrate"
  | "collectstatic"
  | "start"
  | "prune";

/**
 * One remote step of a deploy. `triggers` are what make it run again (a change replaces the
 * resource, which re-runs `command`); with unchanged triggers a `pulumi up` runs nothing.
 */
export interface DeployStep {
  id: StepId;
  /** The upload is a file copy; everything else is a shell command. */
  kind: "copy" | "command";
  /** The copy's source: the release whose staged files it uploads. */
  source?: string;
  command?: string;
  /**
   * What runs when an input other than a trigger changes (the command text, the connection):
   * by default the command again; "true" for a step that must run only when its triggers change.
   */
  update?: string;
  /** The step reads a secret on stdin (never on a command line): the .env or the registry password. */
  stdin?: "envFile" | "registryPassword";
  /** Registry mode's pull: its command is pullImageCommand of the pushed digest, known after the push. */
  needsImageDigest?: true;
  dependsOn: StepId[];
  triggers: unknown[];
}

/**
 * What makes a step run again, as one value to compare across deploys: its triggers, and its
 * command unless a changed command only updates it to a no-op. (The env step also runs again for
 * new settings on its stdin; those show in the env digest of the steps after it.)
 */
export function runKey(step: DeployStep): unknown[] {
  if (step.kind === "copy") return [step.source ?? null, ...step.triggers];
  return step.update === "true" ? step.triggers : [step.command ?? null, ...step.triggers];
}

export interface DeployPlanInput {
  target: ComposeTarget;
  /**
   * user@host:port of the server. The upload is re-copied only when its files or path change, so
   * a new server must be a new upload.
   */
  serverAddress: string;
  infraServices: string[];
  webService: string;
  workerServices: string[];
  /** Workers started beside their old container (they have a healthcheck). */
  rollingWorkers: string[];
  /** Workers stopped before their successor starts (celery beat). */
  singletonWorkers: string[];
  /** The proxy in front of the web: the ports it publishes, the per-release static root. */
  proxy: ProxySpec;
  /** Services with `build:` in the compose file. */
  buildServices: string[];
  /** Registry mode: the image is built and pushed where pulumi up runs; the server pulls it. */
  registryMode?: boolean;
  /** Release files (relative paths) that must be executable on the server. */
  executableFiles: string[];
  /** "label.name" -> content hash of the migration file, for every migration in the release. */
  migrations: Record<string, string>;
  composeFileHash: string;
  /**
   * Hash of the infra services' compose definitions, named volumes and the settings they use; a
   * secret Output in the program (it covers secret values), a string in tests.
   */
  infraDefinitionHash: unknown;
  /**
   * Digest of the .env content: changes when a setting changes. The program passes it as a secret
   * Output, so the state reveals nothing of secret values; the plan only places it in triggers.
   */
  envDigest: unknown;
  backup: { enabled: boolean; service: string; keep: number };
  collectstatic: boolean;
  waitTimeoutSeconds: number;
  stopGraceSeconds: number;
  keepReleases: number;
}

/**
 * The deploy as data: what runs, in which order, and what makes each step run again. The order is
 * the safety argument: nothing that serves traffic restarts before check, migrate and collectstatic
 * succeeded on the new image, and a failure stops every step after it.
 */
export function planDeploySteps(p: DeployPlanInput): DeployStep[] {
  // Every step after env reaches the release through the link env sets, so only triggers name it.
  const t: ComposeTarget = { ...p.target, throughLink: true };
  const release = t.releaseId;
  const steps: DeployStep[] = [];
  const add = (step: DeployStep) => steps.push(step);
  let last: StepId = "upload";
  const chain = (step: Omit<DeployStep, "dependsOn">) => {
    add({ ...step, dependsOn: [last] });
    last = step.id;
  };

  // A new release changes the upload's source, which updates it in place (the copy runs again; a
  // failed update keeps the old state, so a retry copies again). Only a new server is a trigger.
  add({ id: "upload", kind: "copy", source: release, dependsOn: [], triggers: [p.serverAddress] });
  chain({
    id: "env",
    kind: "command",
    command: prepareReleaseCommand(t, p.executableFiles),
    stdin: "envFile",
    // No trigger: a new release changes the command's first line (the link it sets) and new
    // settings its stdin, and either change updates it in place, which runs it again. A diff
    // then shows that one line, not a replace block around it.
    triggers: [],
  });
  if (
    p.infraServices.length > 0 &&
    p.backup.enabled &&
    p.infraServices.includes(p.backup.service)
  ) {
    chain({
      id: "infra-backup",
      kind: "command",
      command: preInfraBackupCommand(t, p.backup.service, p.backup.keep),
      // Only a change to the infra definitions (a Postgres upgrade, a renamed volume) dumps the
      // running database before it reaches it; a new release alone updates it to a no-op.
      triggers: [{ infra: p.infraDefinitionHash }],
      update: "true",
    });
  }
  if (p.infraServices.length > 0) {
    chain({
      id: "infra",
      kind: "command",
      command: infraUpCommand(t, p.infraServices, p.waitTimeoutSeconds),
      // Not the release: db and redis run no release code. The env digest: a changed db/redis
      // setting must reach those containers.
      triggers: [p.composeFileHash, p.envDigest],
    });
  }
  if (p.registryMode) {
    chain({
      id: "pull",
      kind: "command",
      stdin: "registryPassword",
      needsImageDigest: true,
      triggers: [release],
    });
  } else if (p.buildServices.length > 0) {
    chain({
      id: "build",
      kind: "command",
      command: buildCommand(t, p.buildServices),
      triggers: [release],
    });
  }
  chain({
    id: "check",
    kind: "command",
    command: djangoCheckCommand(t, p.webService),
    // The settings too: a settings-only change restarts the app, so it is checked first.
    triggers: [release, p.envDigest],
  });
  // collectstatic needs the new image and a passing check, not the migrations: it runs beside
  // backup and migrate (it writes into a directory of this release, which nothing serves yet).
  const checked = last;
  if (p.backup.enabled) {
    chain({
      id: "backup",
      kind: "command",
      command: backupCommand(t, p.backup.service, p.backup.keep),
      // The migrations alone, not the release: a code-only deploy has nothing new to migrate and
      // takes no dump. Should its command text change (a moved remoteDir), the update runs
      // nothing.
      triggers: [{ migrations: p.migrations }],
      update: "true",
    });
  }
  chain({
    id: "migrate",
    kind: "command",
    command: migrateCommand(t, p.webService),
    // Keyed by migration name, so `pulumi preview --diff` lists exactly the migrations added (or
    // edited) since the last deploy.
    triggers: [release, { migrations: p.migrations }],
  });
  const ready: StepId[] = [last];
  if (p.collectstatic) {
    add({
      id: "collectstatic",
      kind: "command",
      command: collectstaticCommand(t, p.webService, p.proxy.staticRoot),
      triggers: [release],
      dependsOn: [checked],
    });
    ready.push("collectstatic");
  }
  add({
    dependsOn: ready,
    id: "start",
    kind: "command",
    command: switchReleaseCommand(t, switchSpecOf(p)),
    triggers: [release, p.composeFileHash, p.envDigest],
  });
  last = "start";
  chain({
    id: "prune",
    kind: "command",
    command: pruneReleasesCommand(t, p.keepReleases),
    triggers: [release],
  });
  return steps;
}

/** How the start step brings each app service onto the new release: what the deploy plan says. */
export function appServiceRestarts(
  p: Pick<DeployPlanInput, "webService" | "rollingWorkers" | "singletonWorkers">,
): { service: string; how: string }[] {
  return [
    ...[p.webService, ...p.rollingWorkers].map((service) => ({
      service,
      how: "switch without downtime",
    })),
    // No healthcheck to gate a second one on (celery beat): never two at once.
    ...p.singletonWorkers.map((service) => ({ service, how: "stop, then start" })),
  ];
}
