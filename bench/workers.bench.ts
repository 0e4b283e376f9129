// npm run bench:workers — scale-out on one machine, on real engines (a private PostgreSQL and Redis, started
// here as the tests start them):
//   1. wall time to ingest 8 generated clips through `ingestClip` with 1 `cinerag worker` against 2 (one
//      `cinerag serve` that only enqueues, BullMQ on Redis, PostgreSQL), in rounds 1-2-2-1 so that load from
//      other processes drifting over the run weighs on both; the ratio is 1-worker time / 2-worker time.
//   2. GraphQL throughput (autocannon, a query that reads the database) of two `cinerag serve` processes on
//      the same PostgreSQL against one, with the same number of client connections in all (split evenly).
// Prints the figures and the load average; asserts nothing (the machines are noisy: read the numbers).
// ROUNDS (pairs of runs, default 1), CLIPS (default 8), SECONDS per clip (default 24), DURATION (s per
// throughput run, default 5), CONNECTIONS (default 20).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import autocannon from "autocannon";
import { resolveMediaBinaries } from "../src/media/ffmpeg/binaries.js";
import { startRedis, type TestRedis } from "../test/helpers/redis-server.js";
import { startPostgres, type TestPostgres } from "../test/helpers/postgres-server.js";

const ROUNDS = Number(process.env.ROUNDS ?? 1);
const CLIPS = Number(process.env.CLIPS ?? 8);
const SECONDS = Number(process.env.SECONDS ?? 24);
const DURATION = Number(process.env.DURATION ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);

const run = promisify(execFile);
const bins = resolveMediaBinaries();
const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, "../../bin/cinerag.js");
const work = mkdtempSync(path.join(os.tmpdir(), "cinerag-bench-workers-"));
const children: ChildProcess[] = [];

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

async function makeClip(i: number): Promise<string> {
  const out = path.join(work, `clip-${i}.mp4`);
  // a hue jump every 4 s (real cuts), a different hue per clip (a different content hash)
  const source = `testsrc2=s=640x360:r=25:d=${SECONDS},hue=H=floor(t/4)*1.7+${i * 0.37}`;
  await run(
    bins.ffmpeg,
    ["-y", "-v", "error", "-f", "lavfi", "-i", source, "-c:v", "libx264", "-preset", "veryfast"].concat([
      "-crf",
      "23",
      "-pix_fmt",
      "yuv420p",
      out,
    ]),
  );
  return out;
}

/** starts a cinerag child; resolves with the first group of `ready` once its stderr matches */
function cli(args: string[], env: Record<string, string>, ready: RegExp): Promise<string> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  let err = "";
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      const m = ready.exec(err);
      if (m) resolve(m[1] ?? m[0]);
    });
    child.once("exit", (code) => reject(new Error(`cinerag ${args[0]} exited ${code}: ${err.slice(-2000)}`)));
  });
}

async function stopAll(): Promise<void> {
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
        }),
    ),
  );
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

interface Engines {
  pg: TestPostgres;
  redis: TestRedis;
}

let databases = 0;

/** one serve (enqueue only) and `workers` workers on a fresh database and data directory; the wall time of
 *  the 8 ingests from the first enqueue to the last SUCCEEDED */
