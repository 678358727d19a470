// A worker thread of parallel-read.ts. It stays alive between analyses (unref'd, so it never
// keeps the process running) and keeps its JIT-compiled parser warm; for each job it reads
// claimed files and posts each batch's outcomes, tagged with the job they belong to.
import { workerData, type MessagePort } from "node:worker_threads";
import { readClaimed } from "./read-claimed";

export interface ReadJob {
  id: number;
  paths: string[];
  counters: Int32Array;
  withKey: boolean;
}

const port = (workerData as { port: MessagePort }).port;
port.on("message", (job: ReadJob) => {
  readClaimed(job.paths, job.counters, job.withKey, (batch) =>
    port.postMessage({ id: job.id, batch }),
  );
});
