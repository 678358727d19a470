// The state an earlier version (SSH key in stack config) would have left, made from a current
// one: the key back in every step's connection and the key-based settings digest in the triggers.
// It is what `npm run move-ssh-key` has to undo.
import {
  SECRET_SIG,
  SECRET_SIG_KEY,
  type ExportedStack,
} from "../../scripts/lib/move-ssh-key-state";

type Json = unknown;

const isSecret = (v: Json): v is Record<string, string> =>
  typeof v === "object" &&
  v !== null &&
  (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
const reveal = (v: Record<string, string>): Json => JSON.parse(v.plaintext) as Json;
const wrap = (v: Json) => ({ [SECRET_SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify(v) });

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
        next.connection = wrap({ ...(reveal(next.connection) as object), privateKey });
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
