import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./components/config";
import { agentProblem } from "./components/server/agent";
import { currentHolder, holdDeployLock } from "./components/server/deploy-lock-client";
import { checkMigrationGraph } from "./components/migration-gate";
import { deployRelease } from "./components/deploy";
import {
  announceMigrationsToApply,
  liveMigrationCheck,
  type MigrationsToApply,
} from "./components/live-migrations";
import { DEPLOY_RECORD_OUTPUT, readLastOutputs } from "./components/previous-deploy";
import { LACKING_IN_DATABASE } from "./components/compose/deploy-plan";
import { databaseChangeProblem } from "./components/compose/database-identity";

export = async () => {
  const config = loadConfig();
  const dryRun = pulumi.runtime.isDryRun();
  const noAgent = agentProblem(process.env, dryRun);
  if (noAgent) throw new Error(noAgent);
  if (config.checkMigrations) {
    const report = checkMigrationGraph(config.projectDir, {
      failOnWarnings: config.failOnMigrationWarnings,
    });
    for (const warning of report.warnings) pulumi.log.warn(warning.message);
  }
  // The last deploy's database identity, from this stack's own outputs: a Postgres major or data
  // volume change is refused here, in preview too, before anything is registered.
  const problem = databaseChangeProblem(
    (await readLastOutputs()).database,
    config.database,
    config.allowDatabaseChange,
  );
  if (problem) throw new Error(problem);
  // An update holds the server's deploy lock from before its first step until the program ends
  // (success, failure or kill): a second deploy to this remoteDir, from any stack or backend, is
  // refused meanwhile. A preview changes nothing and takes no lock.
  if (!dryRun) {
    await holdDeployLock(config, config.remoteDir, currentHolder(config.stack));
  }
  // Read after taking the lock, so no other deploy migrates between this read and our migrate.
  const toApply: MigrationsToApply | undefined =
    config.checkMigrations && config.liveMigrationCheck
      ? await liveMigrationCheck(config)
      : undefined;
  if (toApply) {
    const { severity, text } = announceMigrationsToApply(toApply);
    pulumi.log[severity](text);
  }
  const deployed = deployRelease(config, {
    migrationsToApply: toApply?.known
      ? { names: toApply.migrations, source: LACKING_IN_DATABASE }
      : undefined,
  });

  // Optional features export their outputs only when on, so previews carry no empty outputs.
  return {
    server: deployed.server.address,
    releaseId: deployed.app.releaseId,
    appServices: deployed.app.appServices,
    migrationsInRelease: deployed.app.migrationsInRelease,
    migrationsApplied: deployed.app.appliedMigrations,
    ...(toApply?.known ? { migrationsToApply: toApply.migrations } : {}),
    [DEPLOY_RECORD_OUTPUT]: deployed.record,
    ...(config.database ? { database: config.database } : {}),
    // Read by `ops rollback` and `ops restore`, which switch releases the way the deploy does.
    switchSpec: deployed.app.switchSpec,
    ...(deployed.workflow
      ? {
          workflowFile: deployed.workflow.workflowPath,
          githubSecretsToSetByHand: deployed.workflow.secretsToSetByHand.map(
            (s) => `${s.command}   # ${s.holds}`,
          ),
        }
      : {}),
    ...(deployed.image ? { webImage: deployed.image } : {}),
  };
};
