import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./components/config";
import { agentProblem } from "./components/server/agent";
import { checkMigrationGraph } from "./components/migration-gate";
import { deployRelease } from "./components/deploy";

const config = loadConfig();
const noAgent = agentProblem(process.env, pulumi.runtime.isDryRun());
if (noAgent) throw new Error(noAgent);
if (config.checkMigrations) {
  const report = checkMigrationGraph(config.projectDir, {
    failOnWarnings: config.failOnMigrationWarnings,
  });
  for (const warning of report.warnings) pulumi.log.warn(warning.message);
}
const deployed = deployRelease(config);

// Optional features export their outputs only when on, so previews carry no empty outputs.
export = {
  server: deployed.server.address,
  releaseId: deployed.app.releaseId,
  appServices: deployed.app.appServices,
  migrationsInRelease: deployed.app.migrationsInRelease,
  migrationsApplied: deployed.app.appliedMigrations,
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
