import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./components/config";
import { agentProblem } from "./components/server/agent";
import { currentHolder, holdDeployLock } from "./components/server/deploy-lock-client";
import { checkMigrationGraph } from "./components/migration-gate";
import { deployRelease } from "./components/deploy";
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
  const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const previous = await new pulumi.StackReference("last-deploy", { name: self }).getOutputDetails(
    "database",
  );
  const problem = databaseChangeProblem(
    previous.value,
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
  const deployed = deployRelease(config);

  // Optional features export their outputs only when on, so previews carry no empty outputs.
  return {
    server: deployed.server.address,
    releaseId: deployed.app.releaseId,
    appServices: deployed.app.appServices,
    migrationsInRelease: deployed.app.migrationsInRelease,
    migrationsApplied: deployed.app.appliedMigrations,
    ...(config.database ? { database: config.database } : {}),
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
