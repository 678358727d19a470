import { quote } from "shell-quote";

/**
 * Shell text a builder composed itself from quoted parts (a command substitution), passed through
 * as is: never built from a value that reaches it from outside.
 */
export class ShellRaw {
  constructor(readonly text: string) {}
}

export type ShellWord = string | ShellRaw;

/** One shell word list, every string quoted by shell-quote: the only way values reach a shell. */
export function argv(...words: ShellWord[]): string {
  return words
    .map((w) => {
      if (w instanceof ShellRaw) return w.text;
      if (w.includes("\0"))
        throw new Error(`A shell argument cannot contain a NUL byte: ${JSON.stringify(w)}`);
      return quote([w]);
    })
    .join(" ");
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
