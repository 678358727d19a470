// Reads (decodes and parses) many migration files on every core. The analyzer's API is
// synchronous, so the main thread does not wait on events: it reads from the shared queue itself,
// then blocks with Atomics.wait until the workers' batches are done and takes their results with
// receiveMessageOnPort. A worker that cannot start never claims work, and if workers stop making
// progress the main thread reads whatever is left, so the answer never depends on the workers.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { extname, join } from "node:path";
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from "node:worker_threads";
import type { ParseCache } from "./parse-cache";
import { contentKey, DONE, readClaimed, readOne, type FileOutcome } from "./read-claimed";
import type { ReadJob } from "./read-worker";

// A worker costs ~0.1 s before it parses anything (thread start, loading and JIT-compiling the
// parser) and ~0.25 s of CPU in all. Measured in a fresh CLI process on 2 cores, it did not pay
// for itself at 1,400 real-world-like files (0.65 s either way, +40% CPU) and did at 10,000
// (3.4 s -> 2.3 s); below 1,000 files per thread one thread is used.
const MIN_FILES_PER_THREAD = 1000;
// A worker that has done nothing for this long is not waited for.
const STALL_MS = 10_000;

interface PoolWorker {
  worker: Worker;
  port: MessagePort;
}

/** Workers kept for the life of the process (see read-worker.ts). */
const pool: PoolWorker[] = [];
let nextJob = 1;

/** Threads to use: MIGRATION_GRAPH_THREADS if set (1 = no workers), else up to one per core. */
function threadCount(files: number): number {
  const fromEnv = Number(process.env.MIGRATION_GRAPH_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.max(1, Math.min(availableParallelism(), Math.floor(files / MIN_FILES_PER_THREAD)));
}

/**
 * The worker's code. Compiled, it is read-worker.js. Run from the TypeScript sources (tests,
 * `pulumi preview` through ts-node), the worker needs a TypeScript loader of its own: tsx's,
 * which is installed with the dev dependencies; without it no worker starts.
 */
function workerScript(): string {
  const entry = join(__dirname, `read-worker${extname(__filename)}`);
  const loader = entry.endsWith(".ts") ? require.resolve("tsx/cjs") : null;
  return (
    (loader ? `require(${JSON.stringify(loader)});` : "") + `require(${JSON.stringify(entry)});`
  );
}

function startWorker(): PoolWorker | null {
  const { port1, port2 } = new MessageChannel();
  try {
    const worker = new Worker(workerScript(), {
      eval: true,
      workerData: { port: port2 },
      transferList: [port2],
    });
    const entry = { worker, port: port1 };
    // A worker that dies only loses its share of the work (see the stall check); it is not reused.
    const drop = () => {
      const at = pool.indexOf(entry);
      if (at >= 0) pool.splice(at, 1);
    };
    worker.on("error", drop);
    worker.on("exit", drop);
    worker.unref();
    port1.unref();
    return entry;
  } catch {
    port1.close();
    return null;
  }
}

function workers(count: number): PoolWorker[] {
  while (pool.length < count) {
    const started = startWorker();
    if (!started) break;
    pool.push(started);
  }
  return pool.slice(0, count);
}

/** Every file's outcome, in the order of `paths`. */
function readFiles(paths: readonly string[], withKey: boolean): FileOutcome[] {
  const outcomes: Array<FileOutcome | undefined> = new Array(paths.length);
  const store = (batch: Array<[number, FileOutcome]>) => {
    for (const [i, outcome] of batch) outcomes[i] = outcome;
  };
  const job: ReadJob = {
    id: nextJob++,
    paths: [...paths],
    counters: new Int32Array(new SharedArrayBuffer(8)),
    withKey,
  };
  const helpers = workers(threadCount(paths.length) - 1);
  for (const { port } of helpers) port.postMessage(job);
  readClaimed(paths, job.counters, withKey, store);

  let seen = Atomics.load(job.counters, DONE);
  let lastProgress = Date.now();
  while (seen < paths.length && Date.now() - lastProgress < STALL_MS) {
    Atomics.wait(job.counters, DONE, seen, 100);
    const now = Atomics.load(job.counters, DONE);
    if (now !== seen) lastProgress = Date.now();
    seen = now;
  }
  for (const { port } of helpers) {
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
      const { id, batch } = m.message as { id: number; batch: Array<[number, FileOutcome]> };
      if (id === job.id) store(batch); // late batches of an abandoned job are dropped
    }
  }
  // Whatever a stalled or failed worker claimed and never delivered.
  for (let i = 0; i < paths.length; i++) outcomes[i] ??= readOne(paths[i], withKey);
  return outcomes as FileOutcome[];
}

/**
 * Every file's outcome, in the order of `paths`: from the parse cache when it holds the file's
 * content, else read on every core (and added to the cache).
 */
export function readMigrationFiles(paths: readonly string[], cache: ParseCache): FileOutcome[] {
  // Without a cache file, hashing every file's content would buy nothing.
  if (!cache.persistent) return readFiles(paths, false);
  const outcomes: FileOutcome[] = new Array(paths.length);
  const misses: number[] = [];
  paths.forEach((path, i) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      outcomes[i] = { reading: null, ioError: (err as Error).message };
      return;
    }
    const key = contentKey(bytes);
    const hit = cache.get(key);
    if (hit) outcomes[i] = { reading: hit, key };
    else misses.push(i);
  });
  const parsed = readFiles(
    misses.map((i) => paths[i]),
    true,
  );
  misses.forEach((i, j) => {
    const outcome = parsed[j];
    outcomes[i] = outcome;
    if (outcome.reading && outcome.key) cache.set(outcome.key, outcome.reading);
  });
  return outcomes;
}
