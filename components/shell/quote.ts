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

/** `<check> || { echo <message> >&2; exit 1; }`: a precondition with a message that says the fix. */
export function orFail(check: string, message: string): string {
  return `${check} || { ${argv("echo", message)} >&2; exit 1; }`;
}
