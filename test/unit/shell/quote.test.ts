import assert from "node:assert/strict";
import { after, describe, it } from "node:test";

import { and, argv, orFail } from "../../../components/shell/quote";
import { HOSTILE, makeSandbox } from "./sandbox";

describe("argv", () => {
  const cases: [string, string[], string][] = [
    ["plain words stay bare", ["docker", "compose", "ps"], "docker compose ps"],
    ["an empty word is kept as ''", ["echo", ""], "echo ''"],
    ["spaces: single quotes", ["a b"], "'a b'"],
    ["a double quote: single quotes", ['say "hi"'], `'say "hi"'`],
    [
      "a single quote with a space: double quotes, $ and ` escaped",
      ["it's $HOME `x`"],
      '"it\'s \\$HOME \\`x\\`"',
    ],
    ["a single quote and !: '\"'\"' splicing", ["it's!"], `'it'"'"'s!'`],
    ["$(...) without spaces: backslash-escaped", ["$(id)"], "\\$\\(id\\)"],
    ["operators and globs: backslash-escaped", [";&&|*?[a]"], "\\;\\&\\&\\|\\*\\?\\[a\\]"],
    ["a newline: single quotes", ["a\nb"], "'a\nb'"],
    ["a backslash: single quotes", ["a\\b"], "'a\\b'"],
  ];
  for (const [name, words, expected] of cases) {
    it(name, () => assert.equal(argv(...words), expected));
  }

  it("refuses a NUL byte, naming the argument", () => {
    assert.throws(() => argv("ok", "a\0b"), {
      message: 'A shell argument cannot contain a NUL byte: "a\\u0000b"',
    });
  });
});

describe("and / orFail", () => {
  it("and joins with &&", () => assert.equal(and("a", "b c", "d"), "a && b c && d"));
  it("orFail prints the quoted message with printf to stderr and exits 1", () => {
    assert.equal(
      orFail("test -d /x", "no dir; fix: mkdir /x"),
      "test -d /x || { printf '%s\\n' 'no dir; fix: mkdir /x' >&2; exit 1; }",
    );
  });
});

describe("argv under a real /bin/sh", () => {
  const box = makeSandbox();
  after(() => box.cleanup());

  it("delivers every hostile word as exactly one argument and executes none of it", () => {
    const words = [HOSTILE, "it's!", "", "a\\", "-n", "$HOME", "*", "x\ny", "\t", "'", '"'];
    const result = box.run(argv("docker", ...words));
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(
      box.calls().map((c) => c.argv),
      [words],
    );
    assert.deepEqual(box.canaries(), []);
  });

  it("orFail's message reaches stderr intact and the exit status is 1", () => {
    const result = box.run(orFail("false", HOSTILE));
    assert.equal(result.status, 1);
    assert.equal(result.stderr, `${HOSTILE}\n`);
    assert.deepEqual(box.canaries(), []);
  });
});
