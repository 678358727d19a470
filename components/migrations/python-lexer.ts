// A hand-written scan of Python 3 source for the lexical rules that @lezer/python does not
// enforce: indentation (including TabError), string termination and prefixes, number literal
// shapes, illegal characters, bracket balance and line continuations. It follows CPython's
// tokenizer closely enough to reject files CPython rejects, and it records the spans lezer
// misreads (`5.`, t-strings) so the grammar check can be run on an equivalent text.

export interface SyntaxProblem {
  message: string;
  line: number;
  column: number;
}

export interface LexResult {
  problem?: SyntaxProblem;
  /** True when the file holds at least one token that is not a comment or blank. */
  hasCode: boolean;
  /** [from, to) offsets of number literals with a `.` not followed by a digit. */
  numbers: Array<[number, number]>;
  /** Offsets of the `t`/`T` in template-string prefixes (PEP 750). */
  templatePrefixes: number[];
  /** Offsets of `yield` keywords with no value (`yield` alone, `(yield)`). */
  bareYields: number[];
  /** Same-length rewrites of `with` headers into a form lezer's grammar accepts. */
  withRewrites: Array<{ from: number; text: string }>;
}

interface HeaderToken {
  text: string;
  start: number;
  end: number;
  /** Open brackets when the token was read (an opening bracket counts itself). */
  depth: number;
}

/**
 * lezer's grammar lacks parts of the `with` statement that Python has had since 3.9: targets
 * other than a plain name (`as self.x`, `as (a, b)`) and parenthesized items
 * (`with (open(a) as f, open(b) as g):`). This rewrites such a header, keeping every offset, into
 * the plain form: the item parentheses become spaces (and so do the newlines and comments
 * between them), and a complex target becomes one long name. `tokens` run from `with` to `:`.
 */
function withHeaderRewrites(
  src: string,
  tokens: HeaderToken[],
): Array<{ from: number; text: string }> {
  const rewrites: Array<{ from: number; text: string }> = [];
  let items = tokens.slice(1, -1);
  let itemDepth = 0;
  const open = items[0];
  const close = items[items.length - 1];
  const inner = items.slice(1, -1);
  if (
    open?.text === "(" &&
    close?.text === ")" &&
    inner.every((t) => t.depth >= 1) &&
    inner.some((t) => t.text === "as" && t.depth === 1)
  ) {
    let text = " ";
    let previousEnd = open.end;
    for (const t of inner) {
      text += " ".repeat(t.start - previousEnd) + src.slice(t.start, t.end);
      previousEnd = t.end;
    }
    text += " ".repeat(close.start - previousEnd) + " ";
    rewrites.push({ from: open.start, text });
    items = inner;
    itemDepth = 1;
  }
  for (let i = 0; i < items.length; i++) {
    if (items[i].text !== "as" || items[i].depth !== itemDepth) continue;
    let j = i + 1;
    while (j < items.length && !(items[j].depth === itemDepth && items[j].text === ",")) j++;
    const target = items.slice(i + 1, j);
    if (target.length > 1 || (target.length === 1 && target[0].text === "(")) {
      const from = target[0].start;
      rewrites.push({ from, text: "_".repeat(target[target.length - 1].end - from) });
    }
    i = j;
  }
  return rewrites;
}

class LexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const STRING_PREFIXES = new Set(["r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"]);

// Keywords CPython still accepts straight after a number (`1if x else 2`), with a warning.
const KEYWORDS_AFTER_NUMBER = ["and", "else", "for", "if", "in", "is", "not", "or"];

// Operator characters. Multi-character operators are consumed one character at a time: only
// `:` (a block opener at the end of a line) versus `:=`, and `!` versus `!=`, matter here.
const OPERATOR_CHARS = new Set("+-*/%@&|^~<>,:;.=");
const OPEN = "([{";
const CLOSE = ")]}";

