import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { releaseFilter, type Verdict } from "./release-filter";

/**
 * Local clutter that is not part of a release and must not change its id. Pulumi's own staging and
 * state directories are listed because the Django project may be the Pulumi project (projectPath
 * '.'): staging a release would otherwise change the id of the next one.
 */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set([
  ".git",
  ".pulumi",
  ".pulumi-release",
  "__pycache__",
  "node_modules",
  ".venv",
  "venv",
  ".mypy_cache",
  ".pytest_cache",
]);
const SKIPPED_FILES = [/\.pyc$/, /^\.DS_Store$/];

/** The project's files by verdict, each list sorted, as '/'-separated relative paths. */
export function sortReleaseFiles(
  root: string,
  keep: readonly string[] = [],
): Record<Verdict, string[]> {
  const filter = releaseFilter(root, keep);
  const out: Record<Verdict, string[]> = { shipped: [], ignored: [], secret: [] };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path);
      } else if (entry.isFile() && !SKIPPED_FILES.some((re) => re.test(entry.name))) {
        const file = relative(root, path).split(sep).join("/");
        out[filter.verdict(file)].push(file);
      }
    }
  };
  walk(root);
  for (const list of Object.values(out)) list.sort();
  return out;
}

/**
 * Every file of the project that belongs to a release, as sorted '/'-separated relative paths:
 * not ignored by .dockerignore or .gitignore (except `keep`), never a settings or key file.
 */
export function releaseFiles(root: string, keep: readonly string[] = []): string[] {
  return sortReleaseFiles(root, keep).shipped;
}

function isExecutable(root: string, file: string): boolean {
  return (statSync(join(root, file)).mode & 0o100) !== 0;
}

/**
 * The release's files that are executable for their owner. The upload does not carry file modes
 * (every file arrives 0644), so the deploy restores these bits on the server.
 */
export function executableFiles(root: string, keep: readonly string[] = []): string[] {
  return releaseFiles(root, keep).filter((file) => isExecutable(root, file));
}

/**
 * Content hash of a set of files: names, bytes and the owner's exec bit, so a rename or a chmod
 * changes it too.
 */
export function hashFiles(root: string, files: string[]): string {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(file).update("\0");
    hash.update(
      createHash("sha256")
        .update(readFileSync(join(root, file)))
        .digest("hex"),
    );
    hash.update("\0");
    if (isExecutable(root, file)) hash.update("+x\0");
  }
  return hash.digest("hex");
}

/**
 * Each file's short content hash, with "+x" for the owner's exec bit: what the deploy record keeps
 * so the next preview can say how many files a release changes.
 */
export function fileHashes(root: string, files: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of files) {
    const digest = createHash("sha256")
      .update(readFileSync(join(root, file)))
      .digest("hex")
      .slice(0, 12);
    out[file] = isExecutable(root, file) ? `${digest}+x` : digest;
  }
  return out;
}

/** A release id: short, stable for identical content, safe in paths and image tags. */
export function releaseId(root: string, keep: readonly string[] = []): string {
  return hashFiles(root, releaseFiles(root, keep)).slice(0, 12);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
