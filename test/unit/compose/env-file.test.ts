import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { renderEnvFile } from "../../../components/compose/env-file";

const HEADER = "# Written by pulumi up; changes here are overwritten by the next deploy.";

describe("renderEnvFile", () => {
  it("an empty map is just the header", () => {
    assert.equal(renderEnvFile({}), `${HEADER}\n`);
  });

  it("sorts names (code-unit order), single-quotes values, ends with a newline", () => {
    assert.equal(
      renderEnvFile({
        b_lower: "1",
        DJANGO_ALLOWED_HOSTS: "example.com,www.example.com",
        _UNDERSCORE: "",
        APP_RELEASE: "0123456789ab",
      }),
      `${HEADER}\nAPP_RELEASE='0123456789ab'\nDJANGO_ALLOWED_HOSTS='example.com,www.example.com'\n_UNDERSCORE=''\nb_lower='1'\n`,
    );
  });

  it("keeps $, $(...), backticks, double quotes, spaces, # and newlines literally", () => {
    assert.equal(
      renderEnvFile({ V: 'p@ss $HOME $(id) `id` "dq" #not-a-comment\nline2 \\n' }),
      `${HEADER}\nV='p@ss $HOME $(id) \`id\` "dq" #not-a-comment\nline2 \\n'\n`,
    );
  });

  it("the same settings in any insertion order give the same bytes", () => {
    assert.equal(renderEnvFile({ A: "1", B: "2" }), renderEnvFile({ B: "2", A: "1" }));
  });

  const rejected: [string, Record<string, string>, string][] = [
    [
      "a name with a dash",
      { "BAD-NAME": "x" },
      'Environment variable name "BAD-NAME" is not valid in a .env file.',
    ],
    [
      "a name starting with a digit",
      { "1X": "x" },
      'Environment variable name "1X" is not valid in a .env file.',
    ],
    ["an empty name", { "": "x" }, 'Environment variable name "" is not valid in a .env file.'],
    [
      "a name with a newline",
      { "A\nB": "x" },
      'Environment variable name "A\\nB" is not valid in a .env file.',
    ],
    [
      "a value with a single quote",
      { PASSWORD: "it's" },
      "Environment variable PASSWORD must be a value without single quotes (compose's .env cannot carry them safely).",
    ],
    [
      "a value ending with a backslash",
      { PATHISH: "C:\\dir\\" },
      "Environment variable PATHISH must be a value that does not end with a backslash (compose's .env would misread it).",
    ],
    [
      "a value with a NUL byte",
      { NUL: "a\0b" },
      "Environment variable NUL must be a value without NUL bytes.",
    ],
  ];
  for (const [name, vars, message] of rejected) {
    it(`rejects ${name}`, () => assert.throws(() => renderEnvFile(vars), { message }));
  }

  it("a rejected value is not quoted in the error (it may be a secret)", () => {
    assert.throws(
      () => renderEnvFile({ DJANGO_SECRET_KEY: "SENTINEL'secret" }),
      (err: Error) => !err.message.includes("SENTINEL"),
    );
  });
});
