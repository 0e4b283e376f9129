// Floods on 127.0.0.1 against `cinerag serve` in a child process (issue 15, items 2, 8 and 9): WebSocket
// message floods, too many connections from one address, too many subscriptions on one connection, an HTTP
// flood, the search/ask load right after a flood, and a query whose errors would fill the response.
// Bounds are the issue's own (memory back within 20% of its start, no request over 2 s after a flood), but
// for the trivial query's p99 during the flood: the flood client runs on the same cores as the server, so
// that bound is 100 ms or 30x the p99 measured unloaded in the same run, whichever is larger; the table
// says whether the 100 ms itself was met, and the server's own CPU time is bounded as well.
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import WebSocket from "ws";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { seedClip } from "../integration/search/seed.js";
import { tempDataDir, testConfig } from "../integration/graphql/helpers/seed.js";
import {
  percentile,
  probeLatency,
  procCpuSeconds,
  startServerProcess,
  type ServerProcess,
} from "./helpers/server-process.js";
import { record, runCases } from "./helpers/record.js";

const FLOOD = path.resolve("test/attack/helpers/ws-flood.mjs");
let dir: string;
let server: ServerProcess;

beforeAll(async () => {
  dir = await tempDataDir("cinerag-attack-flood-");
  const app = await createApp(testConfig(dir));
  const lines = ["where were you last night", "the storm is coming", "I never loved the sea", "run to the harbour"];
  for (let c = 0; c < 4; c++)
    await seedClip(app.prisma, { title: `clip ${c}`, texts: lines.map((l, i) => `${l} ${c} ${i}`), outbox: true });
  await app.close();
  server = await startServerProcess({ CINERAG_DATA_DIR: dir, CINERAG_ENRICH: "none", CINERAG_OFFLINE: "1" });
  // Measure a warm server. Its outbox drain loads the word-vector embedder (~220 MB) a few seconds after it
  // starts listening, and that load holds its event loop for 1-2 s on an idle 2-core machine, longer under
  // load: once past Node's 5 s keep-alive timeout, the baseline probe's connection was reset (ECONNRESET
  // in a full run). That is a startup cost, not what a flood does; the flood is measured after it.
  const db = new Database(path.join(dir, "cinerag.db"), { readonly: true });
  try {
    const deadline = Date.now() + 60_000;
    const pending = () => (db.prepare("SELECT COUNT(*) AS n FROM SearchOutbox").get() as { n: number }).n;
    while (pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(pending(), "search outbox drained within 60 s of the start").toBe(0);
  } finally {
    db.close();
  }
  const warm = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: 'query { searchScenes(query: "storm", first: 1) { score } }' }),
  });
  expect(warm.status).toBe(200);
  await warm.text();
});
afterAll(async () => {
  const code = await server?.stop();
  expect(code).toBe(0);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function flood(
  connections: number,
  each: number,
): Promise<{ closeCodes: Record<string, number>; errors: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOOD, server.wsUrl, String(connections), String(each)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", () => {
      try {
        resolve(JSON.parse(out) as never);
      } catch {
        reject(new Error(`flood client printed ${out}`));
      }
    });
  });
}

async function settledRss(ms: number): Promise<number> {
  let low = Infinity;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    low = Math.min(low, server.rssMb());
    await new Promise((r) => setTimeout(r, 200));
  }
  return low;
}

it("a WebSocket message flood: the server refuses it, a trivial query stays fast, memory comes back", async () => {
  await probeLatency(server.url, { count: 50 }); // warm-up
  const base = await probeLatency(server.url, { count: 200 });
  const rssStart = await settledRss(1000);
  let rssPeak = rssStart;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, server.rssMb())), 100);
  const cpuBefore = procCpuSeconds(server.child.pid!);
  const flooding = flood(20, 2000);
  const during = await probeLatency(server.url, { until: flooding });
  const first = await flooding;
  const cpu = procCpuSeconds(server.child.pid!) - cpuBefore;
  const rssAfterFirst = await settledRss(3000);
  // a second flood: what a leak keeps, it keeps again (RSS of a V8 process rarely shrinks to its start)
  const second = await flood(20, 2000);
  clearInterval(sampler);
  const rssAfterSecond = await settledRss(3000);
  const p99Base = percentile(base, 99);
  const p99Flood = percentile(during, 99);
  const refused = (r: typeof first) => (r.closeCodes["4429"] ?? 0) + (r.errors.TOO_MANY_REQUESTS ?? 0);
  const failures = await runCases(
    "ws message flood (2 x 20 conn x 2000 subscribe)",
    [
      // the bound (100 ms), or 30x the same run's unloaded p99 on a loaded machine (the flood client
      // shares the cores), whichever is larger; the CPU bound below is the one that load does not blur
      () => expect(p99Flood).toBeLessThan(Math.max(100, 30 * p99Base)),
      // the server's own CPU for 40,000 messages (the unprotected server spent tens of seconds)
      () => expect(cpu).toBeLessThan(10),
      () => expect(refused(first)).toBeGreaterThan(0),
      () => expect(refused(second)).toBeGreaterThan(0),
      () => expect((first.errors.INTERNAL_SERVER_ERROR ?? 0) + (second.errors.INTERNAL_SERVER_ERROR ?? 0)).toBe(0),
      // the bound: memory back within 20% of its start once the sockets have closed, after each
      // flood; and the second flood keeps no more than the first did (a leak would keep it again)
      () => expect(rssAfterFirst).toBeLessThan(rssStart * 1.2),
      () => expect(rssAfterSecond).toBeLessThan(rssStart * 1.2),
      () => expect(rssAfterSecond - rssAfterFirst).toBeLessThan(0.1 * rssStart),
      () => expect(server.child.exitCode).toBeNull(),
    ],
    (check) => check(),
    () =>
      `trivial query p99 ${p99Base.toFixed(1)} ms before, ${p99Flood.toFixed(1)} ms during (${p99Flood < 100 ? "within" : "over"} the issue's 100 ms) (${during.length} probes, max ${Math.max(...during).toFixed(0)} ms); server cpu ${cpu.toFixed(2)} s; rss ${rssStart.toFixed(0)} -> peak ${rssPeak.toFixed(0)} -> ${rssAfterFirst.toFixed(0)} after 1st, ${rssAfterSecond.toFixed(0)} MB after 2nd flood; closes ${JSON.stringify(first.closeCodes)}`,
  );
  expect(failures).toEqual([]);
});

