import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { agentProblem } from "../../../components/server/agent";

const exists = (live: string[]) => (path: string) => live.includes(path);

describe("agentProblem", () => {
  it("a preview needs no agent (it never connects)", () => {
    assert.equal(agentProblem({}, true, exists([])), undefined);
  });

  it("an up with a live agent socket may go on", () => {
    assert.equal(
      agentProblem({ SSH_AUTH_SOCK: "/tmp/a.sock" }, false, exists(["/tmp/a.sock"])),
      undefined,
    );
  });

  it("an up without SSH_AUTH_SOCK names the fix", () => {
    assert.equal(
      agentProblem({ SSH_AUTH_SOCK: "" }, false, exists([])),
      'SSH_AUTH_SOCK is not set, so the deploy has no SSH agent to sign in with. Fix: start an agent and add the deploy key: eval "$(ssh-agent -s)" && ssh-add ~/.ssh/deploy_key (the deploy workflow does this from its environment secret).',
    );
  });

  it("an up with a stale socket says so", () => {
    assert.match(
      agentProblem({ SSH_AUTH_SOCK: "/tmp/gone.sock" }, false, exists([])) ?? "",
      /^SSH_AUTH_SOCK points at "\/tmp\/gone.sock", which does not exist .* Fix: start an agent/,
    );
  });
});
