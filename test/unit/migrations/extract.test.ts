// What is read from a migration file: only the module-level `class Migration` body, literals only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { extractMigration } from "../../../components/migrations/extract";
import { parsePython } from "../../../components/migrations/python-syntax";

interface Read {
  kind: string;
  dependencies?: string[];
  runBefore?: string[];
  replaces?: string[];
  initial?: boolean;
}

function read(src: string): Read {
  const { tree, problem } = parsePython(src);
  assert.equal(problem, undefined, `fixture is not valid Python: ${JSON.stringify(problem)}`);
  const result = extractMigration(tree, src);
  if (result.kind === "missing") return { kind: "missing" };
  const d = result.declaration;
  const keys = (refs: typeof d.dependencies) => refs.map((r) => `${r.label}.${r.name}`);
  return {
    kind: result.kind,
    dependencies: keys(d.dependencies),
    runBefore: keys(d.runBefore),
    replaces: keys(d.replaces),
    initial: d.initial,
  };
}

const HEAD = "from django.conf import settings\nfrom django.db import migrations\n\n";

const cases: Array<[string, string, Read]> = [
  [
    "quote styles, comments, trailing commas, odd formatting",
    HEAD +
      "class Migration(migrations.Migration):\n" +
      "    initial = True\n" +
      "    dependencies = [  # the parents\n" +
      "        ('a', 'single'),\n" +
      '        ("b", "double"),\n' +
      "        ('''c''', \"\"\"triple\"\"\"),\n" +
      "        (\n" +
      "            'd',  # label\n" +
      "            # a comment between items\n" +
      "            'multi_line',\n" +
      "        ),\n" +
      "        (r'e', u'prefixed'), (R'f', U\"upper\"),\n" +
      "        ('g', 'implicit' '_concat'),\n" +
      "        ('h', 'escaped\\x5fname'),\n" +
      "        ['i', 'list_item'],\n" +
      "    ]\n",
    {
      kind: "class",
      dependencies: [
        "a.single",
        "b.double",
        "c.triple",
        "d.multi_line",
        "e.prefixed",
        "f.upper",
        "g.implicit_concat",
        "h.escaped_name",
        "i.list_item",
      ],
      runBefore: [],
      replaces: [],
      initial: true,
    },
  ],
  [
    "tuple value, + concatenation, += and run_before/replaces",
    HEAD +
      "class Migration(migrations.Migration):\n" +
      "    dependencies = (('a', '0001'),) + (('b', '0002'),)\n" +
      "    dependencies += [('c', '0003')]\n" +
      "    run_before = [('d', '0004')]\n" +
      "    replaces = [('e', '0001'), ('e', '0002')]\n",
    {
      kind: "class",
      dependencies: ["a.0001", "b.0002", "c.0003"],
      runBefore: ["d.0004"],
      replaces: ["e.0001", "e.0002"],
      initial: false,
    },
  ],
  [
    "swappable dependencies: AUTH_USER_MODEL with and without prefix, string form, others ignored",
    HEAD +
      "from django.db.migrations import swappable_dependency\n" +
      "class Migration(migrations.Migration):\n" +
      "    dependencies = [\n" +
      "        migrations.swappable_dependency(settings.AUTH_USER_MODEL),\n" +
      "        swappable_dependency(settings.AUTH_USER_MODEL),\n" +
      "        swappable_dependency('users.Customer'),\n" +
      "        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),\n" +
      "        ('wagtailcore', '0089_log_entry_data_json_null_to_object'),\n" +
      "    ]\n",
    {
      kind: "class",
      dependencies: [
        "auth.__first__",
        "auth.__first__",
        "users.__first__",
        "wagtailcore.0089_log_entry_data_json_null_to_object",
      ],
      runBefore: [],
      replaces: [],
      initial: false,
    },
  ],
  [
    "module-level decoys, other classes, methods and docstrings are ignored",
    HEAD +
      "dependencies = [('decoy', '0001_module_level')]\n" +
      "DOC = \"dependencies = [('decoy', 'in_a_string')]\"\n" +
      "class Helper:\n" +
      "    dependencies = [('decoy', '0002_other_class')]\n" +
      "def dependencies_fn():\n" +
      "    dependencies = [('decoy', '0003_function')]\n" +
      "    return dependencies\n" +
      "class Migration(migrations.Migration):\n" +
      '    """dependencies = [(\'decoy\', \'docstring\')]"""\n' +
      "    dependencies = [('real', '0001_initial')]\n" +
      "    def method(self):\n" +
      "        dependencies = [('decoy', '0004_method')]\n" +
      "    class Meta:\n" +
      "        dependencies = [('decoy', '0005_nested_class')]\n" +
      "    # dependencies = [('decoy', 'comment')]\n",
    {
      kind: "class",
      dependencies: ["real.0001_initial"],
      runBefore: [],
      replaces: [],
      initial: false,
    },
  ],
  [
    "the last module-level class Migration wins",
    HEAD +
      "class Migration(migrations.Migration):\n    dependencies = [('old', '0001')]\n" +
      "class Migration(migrations.Migration):\n    dependencies = [('new', '0001')]\n",
    { kind: "class", dependencies: ["new.0001"], runBefore: [], replaces: [], initial: false },
  ],
  [
    "a later assignment in the class body replaces an earlier one",
    HEAD +
      "class Migration(migrations.Migration):\n    dependencies = [('a', '1')]\n    dependencies = [('b', '2')]\n",
    { kind: "class", dependencies: ["b.2"], runBefore: [], replaces: [], initial: false },
  ],
  [
    "no Migration at all",
    HEAD + "class NotAMigration:\n    dependencies = []\n",
    { kind: "missing" },
  ],
  [
    "Migration only inside a function does not count",
    HEAD + "def f():\n    class Migration:\n        pass\n",
    { kind: "missing" },
  ],
  [
    "Migration imported from elsewhere binds the name",
    "from .base import Migration\n",
    { kind: "other-binding", dependencies: [], runBefore: [], replaces: [], initial: false },
  ],
  [
    "Migration bound by assignment",
    "from x import Base\nMigration = Base\n",
    { kind: "other-binding", dependencies: [], runBefore: [], replaces: [], initial: false },
  ],
  [
    "Migration = ... importing Migration as another name does not bind it",
    "from x import Migration as Base\n",
    { kind: "missing" },
  ],
];

for (const [name, src, expected] of cases) {
  test(name, () => {
    assert.deepEqual(read(src), expected);
  });
}

test("items that cannot be read statically are ignored with a note giving the line", () => {
  const src =
    HEAD +
    "class Migration(migrations.Migration):\n    dependencies = [\n        ('a', '1'),\n        BASE,\n    ]\n";
  const { tree } = parsePython(src);
  const result = extractMigration(tree, src);
  assert.equal(result.kind, "class");
  if (result.kind !== "class") return;
  assert.deepEqual(result.declaration.dependencies, [{ label: "a", name: "1", line: 6 }]);
  assert.deepEqual(result.notes, [
    {
      line: 7,
      message:
        'an item of dependencies is not a ("app_label", "migration_name") literal and was ignored: ' +
        "BASE, because BASE is not bound at module level in this file",
    },
  ]);
});
