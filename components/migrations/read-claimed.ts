// Reading migration files off a shared work queue: the main thread and the worker threads each
// claim the next batch of file indices with an atomic add, so a thread that starts late (a worker
// still loading the parser) simply claims fewer batches. Used on both sides of parallel-read.ts.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readMigrationSource, type FileReading } from "./read-migration";

/** What reading one file gives: its reading (and content key, for the parse cache), or why it could not be read. */
export type FileOutcome =
  { reading: FileReading; key: string | null } | { reading: null; ioError: string };

/** Layout of the shared Int32Array: the next unclaimed index, and how many files are done. */
export const NEXT = 0;
export const DONE = 1;

// Small enough to balance two threads at the end, large enough that claiming costs nothing.
const BATCH = 16;

/** The parse cache's key for a file's bytes. */
export function contentKey(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("base64");
}

export function readOne(path: string, withKey: boolean): FileOutcome {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return { reading: null, ioError: (err as Error).message };
  }
  return { reading: readMigrationSource(bytes), key: withKey ? contentKey(bytes) : null };
}

/**
 * Claims and reads batches until the queue is empty, handing each finished batch to `sink`
 * before counting it as done (so whoever waits for DONE finds every result already sent).
 */
export function readClaimed(
  paths: readonly string[],
  counters: Int32Array,
  withKey: boolean,
  sink: (batch: Array<[number, FileOutcome]>) => void,
): void {
  for (;;) {
    const start = Atomics.add(counters, NEXT, BATCH);
    if (start >= paths.length) return;
    const end = Math.min(start + BATCH, paths.length);
    try {
      const batch: Array<[number, FileOutcome]> = [];
      for (let i = start; i < end; i++) batch.push([i, readOne(paths[i], withKey)]);
      sink(batch);
    } finally {
      // Counted even when the parser threw: the waiting thread then reads the missing files
      // itself, and a bug in the parser surfaces there as it would without workers.
      Atomics.add(counters, DONE, end - start);
      Atomics.notify(counters, DONE);
    }
  }
}
