import { existsSync } from "node:fs";

const HOW_TO =
  'Fix: start an agent and add the deploy key: eval "$(ssh-agent -s)" && ssh-add ~/.ssh/deploy_key ' +
  "(the deploy workflow does this from its environment secret).";

/**
 * Why `pulumi up` cannot sign in to the server, or undefined when it can try. The connection holds
 * no key: the command provider asks the agent at SSH_AUTH_SOCK, and without one every step would
 * fail with a bare "unable to authenticate". Previews never connect, so they need no agent.
 */
export function agentProblem(
  env: Readonly<Record<string, string | undefined>>,
  dryRun: boolean,
  socketExists: (path: string) => boolean = existsSync,
): string | undefined {
  if (dryRun) return undefined;
  const socket = env.SSH_AUTH_SOCK;
  if (socket === undefined || socket === "") {
    return `SSH_AUTH_SOCK is not set, so the deploy has no SSH agent to sign in with. ${HOW_TO}`;
  }
  if (!socketExists(socket)) {
    return `SSH_AUTH_SOCK points at ${JSON.stringify(socket)}, which does not exist (an agent of a closed session?). ${HOW_TO}`;
  }
  return undefined;
}
