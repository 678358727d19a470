export { ACTION_PINS, type PinnedAction } from "./actionPins";
export { validateBackend, type BackendArgs, type ValidatedBackend } from "./backend";
export { buildWorkflowModel } from "./buildWorkflowModel";
export { GitHubWorkflow, type GitHubWorkflowArgs } from "./gitHubWorkflow";
export { renderWorkflow } from "./renderWorkflow";
export { planSecrets, type PlannedSecret } from "./secretsPlan";
export {
  DEFAULT_PULUMI_VERSION,
  DEFAULT_TEST_COMMANDS,
  resolveSettings,
  type EnvironmentSettings,
  type GitHubWorkflowSettings,
} from "./settings";
export type { Workflow } from "./workflowModel";
