import { statSync } from "node:fs";
import { join } from "node:path";
import type { Verdict } from "./release-filter";

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * One line for the preview: what the upload holds and what it leaves out, so a reviewer sees a
 * stray database dump or key file before it ships. Names only for files kept back as secrets.
 */
export function describeRelease(
  releaseId: string,
  root: string,
  files: Record<Verdict, string[]>,
): string {
  const bytes = files.shipped.reduce((sum, file) => sum + statSync(join(root, file)).size, 0);
  const parts = [
    `release ${releaseId}: ${files.shipped.length} files, ${size(bytes)} to upload`,
    `${files.ignored.length} left out by .dockerignore/.gitignore`,
  ];
  if (files.secret.length > 0) {
    parts.push(`never uploaded (settings or key files): ${files.secret.join(", ")}`);
  }
  return parts.join("; ");
}
