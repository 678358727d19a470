import { ENV_NAME, envValueProblem } from "../config-schema";

/**
 * Renders a compose .env: one `NAME='value'` per line, sorted so the same settings always give the
 * same bytes. Single quotes make compose take the value literally (no $ interpolation).
 */
export function renderEnvFile(vars: Record<string, string>): string {
  const lines = Object.keys(vars)
    .sort()
    .map((name) => {
      if (!ENV_NAME.test(name)) {
        throw new Error(
          `Environment variable name ${JSON.stringify(name)} is not valid in a .env file.`,
        );
      }
      const problem = envValueProblem(vars[name]);
      if (problem) throw new Error(`Environment variable ${name} must be ${problem}.`);
      return `${name}='${vars[name]}'`;
    });
  return [
    "# Written by pulumi up; changes here are overwritten by the next deploy.",
    ...lines,
    "",
  ].join("\n");
}
