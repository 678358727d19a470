// Module-level names in dependencies (contract, "Reading a migration file"): a name bound once to
// a list/tuple literal, a concatenation or a 2-tuple of strings is resolved as Python would; any
// other name leaves the migration's edges unknown, with a note saying why and where.
import { test } from "node:test";
import assert from "node:assert/strict";
import { extractMigration } from "../../../components/migrations/extract";
import { parsePython } from "../../../components/migrations/python-syntax";

interface Read {
  dependencies: string[];
  runBefore: string[];
  replaces: string[];
  notes: Array<{ line: number; message: string }>;
}

function read(src: string): Read {
  const { tree, problem } = parsePython(src);
  assert.equal(problem, undefined, `fixture is not valid Python: ${JSON.stringify(problem)}`);
  const result = extractMigration(tree, src);
  assert.equal(result.kind, "class");
  if (result.kind !== "class") throw new Error("unreachable");
  const d = result.declaration;
  const keys = (refs: typeof d.dependencies) => refs.map((r) => `${r.label}.${r.name}@${r.line}`);
  return {
    dependencies: keys(d.dependencies),
    runBefore: keys(d.runBefore),
    replaces: keys(d.replaces),
    notes: result.notes,
  };
}

/** A migration module: `head` at module level (from line 2), then the class with `body`. */
function module(head: string, body: string): string {
  return `from django.db import migrations\n${head}\nclass Migration(migrations.Migration):\n${body}`;
}

const resolved: Array<[string, string, string, string[]]> = [
  [
    "dependencies = DEPS, a list constant",
    "DEPS = [('shop', '0001_initial'), ('auth', '0012_user')]\n",
    "    dependencies = DEPS\n",
    ["shop.0001_initial@2", "auth.0012_user@2"],
  ],
  [
    "a tuple constant, written over several lines",
    "DEPS = (\n    ('shop', '0001_initial'),\n    ('auth', '0012_user'),\n)\n",
    "    dependencies = DEPS\n",
    ["shop.0001_initial@3", "auth.0012_user@4"],
  ],
  [
    "BASE + [...], concatenation with a literal",
    "BASE = [('shop', '0001_initial')]\n",
    "    dependencies = BASE + [('auth', '0012_user')]\n",
    ["shop.0001_initial@2", "auth.0012_user@5"],
  ],
  [
    "a module-level tuple constant as an item",
    "USER = ('auth', '0012_user')\n",
    "    dependencies = [USER, ('shop', '0001_initial')]\n",
    ["auth.0012_user@2", "shop.0001_initial@5"],
  ],
  [
    "an implicit tuple constant (X = 'a', 'b') as an item",
    "USER = 'auth', '0012_user'\n",
    "    dependencies = [USER]\n",
    ["auth.0012_user@2"],
  ],
  [
    "a constant built from other constants, and a *spread",
    "BASE = [('shop', '0001_initial')]\nUSER = ('auth', '0012_user')\nDEPS = BASE + [USER]\nMORE = [*DEPS, ('pay', '0003_x')]\n",
    "    dependencies = MORE\n",
    ["shop.0001_initial@2", "auth.0012_user@3", "pay.0003_x@5"],
  ],
  [
    "dependencies += NAME in the class body, and an annotated constant",
    "EXTRA: list = [('auth', '0012_user')]\n",
    "    dependencies = [('shop', '0001_initial')]\n    dependencies += EXTRA\n",
    ["shop.0001_initial@5", "auth.0012_user@2"],
  ],
  [
    "a name read elsewhere (print(DEPS), len(DEPS)) is still bound once",
    "DEPS = [('shop', '0001_initial')]\nprint(len(DEPS))\n",
    "    dependencies = DEPS\n",
    ["shop.0001_initial@2"],
  ],
];

for (const [name, head, body, expected] of resolved) {
  test(`resolved: ${name}`, () => {
    const r = read(module(head, body));
    assert.deepEqual(r.notes, []);
    assert.deepEqual(r.dependencies, expected);
  });
}

test("resolved: run_before and replaces use the same rules", () => {
  const r = read(
    module(
      "LATER = [('pay', '0002_x')]\nOLD = (('shop', '0001'), ('shop', '0002'))\n",
      "    run_before = LATER\n    replaces = OLD\n",
    ),
  );
  assert.deepEqual(r.notes, []);
  assert.deepEqual(r.runBefore, ["pay.0002_x@2"]);
  assert.deepEqual(r.replaces, ["shop.0001@3", "shop.0002@3"]);
});

