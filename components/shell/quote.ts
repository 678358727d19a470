import { quote } from "shell-quote";

/** One shell word list, every element quoted by shell-quote: the only way values reach a shell. */
export function argv(...words: string[]): string {
  for (const w of words) {
    if (w.includes("\0"))
      throw new Error(`A shell argument cannot contain a NUL byte: ${JSON.stringify(w)}`);
  }
  return quote(words);
}

/** Runs commands in order and stops at the first failure. */
export function and(...commands: string[]): string {
  return commands.join(" && ");
}

/**
 * `<check> || { printf '%s\n' <message> >&2; exit 1; }`: a precondition with a message that says
 * the fix. printf, not echo: dash's echo rewrites backslash sequences in the message.
 */
export function orFail(check: string, message: string): string {
  return `${check} || { ${argv("printf", "%s\\n", message)} >&2; exit 1; }`;
}
