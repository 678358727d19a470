// Decides whether a file is valid Python 3 (CPython 3.14 grammar) and returns its lezer tree.
// lezer is error-tolerant: it marks what it cannot parse with error nodes (`⚠`) instead of
// failing, and it accepts a few things CPython rejects (Python 2 `print x`, `raise E, "m"`,
// `1 = x`, `f(a=1, b)`). The lexical scan in python-lexer.ts covers indentation, strings and
// numbers; this file covers the grammar. PEP 758 `except A, B:` is valid Python 3.14, and
// lezer already parses it as an except clause with two names, so it needs no special case.
import { parser } from "@lezer/python";
import type { SyntaxNode, Tree } from "@lezer/common";
import { lexPython, lineAndColumn, type LexResult, type SyntaxProblem } from "./python-lexer";

export type { SyntaxProblem };

export interface PythonParse {
  tree: Tree;
  problem?: SyntaxProblem;
}

/** The children of a node, without comments. */
export function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name !== "Comment") out.push(child);
  }
  return out;
}

/** Splits the children between the brackets of an ArgList/ParamList at top-level commas. */
function commaSegments(node: SyntaxNode): SyntaxNode[][] {
  const inner = childrenOf(node).filter((c) => c.name !== "(" && c.name !== ")");
  const segments: SyntaxNode[][] = [[]];
  for (const child of inner) {
    if (child.name === ",") segments.push([]);
    else segments[segments.length - 1].push(child);
  }
  return segments.filter((s) => s.length > 0);
}

const ASSIGNABLE_CONTAINERS = new Set([
  "TupleExpression",
  "ArrayExpression",
  "ParenthesizedExpression",
]);

function assignmentTargetProblem(node: SyntaxNode): SyntaxNode | null {
  if (node.name === "VariableName" || node.name === "MemberExpression") return null;
  if (node.name === "*") return null;
  if (ASSIGNABLE_CONTAINERS.has(node.name)) {
    for (const child of childrenOf(node)) {
      if ("()[],".includes(child.name)) continue;
      const bad = assignmentTargetProblem(child);
      if (bad) return bad;
    }
    return null;
  }
  return node;
}

function describe(node: SyntaxNode): string {
  switch (node.name) {
    case "Number":
    case "String":
    case "ContinuedString":
    case "FormatString":
    case "Boolean":
    case "None":
    case "Ellipsis":
      return "literal";
    case "CallExpression":
      return "function call";
    default:
      return "expression";
  }
}

const GRAMMAR_CHECKED = new Set([
  "PrintStatement",
  "RaiseStatement",
  "AssignStatement",
  "UpdateStatement",
  "ArgList",
  "ParamList",
]);

