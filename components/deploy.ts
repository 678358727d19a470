import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { DeployConfig } from "./config";
import { ComposeStack } from "./compose/compose-stack";
import { renderEnvFile } from "./compose/env-file";
import { migrationFileHashes } from "./compose/migration-files";
import {
  executableFiles,
  fileHashes,
  releaseId as computeReleaseId,
  sha256,
  sortReleaseFiles,
} from "./compose/release";
import { describeRelease } from "./compose/release-summary";
import { deployRecord, settingDigests } from "./compose/deploy-record";
import { renderDeployPlan, type MigrationsToApply } from "./compose/deploy-plan";
import { appServiceRestarts, planDeploySteps } from "./compose/steps";
import { previousDeploy } from "./previous-deploy";
import { stageRelease } from "./compose/staging";
import { GitHubWorkflow } from "./github";
import { Server } from "./server/server";

/** Local, git-ignored directory of content-addressed release copies (what gets uploaded). */
export const STAGING_DIR = ".pulumi-release";

/** Builds the resources of one deploy from validated config. */
export function deployRelease(
  config: DeployConfig,
  options: { migrationsToApply?: MigrationsToApply } = {},
) {
  // Needed on the server to build and run, even if .dockerignore leaves them out of the image.
  const keep = [config.composeFile, join(config.webBuild.context, config.webBuild.dockerfile)].map(
    (p) => posix.normalize(p),
  );
  const releaseId = computeReleaseId(config.projectDir, keep);
  const stagedReleaseDir = stageRelease(config.projectDir, releaseId, STAGING_DIR, keep);
  const files = sortReleaseFiles(config.projectDir, keep);
  pulumi.log.info(describeRelease(releaseId, config.projectDir, files));

  const server = new Server("server", {
    host: config.host,
    port: config.port,
    user: config.user,
    hostKey: config.hostKey,
    dialErrorLimit: config.dialErrorLimit,
    dialTimeoutSeconds: config.dialTimeoutSeconds,
    remoteDir: config.remoteDir,
  });

  const registry = config.image ? pushWebImage(config, releaseId) : undefined;

  const envFile = config.secretEnv.apply((secretEnv) =>
    renderEnvFile({
      ...config.env,
      ...secretEnv,
      ...(registry ? { APP_IMAGE: registry.repository } : {}),
      APP_RELEASE: releaseId,
      COMPOSE_PROJECT_NAME: config.composeProject,
    }),
  );

  const stackArgs = {
    server,
    target: {
      remoteDir: config.remoteDir,
      releaseId,
      composeFile: config.composeFile,
      composeProject: config.composeProject,
      dockerEnv: config.dockerEnv,
    },
    stagedReleaseDir,
    envFile: pulumi.secret(envFile),
    envDigest: config.envDigest,
    registryMode: registry !== undefined,
    registry,
    infraServices: config.infraServices,
    webService: config.webService,
    workerServices: config.workerServices,
    rollingWorkers: config.rollingWorkers,
    singletonWorkers: config.singletonWorkers,
    proxy: config.proxy,
    buildServices: config.buildServices,
    executableFiles: executableFiles(config.projectDir, keep),
    migrations: migrationFileHashes(config.projectDir),
    composeFileHash: sha256(
      readFileSync(join(config.projectDir, config.composeFile), "utf8"),
    ).slice(0, 12),
    infraDefinitionHash: config.infraDigest,
    backup: {
      enabled: config.backupBeforeMigrate,
      service: config.backupService,
      keep: config.keepBackups,
    },
    collectstatic: config.collectstatic,
    waitTimeoutSeconds: config.waitTimeoutSeconds,
    stopGraceSeconds: config.stopGraceSeconds,
    keepReleases: config.keepReleases,
  };
  const app = new ComposeStack("app", stackArgs);

  // The record is built from the same plan the resources are, with the secret digests resolved.
  const record = pulumi
    .all([config.envDigest, config.infraDigest, config.secretEnv])
    .apply(([envDigest, infraDefinitionHash, secretEnv]) =>
      deployRecord(
        planDeploySteps({
          ...stackArgs,
          serverAddress: server.address,
          envDigest,
          infraDefinitionHash,
        }),
        {
          release: releaseId,
          files: fileHashes(config.projectDir, files.shipped),
          migrations: stackArgs.migrations,
          settings: settingDigests({ ...config.env, ...secretEnv }),
        },
      ),
    );
  pulumi.all([previousDeploy(), record]).apply(([previous, next]) =>
    pulumi.log.info(
      renderDeployPlan({
        next,
        previous: previous.record,
        legacy: previous.legacy,
        restarts: appServiceRestarts(config),
        infraServices: config.infraServices,
        backupEnabled: config.backupBeforeMigrate,
        migrationsToApply: options.migrationsToApply,
      }),
    ),
  );

  const workflow = config.github ? new GitHubWorkflow("github", config.github) : undefined;

  // Kept only once every step succeeded: a failed deploy leaves the last good record in place.
  const finishedRecord = pulumi.secret(pulumi.all([app.finished, record]).apply(([, r]) => r));
  return { server, app, workflow, image: registry?.digestRef, record: finishedRecord };
}

/**
 * Registry mode: build the web image here (CI or laptop) with @pulumi/docker and push it; the
 * server then pulls exactly that digest instead of building, and never needs the source's
 * build dependencies.
 */
function pushWebImage(config: DeployConfig, releaseId: string) {
  const image = config.image!;
  const repository = `${image.registry}/${image.repository}`;
  const localTag = `${repository}:${releaseId}`;
  const pushed = new docker.Image("web-image", {
    imageName: localTag,
    build: {
      context: join(config.projectDir, config.webBuild.context),
      dockerfile: join(config.projectDir, config.webBuild.context, config.webBuild.dockerfile),
      platform: image.platform,
      args: image.buildArgs,
    },
    registry: {
      server: image.registry,
      username: image.username,
      password: config.imageRegistryPassword!,
    },
  });
  return {
    repository,
    server: image.registry,
    username: image.username,
    password: config.imageRegistryPassword!,
    digestRef: pushed.repoDigest,
    localTag,
  };
}
