// Which files count as valid Python 3 (CPython 3.14 grammar): lezer's error nodes plus the
// lexical and grammar rules lezer does not enforce.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePython } from "../../../components/migrations/python-syntax";

const valid: Array<[string, string]> = [
  [
    "PEP 758 except without parentheses",
    "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
  ],
  [
    "PEP 758 except* without parentheses",
    "try:\n    pass\nexcept* ValueError, TypeError:\n    pass\n",
  ],
  ["parenthesized except with as", "try:\n    pass\nexcept (A, B) as e:\n    pass\n"],
  ["empty file", ""],
  ["comments only", "# nothing here\n\n# still nothing\n"],
  ["float with trailing dot", "x = 5.\ny = 1.e3 + .5 + 1_000 + 0x_ff + 0o17 + 0b1 + 3j + 00\n"],
  ["t-string (PEP 750)", "x = t'hello {name}'\n"],
  ["f-string reusing its quotes (PEP 701)", 'x = f"{a["b"]}"\n'],
  ["raw f-string with backslash before a field", 'x = rf"C:\\{path}"\n'],
  ["bare yield", "def f():\n    yield\n    x = (yield)\n"],
  ["match statement", "match x:\n    case [1, 2]:\n        pass\n    case _:\n        pass\n"],
  ["walrus, lambda, star args", "if (n := f(*a, k=1, **kw)) > 1:\n    g = lambda *a, **k: 0\n"],
  ["backslash continuation", "x = 'a' \\\n    'b'\n"],
  ["tabs used consistently", "if x:\n\ty = 1\n"],
  ["CRLF line endings", "x = 1\r\nif x:\r\n    y = 2\r\n"],
  ["no trailing newline", "x = 1"],
  [
    "with targets lezer lacks: attribute, tuple, subscript",
    "with a as self.x:\n    pass\nwith b as (c, d), e as f[0]:\n    pass\n",
  ],
  [
    "parenthesized with items (3.9+, as black writes them)",
    "def f():\n    with (\n        open(a) as f,\n        open(b) as g,\n    ):\n        pass\n    async with (x as y):\n        pass\n",
  ],
  ["type parameters and type alias", "def f[T](x: T) -> T:\n    return x\ntype X = int\n"],
];

const invalid: Array<[string, string, { message: string; line: number }]> = [
  [
    "Python 2 print statement",
    "print 'hello'\n",
    { message: "Missing parentheses in call to 'print'. Did you mean print(...)?", line: 1 },
  ],
  [
    "except A, B as e needs parentheses",
    "try:\n    pass\nexcept A, B as e:\n    pass\n",
    { message: "invalid syntax", line: 3 },
  ],
  ["unterminated string", "x = 'abc\ny = 2\n", { message: "unterminated string literal", line: 1 }],
  [
    "unterminated triple-quoted string",
    'x = """abc\n',
    { message: "unterminated triple-quoted string literal", line: 1 },
  ],
  [
    "unclosed bracket",
    "dependencies = [\n    ('a', 'b'),\n",
    { message: "'[' was never closed", line: 1 },
  ],
  [
    "mismatched bracket",
    "x = (1]\n",
    { message: "closing parenthesis ']' does not match opening parenthesis '('", line: 1 },
  ],
  ["unexpected indent", "x = 1\n    y = 2\n", { message: "unexpected indent", line: 2 }],
  [
    "missing indented block",
    "class A:\npass\n",
    { message: "expected an indented block", line: 2 },
  ],
  [
    "dedent to unknown level",
    "if x:\n    a = 1\n  b = 2\n",
    { message: "unindent does not match any outer indentation level", line: 3 },
  ],
  [
    "tabs and spaces mixed",
    "if x:\n\ta = 1\n        b = 2\n",
    { message: "inconsistent use of tabs and spaces in indentation", line: 3 },
  ],
  [
    "octal without 0o",
    "x = 0777\n",
    {
      message:
        "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
      line: 1,
    },
  ],
  [
    "<> operator",
    "if a <> b:\n    pass\n",
    { message: "invalid syntax: '<>' is not an operator in Python 3; use '!='", line: 1 },
  ],
  ["backtick", "x = `1`\n", { message: "invalid character '`' (U+0060)", line: 1 }],
  [
    "Python 2 raise",
    "raise E, 'msg'\n",
    { message: "invalid syntax: Python 2 `raise E, value`", line: 1 },
  ],
  ["Python 2 exec", "exec 'code'\n", { message: "invalid syntax", line: 1 }],
  ["ur prefix", "x = ur'abc'\n", { message: "invalid string prefix 'ur'", line: 1 }],
  ["assignment to a literal", "1 = x\n", { message: "cannot assign to literal", line: 1 }],
  ["assignment to a call", "f() = 1\n", { message: "cannot assign to function call", line: 1 }],
  [
    "positional after keyword argument",
    "f(a=1, b)\n",
    { message: "positional argument follows keyword argument", line: 1 },
  ],
  [
    "non-default after default parameter",
    "def f(a=1, b):\n    pass\n",
    { message: "parameter without a default follows parameter with a default", line: 1 },
  ],
  [
    "missing colon",
    "class Migration(migrations.Migration)\n    pass\n",
    { message: "invalid syntax", line: 1 },
  ],
  [
    "git conflict markers",
    "<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> branch\n",
    { message: "invalid syntax", line: 1 },
  ],
  [
    "smart quotes",
    "x = \u2018a\u2019\n",
    { message: "invalid character '\u2018' (U+2018)", line: 1 },
  ],
  ["null byte", "x = 1\0\n", { message: "source code cannot contain null bytes", line: 1 }],
  [
    "with target that is a literal",
    "with a as 1:\n    pass\n",
    { message: "invalid syntax", line: 1 },
  ],
  ["dangling operator", "x = 1 +\n", { message: "invalid syntax", line: 1 }],
  [
    "trailing colon at end of file",
    "if x:\n",
    { message: "expected an indented block at end of file", line: 2 },
  ],
];

for (const [name, src] of valid) {
  test(`valid: ${name}`, () => {
    assert.equal(parsePython(src).problem, undefined);
  });
}

for (const [name, src, expected] of invalid) {
  test(`invalid: ${name}`, () => {
    const { problem } = parsePython(src);
    assert.deepEqual(problem && { message: problem.message, line: problem.line }, expected);
  });
}
