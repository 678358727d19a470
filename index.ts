import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./components/config";
import { checkMigrationGraph } from "./components/migration-gate";
import { deployRelease } from "./components/deploy";

const config = loadConfig();
if (config.checkMigrations) {
  const report = checkMigrationGraph(config.projectDir, {
    failOnWarnings: config.failOnMigrationWarnings,
  });
  for (const warning of report.warnings) pulumi.log.warn(warning.message);
}
const deployed = deployRelease(config);

export const server = deployed.server.address;
export const releaseId = deployed.app.releaseId;
export const appServices = deployed.app.appServices;
export const migrationsInRelease = deployed.app.migrationsInRelease;
export const migrationsApplied = deployed.app.appliedMigrations;
export const workflowFile = deployed.workflow?.workflowPath;
export const webImage = deployed.image;
