import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { releaseFiles } from "./release";

/**
 * Copies the release's files (and only those) into `<stagingRoot>/<releaseId>`, which is what gets
 * uploaded. The directory is content-addressed, so an existing one is already complete.
 */
export function stageRelease(
  projectDir: string,
  releaseId: string,
  stagingRoot: string,
  keep: readonly string[] = [],
): string {
  const target = join(stagingRoot, releaseId);
  if (existsSync(target)) return target;
  const tmp = `${target}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const file of releaseFiles(projectDir, keep)) {
    const dest = join(tmp, file);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(join(projectDir, file), dest);
  }
  mkdirSync(stagingRoot, { recursive: true });
  renameSync(tmp, target);
  return target;
}
