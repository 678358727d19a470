// Everything the analyzer needs from one migration file, as a pure function of its bytes (so the
// result can be cached by content hash).
import { extractMigration, type ExtractNote } from "./extract";
import { parsePython, type SyntaxProblem } from "./python-syntax";
import type { MigrationDeclaration } from "./types";

export type FileReading =
  | { kind: "not-utf8" }
  | { kind: "syntax"; problem: SyntaxProblem }
  | { kind: "missing" }
  | { kind: "class" | "other-binding"; declaration: MigrationDeclaration; notes: ExtractNote[] };

const utf8 = new TextDecoder("utf-8", { fatal: true });

function isEncodingNameChar(c: string): boolean {
  return (
    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || "-_.".includes(c)
  );
}

/** The PEP 263 `# -*- coding: <name> -*-` declaration of the first two lines, if any. */
export function declaredEncoding(bytes: Uint8Array): string | null {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 400)).split("\n").slice(0, 2);
  for (const line of head) {
    const trimmed = line.trimStart();
    if (!trimmed.startsWith("#")) {
      if (trimmed === "" || trimmed === "\r") continue;
      return null;
    }
    const at = trimmed.indexOf("coding");
    const sep = trimmed[at + 6];
    if (at === -1 || (sep !== ":" && sep !== "=")) continue;
    let p = at + 7;
    while (trimmed[p] === " " || trimmed[p] === "\t") p++;
    let name = "";
    while (p < trimmed.length && isEncodingNameChar(trimmed[p])) name += trimmed[p++];
    return name || null;
  }
  return null;
}

// Python codec names that are not WHATWG encoding labels.
const PYTHON_CODEC_LABELS: Record<string, string> = {
  "latin-1": "latin1",
  "iso-latin-1": "latin1",
  "iso8859-1": "iso-8859-1",
  "iso8859-15": "iso-8859-15",
  cp1252: "windows-1252",
};

function decode(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    // Python reads a file in its declared encoding (e.g. latin-1) when it has one.
    const declared = declaredEncoding(bytes);
    if (!declared) return null;
    try {
      const name = declared.toLowerCase().split("_").join("-");
      return new TextDecoder(PYTHON_CODEC_LABELS[name] ?? name, { fatal: true }).decode(bytes);
    } catch {
      return null;
    }
  }
}

export function readMigrationSource(bytes: Uint8Array): FileReading {
  const decoded = decode(bytes);
  if (decoded === null) return { kind: "not-utf8" };
  let src = decoded;
  // A UTF-8 byte order mark is allowed; keep offsets by turning it into a space.
  if (src.charCodeAt(0) === 0xfeff) src = " " + src.slice(1);
  const parsed = parsePython(src);
  if (parsed.problem) return { kind: "syntax", problem: parsed.problem };
  return extractMigration(parsed.tree, src);
}