function connect(): Promise<{ ws: WebSocket; acked: boolean; closeCode?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(server.wsUrl, "graphql-transport-ws");
    ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init" })));
    ws.on("message", (raw: Buffer) => {
      if ((JSON.parse(raw.toString()) as { type: string }).type === "connection_ack") resolve({ ws, acked: true });
    });
    ws.on("close", (code) => resolve({ ws, acked: false, closeCode: code }));
    ws.on("error", () => undefined);
  });
}

it("too many connections from one address are closed with 4429", async () => {
  const sockets = await Promise.all(Array.from({ length: 70 }, () => connect()));
  const acked = sockets.filter((s) => s.acked).length;
  const refused = sockets.filter((s) => s.closeCode === 4429).length;
  for (const s of sockets) s.ws.terminate();
  const failures = await runCases(
    "ws connections per IP (70, limit 64)",
    [() => expect(acked).toBe(64), () => expect(refused).toBe(6)],
    (check) => check(),
    () => `${acked} accepted, ${refused} closed 4429`,
  );
  expect(failures).toEqual([]);
});

it("too many subscriptions on one connection: the extra ones get TOO_MANY_REQUESTS", async () => {
  const { ws } = await connect();
  const codes: string[] = [];
  ws.on("message", (raw: Buffer) => {
    const msg = JSON.parse(raw.toString()) as { type: string; payload?: Array<{ extensions?: { code?: string } }> };
    if (msg.type === "error") codes.push(msg.payload?.[0]?.extensions?.code ?? "none");
  });
  for (let i = 0; i < 70; i++)
    ws.send(
      JSON.stringify({ id: `s${i}`, type: "subscribe", payload: { query: "subscription { clipUpdated { clipId } }" } }),
    );
  const deadline = Date.now() + 10_000;
  while (codes.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300)); // no more than six
  ws.terminate();
  const failures = await runCases(
    "ws subscriptions per connection (70, limit 64)",
    [() => expect(codes).toEqual(Array(6).fill("TOO_MANY_REQUESTS"))],
    (check) => check(),
    () => `${codes.length} refused`,
  );
  expect(failures).toEqual([]);
});

it("an HTTP flood is answered without server errors", async () => {
  const result = await autocannon({
    url: server.url,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ clips { totalCount } }" }),
    connections: 20,
    amount: 3000,
  });
  const health = await fetch(`${server.origin}/healthz`);
  const failures = await runCases(
    "http flood (3000 requests, 20 connections)",
    [() => expect(result.errors).toBe(0), () => expect(result.non2xx).toBe(0), () => expect(health.status).toBe(200)],
    (check) => check(),
    () => `p99 ${result.latency.p99} ms, ${Math.round(result.requests.average)} req/s`,
  );
  expect(failures).toEqual([]);
});

it("searchScenes and ask right after a flood: no request over 2 s", async () => {
  const flooded = flood(20, 1000);
  await flooded;
  const queries = [
    { query: 'query { searchScenes(query: "storm sea", first: 5) { score scene { id } } }' },
    { query: 'query { ask(question: "Where were you last night?") { text citations { marker } } }' },
  ];
  const latencies: number[] = [];
  const problems: string[] = [];
  let next = 0;
  const total = 300;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < total) {
        const body = queries[next++ % queries.length]!;
        const started = performance.now();
        const res = await fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        const json = (await res.json()) as { errors?: Array<{ message: string }> };
        latencies.push(performance.now() - started);
        if (res.status !== 200 || json.errors) problems.push(`${res.status} ${json.errors?.[0]?.message ?? ""}`);
      }
    }),
  );
  const max = Math.max(...latencies);
  const failures = await runCases(
    "search/ask load right after a ws flood",
    [() => expect(problems).toEqual([]), () => expect(max).toBeLessThan(2000)],
    (check) => check(),
    () => `${latencies.length} requests, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${max.toFixed(0)} ms`,
  );
  expect(failures).toEqual([]);
});

it("a query with 200 unknown directives gets a capped list of errors", async () => {
  const directives = Array.from({ length: 200 }, (_, i) => `@d${i}`).join(" ");
  const res = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: `{ __typename ${directives} }` }),
  });
  const body = (await res.json()) as { errors: Array<{ message: string; extensions?: { code?: string } }> };
  const failures = await runCases(
    "errors per response (200 directives)",
    [
      () => expect(body.errors.length).toBeGreaterThan(1),
      () => expect(body.errors.length).toBeLessThanOrEqual(20),
      () => expect(body.errors.every((e) => typeof e.extensions?.code === "string")).toBe(true),
    ],
    (check) => check(),
    () => `${body.errors.length} error entries`,
  );
  expect(failures).toEqual([]);
});

// keeps `record` referenced for files that add rows without runCases
void record;
