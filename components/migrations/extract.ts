// Reads `dependencies`, `run_before`, `replaces` and `initial` from the module-level
// `class Migration` of a parsed migration file, statically: only literals are evaluated, and
// module-level names bound once to such literals (see module-names.ts).
import type { SyntaxNode, Tree } from "@lezer/common";
import { ModuleNames, type SourceText } from "./module-names";
import { childrenOf } from "./python-syntax";
import type { DependencyRef, MigrationDeclaration } from "./types";

export interface ExtractNote {
  line: number;
  message: string;
}

export type Extraction =
  | { kind: "class"; declaration: MigrationDeclaration; notes: ExtractNote[] }
  /** `Migration` is bound some other way (import, assignment): nothing can be read from it. */
  | { kind: "other-binding"; declaration: MigrationDeclaration; notes: ExtractNote[] }
  | { kind: "missing" };

const LIST_ATTRIBUTES = new Set(["dependencies", "run_before", "replaces"]);

// Statements whose bodies still run in module scope.
const MODULE_SCOPE_BLOCKS = new Set([
  "IfStatement",
  "TryStatement",
  "WithStatement",
  "ForStatement",
  "WhileStatement",
]);

// More name lookups than any real migration needs: a guard against `B = A + A; C = B + B; ...`,
// which doubles with every line.
const MAX_NAME_LOOKUPS = 10_000;

/** Where names in the class body are looked up: the class body's own names, then the module's. */
interface ClassScope {
  classStart: number;
  classNames: Set<string>;
}

class Reader implements SourceText {
  readonly notes: ExtractNote[] = [];
  scope: ClassScope | null = null;
  private lineStarts: number[] | null = null;
  private moduleNames: ModuleNames | null = null;
  /** Why the last listValue/pairValue could not read its node, when a name was the reason. */
  private why: string | null = null;
  private nameLookups = 0;
  constructor(
    private readonly src: string,
    private readonly script: SyntaxNode,
  ) {}

  text(node: SyntaxNode): string {
    return this.src.slice(node.from, node.to);
  }