function grammarProblem(node: SyntaxNode): { message: string; at: number } | null {
  switch (node.name) {
    case "PrintStatement":
      return {
        message: "Missing parentheses in call to 'print'. Did you mean print(...)?",
        at: node.from,
      };
    case "RaiseStatement": {
      const comma = childrenOf(node).find((c) => c.name === ",");
      return comma
        ? { message: "invalid syntax: Python 2 `raise E, value`", at: comma.from }
        : null;
    }
    case "AssignStatement": {
      const parts = childrenOf(node);
      const lastOp = parts.map((c) => c.name).lastIndexOf("AssignOp");
      for (const target of parts.slice(0, Math.max(lastOp, 0))) {
        if (target.name === "AssignOp" || target.name === "," || target.name === "TypeDef")
          continue;
        const bad = assignmentTargetProblem(target);
        if (bad) return { message: `cannot assign to ${describe(bad)}`, at: bad.from };
      }
      return null;
    }
    case "UpdateStatement": {
      const target = childrenOf(node)[0];
      const inner = target?.name === "ParenthesizedExpression" ? childrenOf(target)[1] : target;
      if (inner && inner.name !== "VariableName" && inner.name !== "MemberExpression") {
        return {
          message: `'${describe(target)}' is an illegal expression for augmented assignment`,
          at: target.from,
        };
      }
      return null;
    }
    case "ArgList": {
      let keyword = false;
      let doubleStar = false;
      for (const seg of commaSegments(node)) {
        const head = seg[0].name;
        if (head === "**") doubleStar = true;
        else if (seg.length >= 3 && head === "VariableName" && seg[1].name === "AssignOp")
          keyword = true;
        else if (head === "*") {
          if (doubleStar)
            return {
              message: "iterable argument unpacking follows keyword argument unpacking",
              at: seg[0].from,
            };
        } else if (doubleStar) {
          return {
            message: "positional argument follows keyword argument unpacking",
            at: seg[0].from,
          };
        } else if (keyword) {
          return { message: "positional argument follows keyword argument", at: seg[0].from };
        }
      }
      return null;
    }
    case "ParamList": {
      let defaulted = false;
      let starSeen = false;
      let doubleStarSeen = false;
      for (const seg of commaSegments(node)) {
        const head = seg[0];
        if (doubleStarSeen)
          return { message: "arguments cannot follow var-keyword argument", at: head.from };
        if (head.name === "**") doubleStarSeen = true;
        else if (head.name === "*") starSeen = true;
        else if (seg.length === 1 && head.name !== "VariableName")
          continue; // the `/` marker
        else if (seg.some((c) => c.name === "AssignOp")) defaulted = true;
        else if (defaulted && !starSeen) {
          return {
            message: "parameter without a default follows parameter with a default",
            at: head.from,
          };
        }
      }
      return null;
    }
    default:
      return null;
  }
}

// lezer misreads a number ending in `.` (`5.` becomes a member access) and does not know
// t-strings; both are rewritten to same-length equivalents before the grammar check.
// A bare `yield` (`yield` alone, `(yield)`) is missing from lezer's grammar; it is checked as
// the same-length expression `None `.
function lezerFriendly(src: string, lex: LexResult): string {
  const { numbers, templatePrefixes: tPrefixes, bareYields, withRewrites } = lex;
  const none = numbers.length + tPrefixes.length + bareYields.length + withRewrites.length === 0;
  if (none) return src;
  const chars = src.split("");
  for (const [from, to] of numbers) {
    chars[from] = "0";
    for (let i = from + 1; i < to; i++) chars[i] = " ";
  }
  for (const at of tPrefixes) chars[at] = chars[at] === "T" ? "F" : "f";
  for (const at of bareYields) chars.splice(at, 5, "N", "o", "n", "e", " ");
  for (const { from, text } of withRewrites) {
    for (let i = 0; i < text.length; i++) chars[from + i] = text[i];
  }
  return chars.join("");
}

export function parsePython(src: string): PythonParse {
  const lex = lexPython(src);
  const tree = parser.parse(lezerFriendly(src, lex));
  // A file of comments only is valid Python; lezer still reports an empty error node.
  const grammar = lex.hasCode ? firstGrammarProblem(tree) : null;
  const fromGrammar = grammar && { message: grammar.message, ...lineAndColumn(src, grammar.at) };
  // Report whichever problem comes first in the file, as CPython would.
  const candidates = [lex.problem, fromGrammar].filter((p): p is SyntaxProblem => !!p);
  candidates.sort((a, b) => a.line - b.line || a.column - b.column);
  return candidates.length > 0 ? { tree, problem: candidates[0] } : { tree };
}

function firstGrammarProblem(tree: Tree): { message: string; at: number } | null {
  let problem: { message: string; at: number } | null = null;
  tree.iterate({
    enter(ref) {
      if (problem) return false;
      if (ref.type.isError) {
        problem = { message: "invalid syntax", at: ref.from };
        return false;
      }
      if (GRAMMAR_CHECKED.has(ref.name)) problem = grammarProblem(ref.node);
      return undefined;
    },
  });
  return problem;
}
