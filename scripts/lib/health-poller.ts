// Requests a URL at a fixed rate while a deploy runs and counts what failed: the measure of a
// zero-downtime switch, for the e2e tests and `npm run bench:deploy`. It runs as its own process,
// because the callers run `pulumi up` synchronously (which would stall a timer in their process).
//
//   node --import tsx scripts/lib/health-poller.ts <url> <hz> <maxSeconds>
// prints one JSON PollResult line when stopped by SIGTERM/SIGINT or after maxSeconds.
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";

export interface PollResult {
  requests: number;
  /** Connection errors, timeouts and any status other than 200. */
  failed: number;
  /** The longest time without a successful response, in seconds, from the first request on. */
  longest_gap_s: number;
  /** The first few failures, for a readable test message. */
  samples: string[];
}

/** One GET on a fresh connection (no keep-alive: each request sees the current listener). */
function probe(url: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}`));
      res.on("error", (err) => resolve(err.message));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err) => resolve(err.message));
    req.end();
  });
}

export async function poll(
  url: string,
  hz: number,
  maxSeconds: number,
  stopped: () => boolean,
): Promise<PollResult> {
  const result: PollResult = { requests: 0, failed: 0, longest_gap_s: 0, samples: [] };
  const start = Date.now();
  let lastOk = start;
  const inFlight: Promise<void>[] = [];
  const period = 1000 / hz;
  for (let i = 0; !stopped() && Date.now() - start < maxSeconds * 1000; i++) {
    const sent = Date.now();
    result.requests++;
    inFlight.push(
      probe(url, 5000).then((error) => {
        const now = Date.now();
        if (error === undefined) {
          result.longest_gap_s = Math.max(result.longest_gap_s, (now - lastOk) / 1000);
          lastOk = Math.max(lastOk, now);
        } else {
          result.failed++;
          if (result.samples.length < 5)
            result.samples.push(`${new Date(sent).toISOString()} ${error}`);
        }
      }),
    );
    const next = start + (i + 1) * period;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  await Promise.all(inFlight);
  result.longest_gap_s = Math.max(result.longest_gap_s, (Date.now() - lastOk) / 1000);
  result.longest_gap_s = Math.round(result.longest_gap_s * 100) / 100;
  return result;
}

/** A poller in a child process; `stop()` ends it and resolves with what it counted. */
export function startPoller(
  url: string,
  hz = 20,
  maxSeconds = 900,
): { stop(): Promise<PollResult> } {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", __filename, url, String(hz), String(maxSeconds)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    async stop() {
      child.kill("SIGTERM");
      await exited;
      return JSON.parse(out) as PollResult;
    },
  };
}

if (require.main === module) {
  const [url, hz, maxSeconds] = process.argv.slice(2);
  let stop = false;
  process.on("SIGTERM", () => (stop = true));
  process.on("SIGINT", () => (stop = true));
  void poll(url, Number(hz), Number(maxSeconds), () => stop).then((r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
  });
}
