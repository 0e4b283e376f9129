// Subscriptions across processes on a real Redis: server A is a `cinerag serve` child process that runs the
// ingest job; server B runs in this process with its job runner off, on the same data directory, so every
// event a graphql-ws client on B receives crossed Redis. Also: an unreachable Redis at start is one line and
// exit 69; a URL that is not redis:// is a configuration error.
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../../src/app.js";
import { startServer, type RunningServer } from "../../../src/server/graphql-server.js";
import { generateClip, tempDir } from "../../fixtures/media.js";
import { freePort, REDIS_MISSING, startRedis, type TestRedis } from "../../helpers/redis-server.js";
import { tempDataDir, testConfig } from "../../integration/graphql/helpers/seed.js";
import { wsCollect } from "../graphql/helpers.js";

const CLI = path.resolve("bin/cinerag.js");
if (REDIS_MISSING) console.warn(`skipping the cross-process subscription test: ${REDIS_MISSING}`);

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe.skipIf(Boolean(REDIS_MISSING))("subscriptions across processes on Redis", () => {
  let redis: TestRedis;
  let dir: string;
  let media: string;
  let clipFile: string;
  let serverA: ChildProcess;
  let urlA: string;
  let appB: App;
  let serverB: RunningServer;

  beforeAll(async () => {
    redis = await startRedis();
    dir = await tempDataDir("cinerag-redis-e2e-");
    media = await tempDir("cinerag-redis-media-");
    clipFile = await generateClip(media, {
      name: "across",
      fps: 25,
      width: 640,
      height: 360,
      shots: [
        { duration: 6, colour: "0x8c1c1c", accent: "0xf0d020", angle: "left" },
        { duration: 6, colour: "0x1c2c8c", accent: "0x20e0f0", angle: "right" },
      ],
      subtitles: [
        {
          format: "srt",
          language: "en",
          placement: "sidecar",
          cues: [{ start: 0.5, end: 2, text: "Across the wire." }],
        },
      ],
    });
    // CINERAG_JOBS=in-process: Redis for the subscriptions only, the job runs in server A (Redis alone would
    // select the BullMQ queue, whose jobs only a `cinerag worker` runs)
    const env = {
      CINERAG_DATA_DIR: dir,
      CINERAG_REDIS_URL: redis.url,
      CINERAG_JOBS: "in-process",
      CINERAG_MEDIA_ROOTS: media,
    };
    serverA = spawn(process.execPath, [CLI, "serve", "--port", "0"], {
      env: { ...process.env, ...env, CINERAG_LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    urlA = await new Promise<string>((resolve, reject) => {
      let err = "";
      serverA.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
        const m = /serving (http:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      serverA.once("exit", (code) => reject(new Error(`server A exited ${code}: ${err}`)));
    });
    appB = await createApp(testConfig(dir, env));
    serverB = await startServer(appB, { port: 0, host: "127.0.0.1", runJobs: false });
  });
  afterAll(async () => {
    serverA?.kill("SIGTERM");
    await new Promise((r) => (serverA?.exitCode === null ? serverA.once("exit", r) : r(null)));
    await serverB?.close();
    await appB?.close();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(media, { recursive: true, force: true });
  });

  it("a client on server B receives the progress of a job that server A runs, to its final event", async () => {
    const client = createClient({ url: serverB.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    // clipUpdated on B as well: the READY event is published by A's job runner
    const clipEvents: unknown[] = [];
    type Next = { data?: unknown };
    const clipSub = client.subscribe(
      { query: `subscription { clipUpdated { clipId change } }` },
      { next: (r: Next) => void clipEvents.push(r.data), error: () => undefined, complete: () => undefined },
    );
    const res = await fetch(urlA, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `mutation($input: IngestClipInput!) { ingestClip(input: $input) { id } }`,
        variables: { input: { path: clipFile, title: "Across" } },
      }),
    });
    const body = (await res.json()) as { data: { ingestClip: { id: string } } };
    const jobId = body.data.ingestClip.id;
    const { results, error } = await wsCollect<{
      jobProgress: { status: string; percent: number; stage: string | null; final: boolean };
    }>(client, `subscription($id: ID!) { jobProgress(jobId: $id) { status percent stage final } }`, { id: jobId });
    expect(error).toBeUndefined();
    const events = results.map((r) => r.data!.jobProgress);
    expect(events.at(-1)).toMatchObject({ status: "SUCCEEDED", final: true, percent: 100 });
    // more than the state read at subscription time: live events crossed Redis from A
    expect(events.length).toBeGreaterThan(2);
    const percents = events.map((e) => e.percent);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    for (let i = 0; i < 100 && clipEvents.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const changes = clipEvents.map((e) => (e as { clipUpdated: { clipId: string; change: string } }).clipUpdated);
    expect(changes.some((c) => c.change === "READY" && c.clipId.length > 0)).toBe(true);
    clipSub();
    await client.dispose();
  });

  it("refuses to start with an unreachable Redis: one line, exit 69", async () => {
    const port = await freePort();
    const { code, stderr } = await run(["serve", "--port", "0"], {
      CINERAG_DATA_DIR: dir,
      CINERAG_REDIS_URL: `redis://user:hunter2@127.0.0.1:${port}`,
    });
    expect(code).toBe(69);
    const lines = stderr.trim().split("\n");
    expect(lines.at(-1)).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ cannot be reached/);
    expect(stderr).not.toContain("hunter2");
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("refuses a CINERAG_REDIS_URL that is not a redis:// URL as a configuration error", async () => {
    const { code, stderr } = await run(["serve"], {
      CINERAG_DATA_DIR: dir,
      CINERAG_REDIS_URL: "http://127.0.0.1:6379",
    });
    expect(code).toBe(78);
    expect(stderr).toMatch(/CINERAG_REDIS_URL/);
  });
});
