import * as pulumi from "@pulumi/pulumi";
import { asDeployRecord, type DeployRecord } from "./compose/deploy-record";
import type { LegacyDeploy } from "./compose/deploy-plan";

/** The stack output that carries a deploy's record to the next preview and up. */
export const DEPLOY_RECORD_OUTPUT = "deployRecord";

/**
 * The last completed deploy's record, read back from this stack's own outputs: the backend
 * already holds it, a preview needs no SSH for it, and the PR job reads it with the credentials
 * its preview already has. Through the engine's stack-reference function rather than a
 * StackReference resource, whose read would print every output again in `preview --diff`.
 * No record before the first deploy; a deploy by an older version left only its release id.
 */
export async function previousDeploy(): Promise<{ record?: DeployRecord; legacy?: LegacyDeploy }> {
  const name = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const read = (await pulumi.runtime.invoke("pulumi:pulumi:readStackOutputs", { name })) as {
    outputs?: Record<string, unknown>;
  };
  const outputs = read.outputs ?? {};
  const { releaseId, migrationsInRelease } = outputs;
  return {
    record: asDeployRecord(outputs[DEPLOY_RECORD_OUTPUT]),
    legacy:
      typeof releaseId === "string"
        ? {
            release: releaseId,
            migrations: Array.isArray(migrationsInRelease) ? migrationsInRelease.map(String) : [],
          }
        : undefined,
  };
}
