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

export function readMigrationSource(bytes: Uint8Array): FileReading {
  let src: string;
  try {
    src = utf8.decode(bytes);
  } catch {
    return { kind: "not-utf8" };
  }
  // A UTF-8 byte order mark is allowed; keep offsets by turning it into a space.
  if (src.charCodeAt(0) === 0xfeff) src = " " + src.slice(1);
  const parsed = parsePython(src);
  if (parsed.problem) return { kind: "syntax", problem: parsed.problem };
  return extractMigration(parsed.tree, src);
}
