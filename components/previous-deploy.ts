import * as pulumi from "@pulumi/pulumi";
import { asDeployRecord, type DeployRecord } from "./compose/deploy-record";

/** The stack output that carries a deploy's record to the next preview and up. */
export const DEPLOY_RECORD_OUTPUT = "deployRecord";

/**
 * The last completed deploy's record, read back from this stack's own outputs through a stack
 * reference: the backend already holds it, a preview needs no SSH for it, and the PR job can read
 * it with the credentials its preview already has. Undefined before the first deploy.
 */
export function previousDeployRecord(): pulumi.Output<DeployRecord | undefined> {
  const self = new pulumi.StackReference(
    `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
  );
  return self.getOutput(DEPLOY_RECORD_OUTPUT).apply(asDeployRecord);
}
