import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./components/config";
import { agentProblem } from "./components/server/agent";
import { currentHolder, holdDeployLock } from "./components/server/deploy-lock-client";
import { checkMigrationGraph } from "./components/migration-gate";
import { deployRelease } from "./components/deploy";

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
  // An update holds the server's deploy lock from before its first step until the program ends
  // (success, failure or kill): a second deploy to this remoteDir, from any stack or backend, is
  // refused meanwhile. A preview changes nothing and takes no lock.
  if (!dryRun) {
    await holdDeployLock(config, config.remoteDir, currentHolder(config.stack));
  }
  const deployed = deployRelease(config);

  // Optional features export their outputs only when on, so previews carry no empty outputs.
  return {
    server: deployed.server.address,
    releaseId: deployed.app.releaseId,
    appServices: deployed.app.appServices,
    migrationsInRelease: deployed.app.migrationsInRelease,
    migrationsApplied: deployed.app.appliedMigrations,
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
