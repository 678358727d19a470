import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { opsSettingsFrom, type OpsSettings } from "./settings";
import { UsageError } from "./names";

/**
 * Reads the stack's config and outputs through the Automation API, in the Pulumi project at
 * `workDir`, with the same backend and secrets provider as `pulumi` (its environment variables).
 */
export async function readStack(workDir: string, stackName?: string): Promise<OpsSettings> {
  const ws = await LocalWorkspace.create({ workDir });
  const project = (await ws.projectSettings()).name;
  const stack = stackName ?? (await ws.stack())?.name;
  if (!stack) {
    throw new UsageError(
      "No stack selected. Fix: pass --stack <name>, or run `pulumi stack select <name>` first.",
    );
  }
  const [config, outputs] = await Promise.all([ws.getAllConfig(stack), ws.stackOutputs(stack)]);
  return opsSettingsFrom(project, stack, config, outputs);
}
