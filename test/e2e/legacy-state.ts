// The state an earlier version (SSH key in stack config) would have left, made from a current
// one: the key back in every step's connection and the key-based settings digest in the triggers.
// It is what `npm run move-ssh-key` has to undo.
import {
  isSecret,
  reveal,
  secretOf,
  type ExportedStack,
  type Json,
} from "../../scripts/lib/move-ssh-key-state";

export function legacyStateOf(
  stack: ExportedStack,
  privateKey: string,
  digests: { legacy: string; current: string },
): { stack: ExportedStack; digests: number } {
  let replaced = 0;
  const resources = (stack.deployment.resources ?? []).map((r) => {
    if (!r.type.startsWith("command:remote:")) return r;
    const rewrite = (props: Record<string, Json> | undefined) => {
      if (!props) return props;
      const next = { ...props };
      if (isSecret(next.connection)) {
        next.connection = secretOf({
          ...(reveal(next.connection) as { [key: string]: Json }),
          privateKey,
        });
      }
      // The engine keeps the digest entry secret; earlier versions passed it in the clear.
      const isDigest = (t: Json) => isSecret(t) && reveal(t) === digests.current;
      if (Array.isArray(next.triggers) && next.triggers.some(isDigest)) {
        replaced += 1;
        next.triggers = next.triggers.map((t: Json) => (isDigest(t) ? digests.legacy : t));
      }
      return next as typeof props;
    };
    return {
      ...r,
      inputs: rewrite(r.inputs) as typeof r.inputs,
      outputs: rewrite(r.outputs) as typeof r.outputs,
    };
  });
  return { stack: { ...stack, deployment: { ...stack.deployment, resources } }, digests: replaced };
}
