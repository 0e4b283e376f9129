// The BullMQ job queue on a real Redis, in one process: an enqueue-only queue (what `cinerag serve` builds with
// CINERAG_JOBS=bullmq) and worker queues (what `cinerag worker` builds) over one Job table. A fake ingest stands
// in for the pipeline (one that hangs until cancelled, one that fails); the real pipeline across processes,
// kill -9 included, is test/e2e/scaleout/bullmq-workers.e2e.test.ts.
import { rm } from "node:fs/promises";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { createPrismaClient, type PrismaClient } from "../../../src/store/prisma.client.js";
import { BullMqJobQueue } from "../../../src/jobs/bullmq.job-queue.js";
import type { IngestRunner } from "../../../src/jobs/job-runner.js";
import { JobRepository } from "../../../src/store/job.repository.js";
import { RedisPubSub } from "../../../src/events/redis.pubsub.js";
import { TOPICS, type JobProgressPayload, type JobStatus } from "../../../src/events/pubsub.port.js";
import { createLogger } from "../../../src/logging/logger.js";
import { AppError } from "../../../src/errors/app-error.js";
import type { IngestRequest } from "../../../src/ingest/ingest.service.js";
import { fakeIngestResult as result } from "../../fixtures/ingest-result.js";
import { freePort, REDIS_MISSING, startRedis, type TestRedis } from "../../helpers/redis-server.js";
import { runChecks } from "../../../src/cli/doctor.command.js";
import { tempDataDir, testConfig } from "../graphql/helpers/seed.js";

if (REDIS_MISSING) console.warn(`skipping the BullMQ job queue tests: ${REDIS_MISSING}`);

const logger = createLogger("silent");

/**
 * a few progress steps per stage; `hang`: waits for the signal in the shots stage (`hangOn`: only for that file);
 * `fail`: throws there
 */
function fakeIngest(opts: { hang?: boolean; hangOn?: string; fail?: boolean; seen?: string[] } = {}): IngestRunner {
  return {
    async ingest(req: IngestRequest) {
      opts.seen?.push(req.file);
      for (const stage of ["probe", "shots", "store"] as const) {
        for (let i = 0; i <= 3; i++) {
          if (req.signal?.aborted) throw new AppError("CANCELLED", "cancelled");
          req.onProgress?.({ stage, percent: (100 * i) / 3 });
          await new Promise((r) => setTimeout(r, 5));
        }
        if (opts.fail && stage === "shots") throw new AppError("NO_VIDEO_STREAM", "no video stream");
        if ((opts.hang || opts.hangOn === req.file) && stage === "shots") {
          await new Promise((_, reject) =>
            req.signal?.addEventListener("abort", () => reject(new AppError("CANCELLED", "cancelled"))),
          );
        }
      }
      return result(req.file);
    },
  };
}

