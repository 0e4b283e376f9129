// BullMQ job queue across processes on a real Redis: one `cinerag serve` that only enqueues (CINERAG_JOBS=bullmq)
// and two `cinerag worker` processes, on one data directory and one database: SQLite in that directory, then
// PostgreSQL (a private cluster, where its binaries are installed). A job cancelled while queued never
// runs; a job enqueued on the server runs on a worker and its jobProgress reaches a graphql-ws client on the
// server; the worker running a job is killed with kill -9 and the other worker takes it over (BullMQ's
// stalled-job check, short lock times here) and finishes it: the clip is READY, once.
import { spawn } from "node:child_process";
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateClip, tempDir } from "../../fixtures/media.js";
import { REDIS_MISSING, startRedis, type TestRedis } from "../../helpers/redis-server.js";
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from "../../helpers/postgres-server.js";
import { tempDataDir } from "../../integration/graphql/helpers/seed.js";
import { startTestServer, wsCollect } from "../graphql/helpers.js";
import {
  CLI,
  bullmqEnv,
  cleanIngest,
  gqlAt,
  shots,
  startCli,
  startServe,
  stopProc,
  type Proc,
  leaseHolders as helperLeaseHolders,
} from "./helpers.js";

if (REDIS_MISSING) console.warn(`skipping the BullMQ worker test: ${REDIS_MISSING}`);
if (POSTGRES_MISSING) console.warn(`skipping the BullMQ worker test on PostgreSQL: ${POSTGRES_MISSING}`);

interface JobRow {
  status: string;
  percent: number;
  message: string | null;
  clip: { id: string; status: string } | null;
}

const DATABASES = [
  { name: "SQLite", skip: Boolean(REDIS_MISSING) },
  { name: "PostgreSQL", skip: Boolean(REDIS_MISSING || POSTGRES_MISSING) },
] as const;