// [name, module-level head, class body, line of the note, the reason it gives]
const unreadable: Array<[string, string, string, number, RegExp]> = [
  [
    "a name bound twice",
    "DEPS = [('shop', '0001_initial')]\nDEPS = [('shop', '0002_x')]\n",
    "    dependencies = DEPS\n",
    6,
    /DEPS is bound more than once, at lines 2, 3/,
  ],
  [
    "a name bound inside if",
    "import sys\nif sys.version_info >= (3, 12):\n    DEPS = [('shop', '0001_initial')]\n",
    "    dependencies = DEPS\n",
    7,
    /DEPS is bound inside an if\/for\/while\/try\/with block, at line 4/,
  ],
  [
    "a name bound inside try",
    "try:\n    DEPS = [('shop', '0001_initial')]\nexcept ImportError:\n    pass\n",
    "    dependencies = DEPS\n",
    8,
    /DEPS is bound inside an if\/for\/while\/try\/with block, at line 3/,
  ],
  [
    "a name bound by a for loop",
    "for DEPS in ([('shop', '0001_initial')],):\n    pass\n",
    "    dependencies = DEPS\n",
    6,
    /DEPS is bound inside an if\/for\/while\/try\/with block, at line 2/,
  ],
  [
    "a name bound by an import",
    "from .common import DEPS\n",
    "    dependencies = DEPS\n",
    5,
    /DEPS is bound by an import, at line 2/,
  ],
  [
    "a name that may come from import *",
    "from .common import *\n",
    "    dependencies = DEPS\n",
    5,
    /DEPS may come from the `import \*` at line 2/,
  ],
  [
    "a name bound to a call",
    "DEPS = make_dependencies('shop')\n",
    "    dependencies = DEPS\n",
    5,
    /cannot be evaluated statically: DEPS is bound to make_dependencies\('shop'\), which is not a list/,
  ],
  [
    "a comprehension",
    "APPS = ['shop', 'pay']\n",
    "    dependencies = [(a, '0001_initial') for a in APPS]\n",
    5,
    /dependencies is not a list or tuple literal/,
  ],
  [
    "a name changed after it is bound (DEPS.append)",
    "DEPS = [('shop', '0001_initial')]\nDEPS.append(('shop', '0002_x'))\n",
    "    dependencies = DEPS\n",
    6,
    /DEPS is changed at line 3/,
  ],
  [
    "a name changed by += (bound twice)",
    "DEPS = [('shop', '0001_initial')]\nDEPS += [('shop', '0002_x')]\n",
    "    dependencies = DEPS\n",
    6,
    /DEPS is bound more than once, at lines 2, 3/,
  ],
  [
    "a name bound only after the class",
    "",
    "    dependencies = DEPS\nDEPS = [('shop', '0001_initial')]\n",
    4,
    /DEPS is bound only after it is used, at line 5/,
  ],
  [
    "a name the class body binds itself",
    "DEPS = [('shop', '0001_initial')]\n",
    "    DEPS = [('shop', '0002_x')]\n    dependencies = DEPS\n",
    6,
    /DEPS is also bound in the class body/,
  ],
  [
    "an item that is a name bound twice",
    "USER = ('auth', '0012_user')\nUSER = ('auth', '0013_user')\n",
    "    dependencies = [('shop', '0001_initial'), USER]\n",
    6,
    /an item of dependencies .* was ignored: USER, because USER is bound more than once/,
  ],
  [
    "a constant that doubles on every line (2^16 lookups) is given up on",
    "D0 = [('a', '1')]\n" +
      Array.from({ length: 16 }, (_, i) => `D${i + 1} = D${i} + D${i}\n`).join(""),
    "    dependencies = D16\n",
    21,
    /expands to too many items/,
  ],
  [
    "a name bound by unpacking",
    "DEPS, OTHER = [('shop', '0001_initial')], []\n",
    "    dependencies = DEPS\n",
    5,
    /DEPS is bound by unpacking, at line 2/,
  ],
];

for (const [name, head, body, line, why] of unreadable) {
  test(`unreadable: ${name}`, () => {
    const r = read(module(head, body));
    assert.equal(r.notes.length, 1, JSON.stringify(r.notes));
    assert.equal(r.notes[0].line, line);
    assert.match(r.notes[0].message, why);
  });
}
