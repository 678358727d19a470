import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import type { Server } from "../server/server";
import { releasesDir } from "../server/commands";
import { SECRET_COMMAND_OUTPUTS } from "../server/command-options";
import {
  composeDownCommand,
  type ComposeTarget,
  pullImageCommand,
  TEARDOWN_REGISTER,
} from "./commands";
import { type DeployPlanInput, type DeployStep, planDeploySteps, type StepId } from "./steps";
import { parseAppliedMigrations } from "./migrate-output";
import { type SwitchSpec, switchSpecOf } from "./switch";

export interface ComposeStackArgs extends Omit<DeployPlanInput, "target" | "serverAddress"> {
  server: Server;
  target: ComposeTarget;
  /** Local directory holding exactly the release's files, uploaded as releases/<releaseId>. */
  stagedReleaseDir: string;
  /** Full .env content; secret because it holds secret settings. */
  envFile: pulumi.Output<string>;
  /** Registry mode: where the pushed image is and how the server logs in to pull it. */
  registry?: {
    server: string;
    username: string;
    password: pulumi.Output<string>;
    digestRef: pulumi.Output<string>;
    localTag: string;
  };
}

/**
 * The compose project on the server, deployed release by release in the order planDeploySteps
 * gives: each step is one resource, ordered only through dependsOn.
 */
export class ComposeStack extends pulumi.ComponentResource {
  readonly releaseId: string;
  readonly appServices: string[];
  readonly migrationsInRelease: string[];
  /** What the last `migrate` that ran printed as applied ("label.name"). */
  readonly appliedMigrations: pulumi.Output<string[]>;
  readonly steps: DeployStep[];
  /** Known once the last step has run (or was already up to date). */
  readonly finished: pulumi.Output<unknown>;
  /** How this stack switches releases: the operations command's rollback switches the same way. */
  readonly switchSpec: SwitchSpec;

  constructor(name: string, args: ComposeStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("django-deploy:compose:ComposeStack", name, {}, opts);
    const { server, target } = args;
    this.releaseId = target.releaseId;
    this.appServices = [args.webService, ...args.workerServices];
    this.migrationsInRelease = Object.keys(args.migrations).sort();
    this.steps = planDeploySteps({ ...args, serverAddress: server.address });
    this.switchSpec = switchSpecOf(args);

    // Registered once and never replaced, so its delete (compose down, keeping volumes) runs only
    // on `pulumi destroy`, after the app services' resources are gone. Not keyed by remoteDir:
    // a replace would run the old delete, and compose down works by project name, so moving
    // remoteDir would take down the services the same update just started there. A move
    // updates it in place instead (its create is `true`), storing the new delete command.
    const { releaseId: _unused, ...stackTarget } = target;
    const teardown = new remote.Command(
      `${name}-teardown`,
      {
        connection: server.connection,
        create: TEARDOWN_REGISTER,
        delete: composeDownCommand(stackTarget),
        triggers: [target.composeProject],
        addPreviousOutputInEnv: false,
      },
      {
        parent: this,
        dependsOn: [server.bootstrap],
        additionalSecretOutputs: [...SECRET_COMMAND_OUTPUTS],
      },
    );

    const registry = args.registry;
    const created = new Map<StepId, pulumi.Resource>();
    for (const step of this.steps) {
      const dependsOn = [server.bootstrap, ...step.dependsOn.map((id) => created.get(id)!)];
      if (step.id === "start") dependsOn.push(teardown);
      const resourceOpts = { parent: this, dependsOn };
      if (step.needsImageDigest && !registry) {
        throw new Error(`Step ${step.id} needs the pushed image, but no registry was given.`);
      }
      const create =
        step.needsImageDigest && registry
          ? registry.digestRef.apply((digestRef) =>
              pullImageCommand({
                registry: registry.server,
                username: registry.username,
                digestRef,
                localTag: registry.localTag,
              }),
            )
          : step.command!;
      const stdin =
        step.stdin === "envFile"
          ? args.envFile
          : step.stdin === "registryPassword"
            ? registry?.password
            : undefined;
      const triggers =
        step.needsImageDigest && registry ? [...step.triggers, registry.digestRef] : step.triggers;
      const resource =
        step.kind === "copy"
          ? new remote.CopyToRemote(
              `${name}-${step.id}`,
              {
                connection: server.connection,
                source: new pulumi.asset.FileArchive(args.stagedReleaseDir),
                remotePath: releasesDir(target.remoteDir),
                triggers: step.triggers,
              },
              resourceOpts,
            )
          : new remote.Command(
              `${name}-${step.id}`,
              {
                connection: server.connection,
                create,
                update: step.update,
                stdin,
                triggers,
                addPreviousOutputInEnv: false,
              },
              { ...resourceOpts, additionalSecretOutputs: [...SECRET_COMMAND_OUTPUTS] },
            );
      created.set(step.id, resource);
    }

    const last = created.get(this.steps[this.steps.length - 1].id) as remote.Command;
    this.finished = last.stdout;
    const migrate = created.get("migrate") as remote.Command;
    // Only the names of the applied migrations are taken out of migrate's (secret) output.
    this.appliedMigrations = pulumi
      .unsecret(migrate.stdout)
      .apply((out) => parseAppliedMigrations(out ?? ""));
    this.registerOutputs({
      releaseId: this.releaseId,
      appServices: this.appServices,
      migrationsInRelease: this.migrationsInRelease,
      appliedMigrations: this.appliedMigrations,
      switchSpec: this.switchSpec,
    });
  }
}
