import { setTimeout as sleep } from "node:timers/promises";
import * as pulumi from "@pulumi/pulumi";
import { asDeployRecord, type DeployRecord } from "./compose/deploy-record";
import type { LegacyDeploy } from "./compose/deploy-plan";

/** The stack output that carries a deploy's record to the next preview and up. */
export const DEPLOY_RECORD_OUTPUT = "deployRecord";

let lastOutputs: Promise<Record<string, unknown>> | undefined;

/**
 * This stack's outputs as the last completed deploy left them: the backend already holds them, a
 * preview needs no SSH for them, and the PR job reads them with the credentials its preview
 * already has. Through the engine's stack-reference function rather than a StackReference
 * resource, whose read would print every output again in `preview --diff`. Read once per run.
 */
export function readLastOutputs(): Promise<Record<string, unknown>> {
  lastOutputs ??= (async () => {
    const name = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    for (let attempt = 1; ; attempt++) {
      try {
        const read = (await pulumi.runtime.invoke("pulumi:pulumi:readStackOutputs", { name })) as {
          outputs?: Record<string, unknown>;
        };
        return read.outputs ?? {};
      } catch (err) {
        // During `up` the engine rewrites this very checkpoint as steps finish; with a file
        // backend a read can meet it half written ("failed to load checkpoint: EOF"). Seen in e2e.
        if (attempt >= READ_ATTEMPTS) {
          throw new Error(
            `Could not read this stack's last outputs from the backend after ${READ_ATTEMPTS} attempts ` +
              `(the deploy plan and the database-change check need them): ${String(err)}. ` +
              "Nothing was changed; run the command again.",
          );
        }
        await sleep(READ_RETRY_MS);
      }
    }
  })();
  return lastOutputs;
}

const READ_ATTEMPTS = 20;
const READ_RETRY_MS = 250;

/**
 * The last completed deploy's record. No record before the first deploy; a deploy by an older
 * version left only its release id.
 */
export async function previousDeploy(): Promise<{ record?: DeployRecord; legacy?: LegacyDeploy }> {
  const outputs = await readLastOutputs();
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