  line(node: SyntaxNode): number {
    if (this.lineStarts === null) {
      this.lineStarts = [0];
      for (let i = this.src.indexOf("\n"); i !== -1; i = this.src.indexOf("\n", i + 1)) {
        this.lineStarts.push(i + 1);
      }
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= node.from) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  note(node: SyntaxNode, message: string): void {
    this.notes.push({ line: this.line(node), message });
  }

  /** The value a name stands for in the class body, or null with the reason in `why`. */
  private resolveName(node: SyntaxNode): SyntaxNode[] | null {
    const name = this.text(node);
    if (this.scope === null) return null;
    if (this.scope.classNames.has(name)) {
      this.why = `${name} is also bound in the class body`;
      return null;
    }
    if (++this.nameLookups > MAX_NAME_LOOKUPS) {
      this.why = `${name} expands to too many items`;
      return null;
    }
    // Built only for the few files that use a name: most migrations are literals only.
    this.moduleNames ??= new ModuleNames(this.script, this);
    // Names in the class body are looked up when the class statement runs; names inside a
    // module-level value, when that assignment runs.
    const resolution = this.moduleNames.resolve(name, Math.min(node.from, this.scope.classStart));
    if ("why" in resolution) {
      this.why = resolution.why;
      return null;
    }
    return resolution.value;
  }

  /** Items of a list/tuple literal, with `*spread` items expanded. */
  private sequenceItems(node: SyntaxNode): SyntaxNode[] | null {
    const items: SyntaxNode[] = [];
    let spread = false;
    for (const child of childrenOf(node)) {
      if ("[](),".includes(child.name)) continue;
      if (child.name === "*") {
        spread = true;
        continue;
      }
      if (!spread) {
        items.push(child);
        continue;
      }
      spread = false;
      const inner = this.listValue(child);
      if (inner === null) return null;
      items.push(...inner);
    }
    return items;
  }

  /** The value of a str literal (including implicit concatenation), or null if not one. */
  stringValue(node: SyntaxNode): string | null {
    if (node.name === "ContinuedString") {
      let out = "";
      for (const part of childrenOf(node)) {
        const value = this.stringValue(part);
        if (value === null) return null;
        out += value;
      }
      return out;
    }
    if (node.name === "FormatString") {
      if (childrenOf(node).some((c) => c.name === "FormatReplacement")) return null;
      const value = decodeStringLiteral(this.text(node));
      return value === null ? null : value.split("{{").join("{").split("}}").join("}");
    }
    if (node.name === "String") return decodeStringLiteral(this.text(node));
    if (node.name === "ParenthesizedExpression") {
      const inner = childrenOf(node).filter((c) => c.name !== "(" && c.name !== ")");
      return inner.length === 1 ? this.stringValue(inner[0]) : null;
    }
    return null;
  }

  /** Items of a list/tuple literal, a name bound to one, or `+` of them; null when not statically readable. */
  listValue(node: SyntaxNode): SyntaxNode[] | null {
    switch (node.name) {
      case "ArrayExpression":
      case "TupleExpression":
        return this.sequenceItems(node);
      case "VariableName": {
        const value = this.resolveName(node);
        if (value === null) return null;
        // `X = a, b` binds the implicit tuple of its parts.
        const items = value.length === 1 ? this.listValue(value[0]) : value;
        if (items === null) {
          this.why ??= `${this.text(node)} is bound to ${this.text(value[0])}, which is not a list or tuple literal`;
        }
        return items;
      }
      case "ParenthesizedExpression": {
        const inner = childrenOf(node).filter((c) => c.name !== "(" && c.name !== ")");
        return inner.length === 1 ? this.listValue(inner[0]) : null;
      }
      case "BinaryExpression": {
        const [left, op, right] = childrenOf(node);
        if (!left || !right || op?.name !== "ArithOp" || this.text(op) !== "+") return null;
        const a = this.listValue(left);
        const b = a && this.listValue(right);
        return a && b ? [...a, ...b] : null;
      }
      default:
        return null;
    }
  }

  /** `("app", "name")`, or a swappable_dependency call; null (with a note) otherwise. */
  dependencyItem(node: SyntaxNode, attribute: string): DependencyRef | null {
    this.why = null;
    const ref = this.pairValue(node);
    if (ref !== undefined) return ref;
    this.note(
      node,
      `an item of ${attribute} is not a ("app_label", "migration_name") literal and was ignored: ` +
        `${this.text(node)}${this.why ? `, because ${this.why}` : ""}`,
    );
    return null;
  }

  /**
   * A dependency item's target, with the line where its literal is written; null for a
   * swappable_dependency that may be ignored; undefined when it cannot be read.
   */
  private pairValue(node: SyntaxNode): DependencyRef | null | undefined {
    const line = this.line(node);
    if (node.name === "VariableName") {
      const value = this.resolveName(node);
      if (value === null) return undefined;
      return value.length === 1
        ? this.pairValue(value[0])
        : this.pairOf(value, this.line(value[0]));
    }
    if (
      node.name === "TupleExpression" ||
      node.name === "ArrayExpression" ||
      node.name === "ParenthesizedExpression"
    ) {
      const pair = this.listValue(node);
      return pair ? this.pairOf(pair, line) : undefined;
    }
    if (node.name === "CallExpression") return this.swappableDependency(node, line);
    return undefined;
  }

  private pairOf(items: SyntaxNode[], line: number): DependencyRef | undefined {
    if (items.length !== 2) return undefined;
    const label = this.stringValue(items[0]);
    const name = this.stringValue(items[1]);
    return label !== null && name !== null ? { label, name, line } : undefined;
  }

  /** undefined: not a swappable_dependency call; null: one that cannot be resolved statically. */
  private swappableDependency(call: SyntaxNode, line: number): DependencyRef | null | undefined {
    const [callee, args] = childrenOf(call);
    const calleeName =
      callee?.name === "VariableName"
        ? this.text(callee)
        : callee?.name === "MemberExpression"
          ? this.text(childrenOf(callee).slice(-1)[0])
          : "";
    if (calleeName !== "swappable_dependency" || args?.name !== "ArgList") return undefined;
    const argNodes = childrenOf(args).filter((c) => !"(),".includes(c.name));
    if (argNodes.length !== 1) return null;
    const arg = argNodes[0];
    if (arg.name === "MemberExpression") {
      const parts = childrenOf(arg);
      const attr = parts[parts.length - 1];
      // Django's default AUTH_USER_MODEL is "auth.User"; other settings (WAGTAIL_PAGE_MODEL, ...)
      // cannot be known without running the project's settings and are ignored.
      if (attr?.name === "PropertyName" && this.text(attr) === "AUTH_USER_MODEL") {
        return { label: "auth", name: "__first__", line };
      }
      return null;
    }
    const value = this.stringValue(arg);
    if (value === null) return null;
    const dot = value.indexOf(".");
    return { label: dot === -1 ? value : value.slice(0, dot), name: "__first__", line };
  }

  dependencyList(value: SyntaxNode, attribute: string): DependencyRef[] {
    this.why = null;
    const items = this.listValue(value);
    if (items === null) {
      this.note(
        value,
        this.why
          ? `the value of ${attribute}, ${this.text(value)}, cannot be evaluated statically: ${this.why}`
          : `${attribute} is not a list or tuple literal and was ignored: ${this.text(value)}`,
      );
      return [];
    }
    const refs: DependencyRef[] = [];
    for (const item of items) {
      const ref = this.dependencyItem(item, attribute);
      if (ref) refs.push(ref);
    }
    return refs;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

function isOctal(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "7";
}

function isHex(c: string | undefined): boolean {
  if (c === undefined) return false;
  const l = c.toLowerCase();
  return (l >= "0" && l <= "9") || (l >= "a" && l <= "f");
}

/** Decodes one str literal token (prefix, quotes, escapes); null for bytes or `\N{...}`. */
export function decodeStringLiteral(token: string): string | null {
  let i = 0;
  while (i < token.length && token[i] !== '"' && token[i] !== "'") i++;
  const prefix = token.slice(0, i).toLowerCase();
  if (prefix.includes("b")) return null;
  const raw = prefix.includes("r");
  const quote = token[i];
  const triple = token.startsWith(quote.repeat(3), i);
  const q = triple ? 3 : 1;
  const body = token.slice(i + q, token.length - q);
  if (raw) return body;
  let out = "";
  for (let p = 0; p < body.length; p++) {
    const c = body[p];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[p + 1];
    if (e === undefined) return null;
    if (e === "\n") {
      p++;
    } else if (e === "\r") {
      p += body[p + 2] === "\n" ? 2 : 1;
    } else if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      p++;
    } else if (isOctal(e)) {
      let digits = "";
      while (digits.length < 3 && isOctal(body[p + 1 + digits.length]))
        digits += body[p + 1 + digits.length];
      out += String.fromCodePoint(parseInt(digits, 8));
      p += digits.length;
    } else if (e === "x" || e === "u" || e === "U") {
      const width = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = body.slice(p + 2, p + 2 + width);
      if (hex.length !== width || ![...hex].every(isHex)) return null;
      out += String.fromCodePoint(parseInt(hex, 16));
      p += 1 + width;
    } else if (e === "N") {
      return null;
    } else {
      out += "\\" + e;
      p++;
    }
  }
  return out;
}

/** Module-scope statements, including those inside if/try/with/for/while blocks. */
function moduleStatements(script: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const pending = [script];
  while (pending.length > 0) {
    const block = pending.shift() as SyntaxNode;
    for (const stmt of childrenOf(block)) {
      if (MODULE_SCOPE_BLOCKS.has(stmt.name)) {
        for (const part of childrenOf(stmt)) if (part.name === "Body") pending.push(part);
      } else if (stmt.name === "StatementGroup") {
        pending.push(stmt);
      } else {
        out.push(stmt);
      }
    }
  }
  return out;
}

function bindsMigration(stmt: SyntaxNode, reader: Reader): boolean {
  const parts = childrenOf(stmt);
  switch (stmt.name) {
    case "FunctionDefinition":
      return parts.some((c) => c.name === "VariableName" && reader.text(c) === "Migration");
    case "DecoratedStatement":
      return parts.some((c) => bindsMigration(c, reader));
    case "AssignStatement": {
      const lastOp = parts.map((c) => c.name).lastIndexOf("AssignOp");
      return parts
        .slice(0, Math.max(lastOp, 0))
        .some((c) => c.name === "VariableName" && reader.text(c) === "Migration");
    }
    case "ImportStatement": {
      // `import x as Migration`, `from x import Migration [as y]`, `from x import *`.
      for (let i = 0; i < parts.length; i++) {
        const c = parts[i];
        if (c.name === "*") return true;
        if (c.name !== "VariableName" || reader.text(c) !== "Migration") continue;
        const next = parts[i + 1];
        if (next?.name === "as") continue; // `Migration as other` binds `other`
        return true;
      }
      return false;
    }
    default:
      return false;
  }
}

function migrationClass(stmt: SyntaxNode, reader: Reader): SyntaxNode | null {
  let node = stmt;
  if (node.name === "DecoratedStatement") {
    const inner = childrenOf(node).find((c) => c.name === "ClassDefinition");
    if (!inner) return null;
    node = inner;
  }
  if (node.name !== "ClassDefinition") return null;
  const name = childrenOf(node).find((c) => c.name === "VariableName");
  return name && reader.text(name) === "Migration" ? node : null;
}

/** Names the class body binds itself: they shadow module-level names of the same spelling. */
function classBodyNames(statements: SyntaxNode[], reader: Reader): Set<string> {
  const names = new Set<string>();
  for (const stmt of statements) {
    const parts = childrenOf(stmt);
    const lastOp = parts.map((c) => c.name).lastIndexOf("AssignOp");
    const targets =
      stmt.name === "AssignStatement"
        ? parts.slice(0, Math.max(lastOp, 0))
        : stmt.name === "UpdateStatement"
          ? parts.slice(0, 1)
          : stmt.name === "FunctionDefinition" || stmt.name === "ClassDefinition"
            ? parts
            : [];
    for (const t of targets) {
      if (t.name === "VariableName") names.add(reader.text(t));
    }
  }
  return names;
}

function readClassBody(cls: SyntaxNode, reader: Reader): MigrationDeclaration {
  const values: Record<string, DependencyRef[]> = {
    dependencies: [],
    run_before: [],
    replaces: [],
  };
  let initial = false;
  const body = childrenOf(cls).find((c) => c.name === "Body");
  const statements = body ? childrenOf(body) : [];
  reader.scope = { classStart: cls.from, classNames: classBodyNames(statements, reader) };
  for (const stmt of statements) {
    const parts = childrenOf(stmt);
    if (stmt.name === "AssignStatement") {
      // `a = b = value`: every segment between `=` but the last is a target.
      const segments: SyntaxNode[][] = [[]];
      for (const part of parts) {
        if (part.name === "AssignOp") segments.push([]);
        else if (part.name !== "TypeDef") segments[segments.length - 1].push(part);
      }
      if (segments.length < 2) continue;
      const valueParts = segments[segments.length - 1];
      const targets = segments
        .slice(0, -1)
        .filter((seg) => seg.length === 1 && seg[0].name === "VariableName")
        .map((seg) => seg[0]);
      for (const target of targets) {
        const name = reader.text(target);
        if (name === "initial") {
          initial = valueParts.length === 1 && reader.text(valueParts[0]) === "True";
        } else if (LIST_ATTRIBUTES.has(name)) {
          if (valueParts.length === 1) {
            values[name] = reader.dependencyList(valueParts[0], name);
          } else {
            // `x = a, b` assigns a tuple: its items are the comma-separated parts.
            values[name] = valueParts
              .filter((c) => c.name !== ",")
              .map((item) => reader.dependencyItem(item, name))
              .filter((r): r is DependencyRef => r !== null);
          }
        }
      }
    } else if (stmt.name === "UpdateStatement") {
      const [target, op, value] = parts;
      const name = target ? reader.text(target) : "";
      if (
        target?.name === "VariableName" &&
        LIST_ATTRIBUTES.has(name) &&
        op &&
        reader.text(op) === "+=" &&
        value
      ) {
        values[name] = [...values[name], ...reader.dependencyList(value, name)];
      }
    }
  }
  return {
    dependencies: values.dependencies,
    runBefore: values.run_before,
    replaces: values.replaces,
    initial,
  };
}

/** Reads the module-level `Migration` class; the last module-scope binding of the name wins. */
export function extractMigration(tree: Tree, src: string): Extraction {
  const reader = new Reader(src, tree.topNode);
  let found: Extraction = { kind: "missing" };
  for (const stmt of moduleStatements(tree.topNode)) {
    const cls = migrationClass(stmt, reader);
    if (cls) {
      reader.notes.length = 0;
      found = { kind: "class", declaration: readClassBody(cls, reader), notes: reader.notes };
    } else if (bindsMigration(stmt, reader)) {
      found = {
        kind: "other-binding",
        declaration: { dependencies: [], runBefore: [], replaces: [], initial: false },
        notes: [
          {
            line: reader.line(stmt),
            message:
              "Migration is not a class defined in this file; its dependencies cannot be read statically",
          },
        ],
      };
    }
  }
  return found;
}
