// Serializes a workflow model to the YAML committed to the repository.

import YAML, { isScalar, visit } from "yaml";

import { pinnedVersionOf } from "./actionPins";
import type { Workflow } from "./workflowModel";

export interface RenderOptions {
  /** Stack named in the header comment, so a reader knows where the file comes from. */
  stack?: string;
}

/** The workflow as YAML, with each pinned action's release as a comment beside its SHA. */
export function renderWorkflow(model: Workflow, options: RenderOptions = {}): string {
  const doc = new YAML.Document(model);
  const origin = options.stack ? ` (stack ${options.stack})` : "";
  doc.commentBefore =
    ` Managed by Pulumi${origin}: edits to this file are overwritten by the next \`pulumi up\`.\n` +
    " Change the GitHubWorkflow component's arguments instead.";
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === "uses" && isScalar(pair.value)) {
        const version = pinnedVersionOf(String(pair.value.value));
        if (version) pair.value.comment = ` ${version}`;
      }
    },
  });
  // Plain scalars would be folded at 80 columns by default; a folded `run:` line is harder to
  // read and to grep for.
  return doc.toString({ lineWidth: 0 });
}