async function ingestWith(
  workers: number,
  clips: string[],
  e: Engines,
): Promise<{ ms: number; env: Record<string, string> }> {
  const dataDir = mkdtempSync(path.join(work, `data-${workers}w-`));
  const env: Record<string, string> = {
    CINERAG_DATA_DIR: dataDir,
    CINERAG_DATABASE_URL: await e.pg.createDatabase(`bench_workers_${++databases}`),
    CINERAG_REDIS_URL: e.redis.url,
    CINERAG_MEDIA_ROOTS: work,
    CINERAG_MODELS_FIRST_PULL: "none",
    CINERAG_OFFLINE: "1",
    CINERAG_LOG_LEVEL: "warn",
  };
  const url = await cli(["serve", "--port", "0"], env, /serving (http:\/\/\S+)/);
  for (let i = 0; i < workers; i++) await cli(["worker"], env, /worker running/);
  const started = performance.now();
  const ids: string[] = [];
  for (const file of clips) {
    const r = await gql<{ ingestClip: { id: string } }>(
      url,
      `mutation($input: IngestClipInput!) { ingestClip(input: $input) { id } }`,
      { input: { path: file } },
    );
    ids.push(r.ingestClip.id);
  }
  for (;;) {
    const { jobs } = await gql<{ jobs: { nodes: Array<{ status: string }> } }>(
      url,
      `{ jobs(first: 100) { nodes { status } } }`,
    );
    const done = jobs.nodes.filter((j) => j.status === "SUCCEEDED").length;
    const failed = jobs.nodes.filter((j) => j.status === "FAILED" || j.status === "CANCELLED").length;
    if (failed > 0) throw new Error(`${failed} ingest jobs failed`);
    if (done === ids.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ms = performance.now() - started;
  await stopAll();
  await e.redis.stop(); // an empty queue for the next run
  await e.redis.start();
  return { ms, env };
}

async function throughput(urls: string[]): Promise<number> {
  const body = JSON.stringify({ query: "{ clips(first: 10) { totalCount nodes { title duration } } }" });
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({
        url,
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        connections: Math.max(1, Math.round(CONNECTIONS / urls.length)),
        duration: DURATION,
      }),
    ),
  );
  for (const r of results) if (r.errors > 0 || r.non2xx > 0) throw new Error(`${r.errors} errors, ${r.non2xx} non-2xx`);
  return results.reduce((sum, r) => sum + r.requests.average, 0);
}

async function main(): Promise<void> {
  console.log(`bench:workers on ${os.cpus().length} cores; load average at start ${load()}`);
  const [redis, pg] = await Promise.all([startRedis(), startPostgres()]);
  const engines = { redis, pg };
  try {
    const clips = await Promise.all(Array.from({ length: CLIPS }, (_, i) => makeClip(i)));
    console.log(`${CLIPS} clips of ${SECONDS} s, 640x360 H.264, generated`);
    const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
    let last: Record<string, string> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const workers of [1, 2, 2, 1] as const) {
        const { ms, env } = await ingestWith(workers, clips, engines);
        times[workers].push(ms);
        last = env;
        console.log(`  ${workers} worker${workers > 1 ? "s" : " "}: ${(ms / 1000).toFixed(2)} s   (load ${load()})`);
      }
    }
    const median = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const mid = sorted.length / 2;
      return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
    };
    const one = median(times[1]);
    const two = median(times[2]);
    console.log(
      `ingest of ${CLIPS} clips: 1 worker ${(one / 1000).toFixed(2)} s, 2 workers ${(two / 1000).toFixed(2)} s: ` +
        `speed-up ${(one / two).toFixed(2)}x (2 would be linear)`,
    );
    console.log(
      `  on this ${os.cpus().length}-core machine both workers share the cores with ffmpeg's decoder threads; ` +
        `each ingest keeps about 1-2 cores busy (one decode pass plus Node), so a 16-core machine should see ` +
        `close to 2x for 2 workers, and keep gaining up to roughly 8 workers before the cores run out.`,
    );

    // throughput: the last run's database (8 READY clips) behind one server, then two
    const a = await cli(["serve", "--port", "0"], last, /serving (http:\/\/\S+)/);
    const b = await cli(["serve", "--port", "0"], last, /serving (http:\/\/\S+)/);
    await throughput([a]); // warm-up: connection pools, JIT
    await throughput([a, b]);
    const single: number[] = [];
    const double: number[] = [];
    for (let round = 0; round < 2; round++) {
      single.push(await throughput([a]));
      double.push(await throughput([a, b]));
    }
    await stopAll();
    const s = median(single);
    const d = median(double);
    console.log(
      `GraphQL throughput (${CONNECTIONS} connections in all, ${DURATION} s runs): one server ${s.toFixed(0)} req/s, ` +
        `two servers on the same PostgreSQL ${d.toFixed(0)} req/s: ratio ${(d / s).toFixed(2)} (load ${load()})`,
    );
    console.log(
      `  here the load generator, both servers and PostgreSQL share ${os.cpus().length} cores; with a core or more ` +
        `per server (and the database on its own) the ratio should approach 2 until PostgreSQL saturates.`,
    );
  } finally {
    await stopAll();
    await redis.stop();
    await pg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