describe.each(DATABASES)("BullMQ: one server enqueues, two workers run the jobs, on $name", ({ name, skip }) => {
  if (skip) {
    it.skip(`needs ${name === "SQLite" ? "redis-server" : "redis-server and PostgreSQL"}`, () => undefined);
    return;
  }
  let pg: TestPostgres | undefined;
  let redis: TestRedis;
  let dir: string;
  let media: string;
  let short: string;
  let long: string;
  let spare: string;
  let long2: string;
  let long3: string;
  let env: Record<string, string>;
  let serve: Proc;
  let url: string;
  const workers: Proc[] = [];
  let client: Client;

  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => gqlAt(url)<T>(query, variables);
  const ingest = async (file: string) =>
    (
      await gql<{ ingestClip: { id: string } }>(
        `mutation($input: IngestClipInput!) { ingestClip(input: $input) { id } }`,
        { input: { path: file } },
      )
    ).ingestClip.id;
  const job = async (id: string) =>
    (
      await gql<{ job: JobRow }>(`query($id: ID!) { job(id: $id) { status percent message clip { id status } } }`, {
        id,
      })
    ).job;
  const clipsAt = async (file: string) =>
    (
      await gql<{ clips: { nodes: Array<{ id: string; path: string; status: string }> } }>(
        `{ clips(first: 100, filter: { status: [INGESTING, READY, FAILED] }) { nodes { id path status } } }`,
      )
    ).clips.nodes.filter((c) => c.path === file);
  /** pids holding an ingest lease (src/ingest/ingest-lease.ts): the processes ingesting right now */
  const leaseHolders = () => helperLeaseHolders(env);
  /** waits until the job runs past `percent` on one of the workers; that worker's pid */
  const runningOn = async (id: string, percent: number) => {
    let row = await job(id);
    for (let i = 0; i < 1200; i++) {
      row = await job(id);
      if (row.status === "RUNNING" && row.percent >= percent) {
        const pid = (await leaseHolders()).find((p) =>
          workers.some((w) => w.child.pid === p && w.child.exitCode === null),
        );
        if (pid !== undefined) return { pid, row };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job never got past ${percent}% on a worker: ${JSON.stringify(row)}`);
  };
  const startWorker = async () => {
    const w = await startCli(["worker"], env, /worker running \(pid (\d+)/);
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    redis = await startRedis();
    dir = await tempDataDir("cinerag-bullmq-e2e-");
    media = await tempDir("cinerag-bullmq-media-");
    const sidecar = (text: string) => [
      { format: "srt" as const, language: "en", placement: "sidecar" as const, cues: [{ start: 0.5, end: 2, text }] },
    ];
    const longSpec = (name: string, angle: number) => ({
      name,
      fps: 25,
      width: 640,
      height: 360,
      noise: false,
      shots: shots(12, 10).map((sh, i) => ({
        ...sh,
        colour: `0x${(i * 16 + angle).toString(16).padStart(2, "0")}4040`,
      })),
      subtitles: sidecar(name),
    });
    [short, long, spare, long2, long3] = await Promise.all([
      generateClip(media, {
        name: "short",
        fps: 25,
        width: 320,
        height: 180,
        shots: shots(2, 4),
        subtitles: sidecar("Short."),
      }),
      generateClip(media, {
        name: "long",
        fps: 25,
        width: 640,
        height: 360,
        noise: false,
        shots: shots(12, 10),
        subtitles: sidecar("Long."),
      }),
      generateClip(media, {
        name: "spare",
        fps: 25,
        width: 320,
        height: 180,
        shots: shots(2, 3),
        subtitles: sidecar("Spare."),
      }),
      generateClip(media, longSpec("long2", 1)),
      generateClip(media, longSpec("long3", 2)),
    ]);
    if (name === "PostgreSQL") pg = await startPostgres();
    env = bullmqEnv({
      dataDir: dir,
      redisUrl: redis.url,
      mediaRoots: media,
      ...(pg ? { databaseUrl: await pg.createDatabase("cinerag_bullmq") } : {}),
    });
    const started = await startServe(env);
    serve = started;
    url = started.match;
    client = createClient({ url: url.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  }, 180_000);

  afterAll(async () => {
    await client?.dispose();
    await Promise.all(workers.map(stopProc));
    await stopProc(serve);
    await redis?.stop();
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(media, { recursive: true, force: true });
  });

  it("a job cancelled while queued (no worker yet) is never run", async () => {
    const id = await ingest(spare);
    expect((await job(id)).status).toBe("QUEUED"); // serve only enqueues
    const cancelled = await gql<{ cancelJob: { status: string } }>(
      `mutation($id: ID!) { cancelJob(id: $id) { status } }`,
      { id },
    );
    expect(cancelled.cancelJob.status).toBe("CANCELLED");
    await Promise.all([startWorker(), startWorker()]);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await job(id)).status).toBe("CANCELLED");
    expect(await clipsAt(spare)).toEqual([]);
  }, 120_000);

  it("a job enqueued on the server runs on a worker; its progress reaches a graphql-ws client on the server", async () => {
    const started = Date.now();
    const id = await ingest(short);
    const { results, error } = await wsCollect<{
      jobProgress: { status: string; percent: number; final: boolean };
    }>(client, `subscription($id: ID!) { jobProgress(jobId: $id) { status percent final } }`, { id });
    expect(error).toBeUndefined();
    const events = results.map((r) => r.data!.jobProgress);
    expect(events.at(-1)).toMatchObject({ status: "SUCCEEDED", final: true, percent: 100 });
    expect(events.length).toBeGreaterThan(2); // live events from the worker, across Redis
    const row = await job(id);
    expect(row.status).toBe("SUCCEEDED");
    expect(row.clip?.status).toBe("READY");
    // the server drains the search outbox when the worker's clipUpdated READY reaches it over Redis
    let hits: Array<{ scene: { clip: { title: string } } }> = [];
    for (let i = 0; i < 100 && hits.length === 0; i++) {
      hits = (
        await gql<{ searchScenes: typeof hits }>(
          `{ searchScenes(query: "Short", mode: KEYWORD, first: 5) { scene { clip { title } } } }`,
        )
      ).searchScenes;
      if (hits.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(hits.some((h) => /short/i.test(h.scene.clip.title))).toBe(true);
    console.log(
      `bullmq e2e (${name}): short clip ingested by a worker in ${Date.now() - started} ms, ${events.length} events`,
    );
  }, 120_000);

  it("kill -9 of the worker running a job: the other worker takes it over and the clip ends READY once", async () => {
    const readyEvents: string[] = [];
    const stopClipEvents = client.subscribe(
      { query: `subscription { clipUpdated { clipId change } }` },
      {
        next: (r) => {
          const e = (r.data as { clipUpdated?: { clipId: string; change: string } } | undefined)?.clipUpdated;
          if (e?.change === "READY") readyEvents.push(e.clipId);
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    const id = await ingest(long);
    const progress = wsCollect<{ jobProgress: { status: string; percent: number; final: boolean } }>(
      client,
      `subscription($id: ID!) { jobProgress(jobId: $id) { status percent final } }`,
      { id },
    );
    const { pid: victim, row: atKill } = await runningOn(id, 15);
    const percentAtKill = atKill.percent;
    process.kill(victim, "SIGKILL");
    const killedAt = Date.now();
    const survivor = workers.find((w) => w.child.pid !== victim)!;
    let takenOverAt: number | undefined;
    let row = atKill;
    for (let i = 0; i < 1200; i++) {
      row = await job(id);
      // the survivor holds the file's ingest lease once it has taken the job over
      if (takenOverAt === undefined && (await leaseHolders()).includes(survivor.child.pid!)) takenOverAt = Date.now();
      if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(row.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const doneAt = Date.now();
    expect(row.status).toBe("SUCCEEDED");
    expect(row.clip?.status).toBe("READY");
    const clips = await clipsAt(long);
    expect(clips).toHaveLength(1);
    expect(clips[0]!.status).toBe("READY");
    const { results } = await progress;
    expect(results.at(-1)?.data?.jobProgress).toMatchObject({ status: "SUCCEEDED", final: true });
    expect(survivor.child.exitCode).toBeNull();
    expect(survivor.output()).toMatch(/taking over a job whose worker stopped/);
    await new Promise((r) => setTimeout(r, 500));
    stopClipEvents();
    expect(readyEvents.filter((c) => c === clips[0]!.id)).toHaveLength(1); // READY once
    // what the taken-over ingest stored is what a clean run of the same file stores
    const stored = (
      await gql<{
        clip: {
          shots: { totalCount: number; nodes: Array<{ startTime: number; endTime: number }> };
          scenes: { totalCount: number };
          keyframes: { totalCount: number };
        };
      }>(
        `query($id: ID!) { clip(id: $id) { shots(first: 100) { totalCount nodes { startTime endTime } }
           scenes(first: 100) { totalCount } keyframes(first: 100) { totalCount } } }`,
        { id: clips[0]!.id },
      )
    ).clip;
    const [clean] = await cleanIngest([long], env);
    if (!clean) throw new Error("cinerag ingest --json printed nothing");
    expect(stored.shots.nodes.map((x) => [x.startTime, x.endTime])).toEqual(clean.shots.map((x) => [x.start, x.end]));
    expect(stored.scenes.totalCount).toBe(clean.scenes.length);
    expect(stored.keyframes.totalCount).toBe(clean.keyframes.length);
    console.log(
      `bullmq e2e (${name}): killed worker ${victim} at ${percentAtKill}%; taken over after ` +
        `${takenOverAt === undefined ? "?" : takenOverAt - killedAt} ms; SUCCEEDED ${doneAt - killedAt} ms after the kill`,
    );
    expect(takenOverAt).toBeDefined();
  }, 240_000);

  it("SIGTERM of the worker running a job puts it back; another worker finishes it", async () => {
    await startWorker(); // two alive again
    const id = await ingest(long2);
    const { pid } = await runningOn(id, 10);
    const stopping = workers.find((w) => w.child.pid === pid)!;
    const exited = new Promise<number | null>((resolve) => stopping.child.once("exit", (code) => resolve(code)));
    const sentAt = Date.now();
    stopping.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const exitMs = Date.now() - sentAt;
    let row = await job(id);
    for (let i = 0; i < 1200 && !["SUCCEEDED", "FAILED", "CANCELLED"].includes(row.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      row = await job(id);
    }
    expect(row.status).toBe("SUCCEEDED");
    expect(row.clip?.status).toBe("READY");
    expect(await clipsAt(long2)).toHaveLength(1);
    console.log(
      `bullmq e2e (${name}): SIGTERMed worker exited in ${exitMs} ms; the other finished ${Date.now() - sentAt} ms after`,
    );
  }, 240_000);

  it("cancelJob on the server stops a job running on a worker within a few seconds", async () => {
    const id = await ingest(long3);
    const progress = wsCollect<{ jobProgress: { status: string; final: boolean } }>(
      client,
      `subscription($id: ID!) { jobProgress(jobId: $id) { status final } }`,
      { id },
    );
    const { pid } = await runningOn(id, 10);
    const cancelledAt = Date.now();
    const res = await gql<{ cancelJob: { status: string } }>(`mutation($id: ID!) { cancelJob(id: $id) { status } }`, {
      id,
    });
    expect(res.cancelJob.status).toBe("CANCELLED");
    // the worker lets go of the file's lease when its run has stopped
    let stoppedAt: number | undefined;
    for (let i = 0; i < 300 && stoppedAt === undefined; i++) {
      if (!(await leaseHolders()).includes(pid)) stoppedAt = Date.now();
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(stoppedAt).toBeDefined();
    console.log(`bullmq e2e: the cancelled job stopped on its worker ${stoppedAt! - cancelledAt} ms after the cancel`);
    const { results } = await progress;
    expect(results.at(-1)?.data?.jobProgress).toMatchObject({ status: "CANCELLED", final: true });
    expect((await job(id)).status).toBe("CANCELLED");
    expect(workers.find((w) => w.child.pid === pid)!.child.exitCode).toBeNull(); // the worker goes on
    console.log(
      `bullmq e2e (${name}): a running job stopped ${stoppedAt! - cancelledAt} ms after cancelJob on the server`,
    );
  }, 240_000);
});

describe("cinerag worker without the BullMQ queue", () => {
  it("is a configuration error (exit 78) before anything is opened", async () => {
    const parent = await tempDir("cinerag-worker-refused-");
    const dir = path.join(parent, "data");
    const child = spawn(process.execPath, [CLI, "worker"], {
      env: { ...process.env, CINERAG_DATA_DIR: dir, CINERAG_JOBS: "in-process", CINERAG_OFFLINE: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(78);
    expect(stderr.trim()).toMatch(/^cinerag: cinerag worker needs the BullMQ queue: set CINERAG_REDIS_URL/);
    expect(await readdir(parent)).toEqual([]); // no data directory, no database
    await rm(parent, { recursive: true, force: true });
  });
});

describe.skipIf(Boolean(REDIS_MISSING))("cinerag serve with CINERAG_SERVE_WORKER=1", () => {
  it("runs a worker itself: an ingest enqueued on BullMQ ends SUCCEEDED without a cinerag worker", async () => {
    const redis = await startRedis();
    const media = await tempDir("cinerag-serve-worker-");
    try {
      const file = await generateClip(media, { name: "solo", fps: 25, width: 320, height: 180, shots: shots(2, 3) });
      const t = await startTestServer({
        CINERAG_JOBS: "bullmq",
        CINERAG_REDIS_URL: redis.url,
        CINERAG_SERVE_WORKER: "1",
        CINERAG_MEDIA_ROOTS: media,
      });
      try {
        const res = await t.gql<{ ingestClip: { id: string } }>(
          `mutation($input: IngestClipInput!) { ingestClip(input: $input) { id } }`,
          { input: { path: file } },
        );
        const id = res.body.data!.ingestClip.id;
        const { results } = await wsCollect<{ jobProgress: { status: string; final: boolean } }>(
          t.ws(),
          `subscription($id: ID!) { jobProgress(jobId: $id) { status final } }`,
          { id },
        );
        expect(results.at(-1)?.data?.jobProgress).toMatchObject({ status: "SUCCEEDED", final: true });
      } finally {
        await t.stop();
      }
    } finally {
      await redis.stop();
      await rm(media, { recursive: true, force: true });
    }
  });
});