describe.skipIf(Boolean(REDIS_MISSING))("BullMqJobQueue on Redis", () => {
  let redis: TestRedis;
  let dir: string;
  let prisma: PrismaClient;
  let jobs: JobRepository;
  let pubsub: RedisPubSub;
  let prefix: string;
  let n = 0;
  const open: BullMqJobQueue[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    dir = await tempDataDir("cinerag-bullmq-");
    const config = testConfig(dir);
    await migrateDatabase(config.databaseFile);
    prisma = createPrismaClient(config.databaseFile);
    jobs = new JobRepository(prisma);
    pubsub = new RedisPubSub({ url: redis.url, logger });
    await pubsub.ready();
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((q) => q.stop()));
    pubsub?.close();
    await prisma?.$disconnect();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });
  beforeEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.stop()));
    await prisma.job.deleteMany();
    prefix = `t${++n}`; // a fresh BullMQ queue for each test
  });

  const queue = (worker: boolean, ingest: IngestRunner = fakeIngest()) => {
    const q = new BullMqJobQueue({
      jobs,
      ingest,
      pubsub,
      logger,
      redisUrl: redis.url,
      worker,
      prefix,
      lockMs: 2000,
      stalledMs: 1000,
      heartbeatMs: 200,
      sweepMs: 300,
    });
    open.push(q);
    return q;
  };
  const bullCounts = async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const q = new Queue("cinerag-ingest", { connection, prefix });
    try {
      return await q.getJobCounts("wait", "active", "completed", "failed", "delayed");
    } finally {
      await q.close();
      connection.disconnect();
    }
  };
  const until = async (jobId: string, statuses: JobStatus[], ms = 10_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const row = await jobs.get(jobId);
      if (row && statuses.includes(row.status)) return row;
      if (Date.now() > end) throw new Error(`job ${jobId} still ${row?.status}, not ${statuses.join("/")}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it("an enqueue-only queue adds a BullMQ job with the row's id and runs nothing; start() of one adds nothing twice", async () => {
    const server = queue(false);
    await server.start(); // enqueue only: no worker
    const row = await server.enqueueIngest({ path: "/m/a.mkv" });
    expect(row.status).toBe("QUEUED");
    await new Promise((r) => setTimeout(r, 200));
    expect((await jobs.get(row.id))!.status).toBe("QUEUED");
    expect(await bullCounts()).toMatchObject({ wait: 1, active: 0 });
    // a row left QUEUED without a BullMQ job (e.g. written by `cinerag query` in-process) is added at start
    const orphan = await jobs.create("INGEST", JSON.stringify({ path: "/m/b.mkv" }), "queued");
    const seen: string[] = [];
    const worker = queue(true, fakeIngest({ seen }));
    await worker.start();
    await until(row.id, ["SUCCEEDED"]);
    await until(orphan.id, ["SUCCEEDED"]);
    expect(seen.sort()).toEqual(["/m/a.mkv", "/m/b.mkv"]); // each once, although row a was added twice
    expect((await jobs.get(row.id))!.clipId).toBe("clip-of-/m/a.mkv");
  });

  it("a RUNNING row whose BullMQ job was lost (Redis restarted empty) is run again at a worker's start", async () => {
    const lost = await jobs.create("INGEST", JSON.stringify({ path: "/m/lost.mkv" }), "queued");
    // and no BullMQ job; untouched for longer than a lock: its worker is gone
    await jobs.transition(lost.id, ["QUEUED"], { status: "RUNNING", updatedAt: new Date(Date.now() - 60_000) });
    const seen: string[] = [];
    await queue(true, fakeIngest({ seen })).start();
    await until(lost.id, ["SUCCEEDED"]);
    expect(seen).toEqual(["/m/lost.mkv"]);
  });

  it("the periodic sweep queues again rows whose BullMQ job was lost while the worker runs (Redis flushed)", async () => {
    const server = queue(false);
    const seen: string[] = [];
    const worker = queue(true, fakeIngest({ hangOn: "/m/busy.mkv", seen }));
    await worker.start();
    const busy = await server.enqueueIngest({ path: "/m/busy.mkv" }); // holds the worker's one slot
    await until(busy.id, ["RUNNING"]);
    const waiting = await server.enqueueIngest({ path: "/m/waiting.mkv" });
    // a dead worker's row: RUNNING, untouched for longer than a lock
    const dead = await jobs.create("INGEST", JSON.stringify({ path: "/m/dead.mkv" }), "queued");
    await jobs.transition(dead.id, ["QUEUED"], { status: "RUNNING", updatedAt: new Date(Date.now() - 60_000) });
    const admin = new Redis(redis.url);
    await admin.flushall(); // every BullMQ job is gone, the running one's too
    admin.disconnect();
    // the sweep (every 300 ms here) adds the two lost ones back and leaves the running one to its worker
    while (((await bullCounts()).wait ?? 0) < 2) await new Promise((r) => setTimeout(r, 50));
    expect((await jobs.get(busy.id))!.status).toBe("RUNNING");
    expect((await jobs.get(dead.id))!.status).toBe("QUEUED");
    await server.cancel(busy.id); // frees the slot
    await until(waiting.id, ["SUCCEEDED"]);
    await until(dead.id, ["SUCCEEDED"]);
    await worker.idle();
    expect([...seen].sort()).toEqual(["/m/busy.mkv", "/m/dead.mkv", "/m/waiting.mkv"]);
    expect((await jobs.get(busy.id))!.status).toBe("CANCELLED");
  });

  it("stop() of a worker whose running job lost its BullMQ entry (Redis flushed) returns; the row goes back to QUEUED", async () => {
    const server = queue(false);
    const worker = queue(true, fakeIngest({ hang: true }));
    await worker.start();
    const row = await server.enqueueIngest({ path: "/m/flushed.mkv" });
    await until(row.id, ["RUNNING"]);
    const admin = new Redis(redis.url);
    await admin.flushall();
    admin.disconnect();
    await worker.stop();
    expect((await jobs.get(row.id))!.status).toBe("QUEUED");
    // and a new worker's sweep gives it a BullMQ job again and runs it
    await queue(true).start();
    await until(row.id, ["SUCCEEDED"]);
  });

  it("progress of a job on a worker is published and written to the row, with a final event", async () => {
    const server = queue(false);
    const row = await server.enqueueIngest({ path: "/m/a.mkv" });
    const subscription = pubsub.subscribe(TOPICS.JOB_PROGRESS, row.id);
    await new Promise((r) => setTimeout(r, 100)); // the Redis SUBSCRIBE is on its way
    await queue(true).start();
    const events: JobProgressPayload[] = [];
    for await (const e of subscription) {
      events.push(e as JobProgressPayload);
      if ((e as JobProgressPayload).final) break;
    }
    expect(events.at(-1)).toMatchObject({ status: "SUCCEEDED", percent: 100, final: true, clipId: "clip-of-/m/a.mkv" });
    const percents = events.map((e) => e.percent);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    expect(await bullCounts()).toMatchObject({ wait: 0, active: 0, failed: 0 });
  });

  it("cancel from an enqueue-only queue stops a job running on a worker at once", async () => {
    const server = queue(false);
    const worker = queue(true, fakeIngest({ hang: true }));
    await worker.start();
    const row = await server.enqueueIngest({ path: "/m/a.mkv" });
    await until(row.id, ["RUNNING"]);
    await new Promise((r) => setTimeout(r, 100));
    expect((await server.cancel(row.id)).status).toBe("CANCELLED");
    await worker.idle(); // no time limit: the test's timeout is the bound (the e2e measures the delay)
    expect((await jobs.get(row.id))!.status).toBe("CANCELLED");
    await expect(server.cancel(row.id)).resolves.toMatchObject({ status: "CANCELLED" });
  });

  it("a queued job cancelled before a worker starts is removed from the queue and never runs", async () => {
    const server = queue(false);
    const row = await server.enqueueIngest({ path: "/m/a.mkv" });
    await server.cancel(row.id);
    expect(await bullCounts()).toMatchObject({ wait: 0 });
    const seen: string[] = [];
    await queue(true, fakeIngest({ seen })).start();
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([]);
    expect((await jobs.get(row.id))!.status).toBe("CANCELLED");
  });

  it("stop() puts a running job back (row QUEUED, BullMQ job waiting); the next worker finishes it", async () => {
    const server = queue(false);
    const first = queue(true, fakeIngest({ hang: true }));
    await first.start();
    const row = await server.enqueueIngest({ path: "/m/a.mkv" });
    await until(row.id, ["RUNNING"]);
    await first.stop();
    expect((await jobs.get(row.id))!.status).toBe("QUEUED");
    expect(await bullCounts()).toMatchObject({ wait: 1, active: 0, failed: 0 });
    await queue(true).start();
    await until(row.id, ["SUCCEEDED"]);
  });

  it("a failing ingest fails its row once (no BullMQ retry of a job the pipeline refused)", async () => {
    const seen: string[] = [];
    const worker = queue(true, fakeIngest({ fail: true, seen }));
    await worker.start();
    const row = await worker.enqueueIngest({ path: "/m/a.mkv" });
    const failed = await until(row.id, ["FAILED"]);
    expect(failed.error).toBe("NO_VIDEO_STREAM: no video stream");
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual(["/m/a.mkv"]);
  });

  it("cinerag doctor: the queue's jobs and workers, a warning without workers, a failure without Redis", async () => {
    const doctor = async (env: Record<string, string>) => {
      const check = (await runChecks(testConfig(dir, env))).find((c) => c.name === "job queue");
      return `${check?.level} ${check?.detail}`;
    };
    const bull = (url: string) => doctor({ CINERAG_JOBS: "bullmq", CINERAG_REDIS_URL: url });
    // the default queue name and prefix, as `cinerag serve` and `cinerag worker` use them
    prefix = "cinerag-bull";
    await queue(false).enqueueIngest({ path: "/m/a.mkv" });
    expect(await bull(redis.url)).toMatch(
      /^warn BullMQ on Redis \S+ at redis:\/\/127\.0\.0\.1:\d+\/?: 1 waiting, 0 running, 0 failed; 0 worker/,
    );
    await queue(true).start();
    await new Promise((r) => setTimeout(r, 300));
    expect(await bull(redis.url)).toMatch(/^ok .*; [1-9]\d* worker connection/);
    expect(await bull(`redis://127.0.0.1:${await freePort()}`)).toMatch(/^fail .*cannot be reached/);
    expect(await doctor({})).toMatch(/^ok in-process/);
  });
});