function isAsciiLetter(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

// Non-ASCII characters are accepted as identifier characters unless they are in the blocks
// people paste by accident (typographic quotes, dashes, no-break space, symbols, emoji).
function isNonAsciiIdentChar(code: number): boolean {
  if (code < 0x80) return false;
  if (code <= 0xbf) return code === 0xaa || code === 0xb5 || code === 0xba;
  if (code === 0xd7 || code === 0xf7) return false;
  if (code >= 0x2000 && code <= 0x2bff) return false;
  if (code >= 0x3000 && code <= 0x3003) return false;
  if (code >= 0xfe00 && code <= 0xfe0f) return false;
  if (code === 0xfeff) return false;
  if (code >= 0xff00 && code <= 0xff0f) return false;
  if (code >= 0x1f000 && code <= 0x1faff) return false;
  return true;
}

function isIdentStart(c: string): boolean {
  return isAsciiLetter(c) || c === "_" || isNonAsciiIdentChar(c.codePointAt(0) ?? 0);
}

function isIdentChar(c: string): boolean {
  return isIdentStart(c) || isDigit(c);
}

class Lexer {
  private pos = 0;
  private readonly brackets: Array<{ ch: string; offset: number }> = [];
  private readonly indents = [0];
  private readonly altIndents = [0];
  private atLineStart = true;
  private lastSignificant: string | null = null;
  private expectIndent = false;
  private pendingYield: number | null = null;
  readonly result: LexResult = {
    hasCode: false,
    numbers: [],
    templatePrefixes: [],
    bareYields: [],
    withRewrites: [],
  };
  /** Tokens of the `with` header being read, or null outside one. */
  private withHeader: HeaderToken[] | null = null;

  constructor(private readonly src: string) {}

  run(): void {
    const src = this.src;
    while (this.pos < src.length) {
      if (this.atLineStart && this.brackets.length === 0) {
        if (this.readIndentation()) continue;
      }
      const c = src[this.pos];
      if (c === " " || c === "\t" || c === "\f") {
        this.pos++;
      } else if (c === "\n" || c === "\r") {
        this.pos += c === "\r" && src[this.pos + 1] === "\n" ? 2 : 1;
        this.endPhysicalLine();
      } else if (c === "#") {
        this.skipComment();
      } else if (c === "\\") {
        this.lineContinuation();
      } else if (c === '"' || c === "'") {
        this.significant("string");
        this.pos = this.scanString(this.pos, false, false);
      } else if (isDigit(c) || (c === "." && isDigit(src[this.pos + 1] ?? ""))) {
        this.significant("number");
        this.scanNumber();
      } else if (isIdentStart(c)) {
        this.scanNameOrString();
      } else {
        this.scanOperator();
      }
      const header = this.withHeader;
      if (header && header.length > 0 && header[header.length - 1].end === -1) {
        header[header.length - 1].end = this.pos;
        if (header[header.length - 1].text === ":" && this.brackets.length === 0) {
          this.result.withRewrites.push(...withHeaderRewrites(src, header));
          this.withHeader = null;
        }
      }
    }
    this.endOfFile();
  }

  private fail(message: string, offset = this.pos): never {
    throw new LexError(message, offset);
  }

  private significant(token: string): void {
    if (this.pendingYield !== null) {
      if (")]};".includes(token)) this.result.bareYields.push(this.pendingYield);
      this.pendingYield = null;
    }
    this.result.hasCode = true;
    if (this.lastSignificant === null || this.lastSignificant === "async") {
      if (token === "with") this.withHeader = [];
      else if (this.lastSignificant === null) this.withHeader = null;
    }
    this.withHeader?.push({ text: token, start: this.pos, end: -1, depth: this.brackets.length });
    this.lastSignificant = token;
  }

  /** Measures the indentation of a new logical line; returns true when the line is blank. */
  private readIndentation(): boolean {
    const src = this.src;
    let col = 0;
    let altCol = 0;
    let p = this.pos;
    for (;;) {
      const c = src[p];
      if (c === " ") {
        col++;
        altCol++;
      } else if (c === "\t") {
        col = (Math.floor(col / 8) + 1) * 8;
        altCol++;
      } else if (c === "\f") {
        col = 0;
        altCol = 0;
      } else break;
      p++;
    }
    const next = src[p];
    if (next === undefined || next === "\n" || next === "\r" || next === "#") {
      // Blank and comment-only lines do not take part in indentation.
      this.pos = p;
      if (next === "#") this.skipComment();
      if (this.pos < src.length) {
        this.pos += src[this.pos] === "\r" && src[this.pos + 1] === "\n" ? 2 : 1;
      }
      return true;
    }
    const top = this.indents[this.indents.length - 1];
    const altTop = this.altIndents[this.altIndents.length - 1];
    if (col > top) {
      if (!this.expectIndent) this.fail("unexpected indent", p);
      if (altCol <= altTop) this.fail("inconsistent use of tabs and spaces in indentation", p);
      this.indents.push(col);
      this.altIndents.push(altCol);
    } else {
      if (this.expectIndent) this.fail("expected an indented block", p);
      while (col < this.indents[this.indents.length - 1]) {
        this.indents.pop();
        this.altIndents.pop();
      }
      if (col !== this.indents[this.indents.length - 1]) {
        this.fail("unindent does not match any outer indentation level", p);
      }
      if (altCol !== this.altIndents[this.altIndents.length - 1]) {
        this.fail("inconsistent use of tabs and spaces in indentation", p);
      }
    }
    this.pos = p;
    this.atLineStart = false;
    this.expectIndent = false;
    this.lastSignificant = null;
    return false;
  }

  private endPhysicalLine(): void {
    if (this.brackets.length > 0) return;
    this.withHeader = null;
    this.endYield();
    if (this.lastSignificant !== null) this.expectIndent = this.lastSignificant === ":";
    this.lastSignificant = null;
    this.atLineStart = true;
  }

  private skipComment(): void {
    const src = this.src;
    while (this.pos < src.length && src[this.pos] !== "\n" && src[this.pos] !== "\r") this.pos++;
  }

  private lineContinuation(): void {
    const src = this.src;
    const next = src[this.pos + 1];
    if (next === undefined) this.fail("unexpected end of file after line continuation character");
    if (next === "\n") this.pos += 2;
    else if (next === "\r") this.pos += src[this.pos + 2] === "\n" ? 3 : 2;
    else this.fail("unexpected character after line continuation character");
    if (this.pos >= src.length)
      this.fail("unexpected end of file after line continuation character");
  }

  private scanNameOrString(): void {
    const src = this.src;
    const start = this.pos;
    let p = this.pos;
    while (p < src.length && isIdentChar(src[p])) p++;
    const name = src.slice(start, p);
    const next = src[p];
    if (next === '"' || next === "'") {
      const lower = name.toLowerCase();
      if (STRING_PREFIXES.has(lower)) {
        if (lower.includes("t")) this.result.templatePrefixes.push(start + lower.indexOf("t"));
        this.significant("string");
        const formatted = lower.includes("f") || lower.includes("t");
        this.pos = this.scanString(p, formatted, lower.includes("r"));
        return;
      }
      if (name.length <= 3 && [...lower].every((ch) => "rubft".includes(ch))) {
        this.fail(`invalid string prefix '${name}'`, start);
      }
    }
    this.significant(name);
    if (name === "yield") this.pendingYield = start;
    this.pos = p;
  }

  /** Scans a string literal whose opening quote is at `start`; returns the offset after it. */
  private scanString(start: number, formatted: boolean, raw: boolean): number {
    const src = this.src;
    const quote = src[start];
    const triple = src[start + 1] === quote && src[start + 2] === quote;
    let p = start + (triple ? 3 : 1);
    for (;;) {
      if (p >= src.length) {
        this.fail(
          triple ? "unterminated triple-quoted string literal" : "unterminated string literal",
          start,
        );
      }
      const c = src[p];
      if (c === "\\") {
        if (formatted && !raw && src[p + 1] === "N" && src[p + 2] === "{") {
          while (p < src.length && src[p] !== "}") p++;
          p++;
        } else if (formatted && (src[p + 1] === "{" || src[p + 1] === "}")) {
          p++; // a backslash does not escape a replacement-field brace
        } else {
          p += src[p + 1] === "\r" && src[p + 2] === "\n" ? 3 : 2;
        }
      } else if (c === "\n" || c === "\r") {
        if (!triple) this.fail("unterminated string literal", start);
        p++;
      } else if (c === quote && (!triple || (src[p + 1] === quote && src[p + 2] === quote))) {
        return p + (triple ? 3 : 1);
      } else if (formatted && c === "{") {
        p = src[p + 1] === "{" ? p + 2 : this.scanReplacementField(p);
      } else if (formatted && c === "}") {
        if (src[p + 1] !== "}") this.fail("f-string: single '}' is not allowed", p);
        p += 2;
      } else {
        p++;
      }
    }
  }

  /** Scans `{expression!conversion:spec}` inside an f-string; returns the offset after `}`. */
  private scanReplacementField(open: number): number {
    const src = this.src;
    let p = open + 1;
    let depth = 0;
    for (;;) {
      if (p >= src.length) this.fail("f-string: expecting '}'", open);
      const c = src[p];
      if (c === '"' || c === "'") {
        p = this.scanString(p, false, false);
      } else if (isIdentStart(c)) {
        const s = p;
        while (p < src.length && isIdentChar(src[p])) p++;
        const lower = src.slice(s, p).toLowerCase();
        if ((src[p] === '"' || src[p] === "'") && STRING_PREFIXES.has(lower)) {
          const nestedFormatted = lower.includes("f") || lower.includes("t");
          p = this.scanString(p, nestedFormatted, lower.includes("r"));
        }
      } else if (OPEN.includes(c)) {
        depth++;
        p++;
      } else if (CLOSE.includes(c)) {
        if (depth > 0) {
          depth--;
          p++;
        } else if (c === "}") {
          return p + 1;
        } else {
          this.fail(`f-string: unmatched '${c}'`, p);
        }
      } else if (c === "#") {
        while (p < src.length && src[p] !== "\n") p++;
      } else if (depth === 0 && c === "!" && src[p + 1] !== "=") {
        p++;
      } else if (depth === 0 && c === ":") {
        return this.scanFormatSpec(p + 1, open);
      } else {
        p += c === "!" ? 2 : 1;
      }
    }
  }

  private scanFormatSpec(from: number, open: number): number {
    const src = this.src;
    let p = from;
    for (;;) {
      if (p >= src.length) this.fail("f-string: expecting '}'", open);
      const c = src[p];
      if (c === "{") p = this.scanReplacementField(p);
      else if (c === "}") return p + 1;
      else p++;
    }
  }

  private readDigits(p: number, isValid: (c: string) => boolean, kind: string): number {
    const src = this.src;
    while (p < src.length) {
      const c = src[p];
      if (isValid(c)) p++;
      else if (c === "_") {
        if (!isValid(src[p + 1] ?? "")) this.fail(`invalid ${kind} literal`, p);
        p++;
      } else break;
    }
    return p;
  }

  private scanNumber(): void {
    const src = this.src;
    const start = this.pos;
    let p = start;
    const prefix = src[p + 1]?.toLowerCase();
    if (src[p] === "0" && (prefix === "x" || prefix === "o" || prefix === "b")) {
      const kind = prefix === "x" ? "hexadecimal" : prefix === "o" ? "octal" : "binary";
      const valid =
        prefix === "x"
          ? (c: string) => isDigit(c) || ("a" <= c.toLowerCase() && c.toLowerCase() <= "f")
          : prefix === "o"
            ? (c: string) => c >= "0" && c <= "7"
            : (c: string) => c === "0" || c === "1";
      p += 2;
      if (src[p] === "_") p++;
      const digitsStart = p;
      p = this.readDigits(p, valid, kind);
      if (p === digitsStart) this.fail(`invalid ${kind} literal`, start);
      if (isDigit(src[p] ?? "")) this.fail(`invalid digit '${src[p]}' in ${kind} literal`, p);
    } else {
      const intEnd = this.readDigits(p, isDigit, "decimal");
      const intPart = src.slice(p, intEnd);
      p = intEnd;
      let isFloat = false;
      if (src[p] === "." && src[p + 1] !== ".") {
        isFloat = true;
        p = this.readDigits(p + 1, isDigit, "decimal");
      }
      const e = src[p];
      if (e === "e" || e === "E") {
        let q = p + 1;
        if (src[q] === "+" || src[q] === "-") q++;
        if (!isDigit(src[q] ?? "")) this.fail("invalid decimal literal", start);
        p = this.readDigits(q, isDigit, "decimal");
        isFloat = true;
      }
      if (src[p] === "j" || src[p] === "J") {
        p++;
        isFloat = true;
      }
      if (
        !isFloat &&
        intPart.length > 1 &&
        intPart[0] === "0" &&
        [...intPart].some((d) => d !== "0" && d !== "_")
      ) {
        this.fail(
          "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
          start,
        );
      }
    }
    if (isIdentChar(src[p] ?? "")) {
      if (
        !KEYWORDS_AFTER_NUMBER.some(
          (k) => src.startsWith(k, p) && !isIdentChar(src[p + k.length] ?? ""),
        )
      ) {
        this.fail("invalid decimal literal", start);
      }
    }
    // lezer reads `5.` and `5.e3` as member accesses; only those spans need rewriting.
    const dot = src.indexOf(".", start);
    if (dot !== -1 && dot < p && !isDigit(src[dot + 1] ?? "")) this.result.numbers.push([start, p]);
    this.pos = p;
  }

  private scanOperator(): void {
    const src = this.src;
    const c = src[this.pos];
    if (OPEN.includes(c)) {
      this.brackets.push({ ch: c, offset: this.pos });
      this.significant(c);
      this.pos++;
      return;
    }
    if (CLOSE.includes(c)) {
      const open = this.brackets.pop();
      if (!open) this.fail(`unmatched '${c}'`);
      if (OPEN.indexOf(open.ch) !== CLOSE.indexOf(c)) {
        this.fail(`closing parenthesis '${c}' does not match opening parenthesis '${open.ch}'`);
      }
      this.significant(c);
      this.pos++;
      return;
    }
    if (c === "<" && src[this.pos + 1] === ">") {
      this.fail("invalid syntax: '<>' is not an operator in Python 3; use '!='");
    }
    if ((c === ":" || c === "!") && src[this.pos + 1] === "=") {
      this.significant(c + "=");
      this.pos += 2;
      return;
    }
    if (OPERATOR_CHARS.has(c)) {
      this.significant(c);
      this.pos++;
      return;
    }
    if (c === "\0") this.fail("source code cannot contain null bytes");
    const code = src.codePointAt(this.pos) ?? 0;
    this.fail(
      `invalid character '${String.fromCodePoint(code)}' (U+${code.toString(16).toUpperCase().padStart(4, "0")})`,
    );
  }

  private endYield(): void {
    if (this.pendingYield !== null) this.result.bareYields.push(this.pendingYield);
    this.pendingYield = null;
  }

  private endOfFile(): void {
    this.endYield();
    const open = this.brackets[this.brackets.length - 1];
    if (open) this.fail(`'${open.ch}' was never closed`, open.offset);
    if (this.lastSignificant !== null) this.expectIndent = this.lastSignificant === ":";
    if (this.expectIndent) this.fail("expected an indented block at end of file");
  }
}

export function lineAndColumn(src: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < src.length; i++) {
    const c = src[i];
    if (c === "\n" || (c === "\r" && src[i + 1] !== "\n")) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Scans Python source; `problem` is set to the first lexical error CPython would report. */
export function lexPython(src: string): LexResult {
  const lexer = new Lexer(src);
  try {
    lexer.run();
  } catch (err) {
    if (!(err instanceof LexError)) throw err;
    const where = lineAndColumn(src, err.offset);
    lexer.result.problem = { message: err.message, ...where };
  }
  return lexer.result;
}
