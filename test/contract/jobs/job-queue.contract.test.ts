// The job queue contract, run on the in-process driver (two queues over one SQLite file, as two processes would
// share it) and on BullMQ over a real redis-server (an enqueue-only queue, as `cinerag serve` builds, and worker
// queues, as `cinerag worker` builds, each with its own Redis connections). The same cases for both: enqueue and
// progress events, cancel of a queued job and of one running on the other queue, retries with backoff of a
// transient failure and none of a permanent one, a job completes once, a stopped or dead runner's job resumes.
// A fake ingest stands in for the pipeline (the real one across processes is test/e2e/scaleout/); nothing
// else is a double: real SQLite, real Redis.
import { rm } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BullMqJobQueue } from "../../../src/jobs/bullmq.job-queue.js";
import { InProcessJobQueue } from "../../../src/jobs/in-process.job-queue.js";
import type { JobQueue } from "../../../src/jobs/job-queue.port.js";
import type { IngestRunner } from "../../../src/jobs/job-runner.js";
import type { IngestRequest } from "../../../src/ingest/ingest.service.js";
import { fakeIngestResult as result } from "../../fixtures/ingest-result.js";
import { InProcessPubSub } from "../../../src/events/in-process.pubsub.js";
import { RedisPubSub } from "../../../src/events/redis.pubsub.js";
import { TOPICS, type JobProgressPayload, type JobStatus, type PubSub } from "../../../src/events/pubsub.port.js";
import { AppError } from "../../../src/errors/app-error.js";
import { createLogger } from "../../../src/logging/logger.js";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { createPrismaClient, type PrismaClient } from "../../../src/store/prisma.client.js";
import { JobRepository } from "../../../src/store/job.repository.js";
import type { RetryPolicy } from "../../../src/config.js";
import { REDIS_MISSING, startRedis, type TestRedis } from "../../helpers/redis-server.js";
import { tempDataDir, testConfig } from "../../integration/graphql/helpers/seed.js";

if (REDIS_MISSING) console.warn(`skipping the BullMQ job queue contract: ${REDIS_MISSING}`);

const logger = createLogger(process.env.CINERAG_TEST_LOG ?? "silent");
const RETRY: RetryPolicy = { attempts: 3, backoffMs: 300 };

interface FakeIngest extends IngestRunner {
  /** files, one entry per run */
  calls: string[];
  /** Date.now() at the start of each run */
  startedAt: number[];
  /** runs whose signal was aborted */
  aborted: number;
}

/**
 * A few progress steps per stage. `hang`: waits in the shots stage for its signal; `failures`: the errors of the
 * first runs, one per run (then it succeeds).
 */
function fakeIngest(opts: { hang?: boolean; failures?: Array<() => unknown> } = {}): FakeIngest {
  const fake: FakeIngest = {
    calls: [],
    startedAt: [],
    aborted: 0,
    async ingest(req: IngestRequest) {
      const run = fake.calls.push(req.file) - 1;
      fake.startedAt.push(Date.now());
      const abort = () => {
        fake.aborted++;
        return new AppError("CANCELLED", "cancelled");
      };
      for (const stage of ["probe", "shots", "store"] as const) {
        for (let i = 0; i <= 3; i++) {
          if (req.signal?.aborted) throw abort();
          req.onProgress?.({ stage, percent: (100 * i) / 3 });
          await new Promise((r) => setTimeout(r, 5));
        }
        const failure = opts.failures?.[run];
        if (failure && stage === "shots") throw failure();
        if (opts.hang && stage === "shots") {
          await new Promise((_, reject) => req.signal?.addEventListener("abort", () => reject(abort())));
        }
      }
      return result(req.file);
    },
  };
  return fake;
}

const engineAway = () => new AppError("ENGINE_UNAVAILABLE", "the database cannot be reached at the moment");
/** what a client library throws when its server refuses the connection (not one of our errors) */
const connectionRefused = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
const badMedia = () => new AppError("NO_VIDEO_STREAM", "no video stream");

interface Driver {
  /** the Job table, read through its own connection */
  jobs: JobRepository;
  /** a queue that only enqueues and cancels (never runs a job): `cinerag serve`, another process */
  producer(retry?: RetryPolicy): JobQueue;
  /** a queue that runs jobs once started: another process than the producer's */
  worker(ingest: IngestRunner, retry?: RetryPolicy): Promise<JobQueue>;
  /** where the progress events of jobs reach a subscriber of the producer's process */
  events: PubSub;
  /** resolves once a subscription on `events` is in place */
  subscribed(): Promise<void>;
  /** an empty Job table (and queue) for the next test */
  reset(): Promise<void>;
  /** the state a runner killed mid-job leaves, once its queue noticed (in-process: an old RUNNING row) */
  leftByDeadRunner(jobId: string): Promise<void>;
  close(): Promise<void>;
}

function contract(name: string, make: () => Promise<Driver>, skip = false): void {
  describe.skipIf(skip)(`job queue contract: ${name}`, () => {
    let d: Driver;
    const open: JobQueue[] = [];
    const producer = (retry?: RetryPolicy) => {
      const q = d.producer(retry);
      open.push(q);
      return q;
    };
    const worker = async (ingest: IngestRunner, retry?: RetryPolicy) => {
      const q = await d.worker(ingest, retry);
      open.push(q);
      await q.start();
      return q;
    };
    const until = async (jobId: string, statuses: JobStatus[]) => {
      for (;;) {
        const row = await d.jobs.get(jobId);
        if (row && statuses.includes(row.status)) return row;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    /** every progress event of a job until its final one */
    const collect = async (jobId: string) => {
      const sub = d.events.subscribe(TOPICS.JOB_PROGRESS, jobId);
      await d.subscribed();
      const events: JobProgressPayload[] = [];
      const done = (async () => {
        for await (const e of sub) {
          events.push(e as JobProgressPayload);
          if ((e as JobProgressPayload).final) break;
        }
        return events;
      })();
      return { events, done, stop: () => sub.return?.() };
    };

    beforeAll(async () => {
      d = await make();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((q) => q.stop()));
      await d.reset();
    });
    afterAll(async () => {
      await d?.close();
    });

    it("runs an enqueued job on the worker: progress events in order, one final SUCCEEDED, the row says so", async () => {
      const server = producer();
      const ingest = fakeIngest();
      const row = await server.enqueueIngest({ path: "/m/a.mkv", title: "A" });
      expect(row).toMatchObject({ status: "QUEUED", kind: "INGEST" });
      expect(JSON.parse(row.input)).toEqual({ path: "/m/a.mkv", title: "A" });
      const progress = await collect(row.id);
      await worker(ingest);
      const events = await progress.done;
      expect(events.at(-1)).toMatchObject({
        status: "SUCCEEDED",
        percent: 100,
        final: true,
        clipId: "clip-of-/m/a.mkv",
      });
      expect(events.filter((e) => e.final)).toHaveLength(1);
      expect(events.some((e) => e.status === "RUNNING" && e.stage === "shots")).toBe(true);
      const percents = events.map((e) => e.percent);
      expect([...percents].sort((a, b) => a - b)).toEqual(percents);
      expect(await d.jobs.get(row.id)).toMatchObject({ status: "SUCCEEDED", percent: 100, clipId: "clip-of-/m/a.mkv" });
      expect(ingest.calls).toEqual(["/m/a.mkv"]);
    });

    it("cancel of a queued job: it never runs, and a second cancel returns it unchanged", async () => {
      const server = producer();
      const row = await server.enqueueIngest({ path: "/m/q.mkv" });
      expect((await server.cancel(row.id)).status).toBe("CANCELLED");
      const ingest = fakeIngest();
      const w = await worker(ingest);
      // a job enqueued after it runs: so the worker has looked at the queue since
      const after = await server.enqueueIngest({ path: "/m/after.mkv" });
      await until(after.id, ["SUCCEEDED"]);
      await w.idle();
      expect(ingest.calls).toEqual(["/m/after.mkv"]);
      expect(await server.cancel(row.id)).toMatchObject({ status: "CANCELLED" });
      expect((await d.jobs.get(row.id))!.finishedAt).not.toBeNull();
    });

    it("cancel from the producer stops a job running on the worker; a finished job cannot be cancelled", async () => {
      const server = producer();
      const ingest = fakeIngest({ hang: true });
      const w = await worker(ingest);
      const row = await server.enqueueIngest({ path: "/m/hang.mkv" });
      await until(row.id, ["RUNNING"]);
      const progress = await collect(row.id);
      expect((await server.cancel(row.id)).status).toBe("CANCELLED");
      await w.idle(); // the worker let go of it (no time limit here: the test's own timeout is the bound)
      expect(ingest.aborted).toBe(1);
      expect((await d.jobs.get(row.id))!.status).toBe("CANCELLED");
      expect((await progress.done).at(-1)).toMatchObject({ status: "CANCELLED", final: true });
      await w.stop(); // its ingest hangs: the next job is for another worker

      const done = await server.enqueueIngest({ path: "/m/done.mkv" });
      await worker(fakeIngest());
      await until(done.id, ["SUCCEEDED"]);
      await expect(server.cancel(done.id)).rejects.toMatchObject({ code: "CONFLICT" });
      await expect(server.cancel("no-such-job")).rejects.toMatchObject({ code: "NOT_FOUND" });
    });

    it("retries a transient failure with backoff until it succeeds", async () => {
      const server = producer(RETRY);
      const ingest = fakeIngest({ failures: [engineAway, connectionRefused] });
      const row = await server.enqueueIngest({ path: "/m/flaky.mkv" });
      const progress = await collect(row.id);
      await worker(ingest, RETRY);
      const events = await progress.done;
      expect(events.at(-1)).toMatchObject({ status: "SUCCEEDED", final: true });
      expect(ingest.calls).toEqual(["/m/flaky.mkv", "/m/flaky.mkv", "/m/flaky.mkv"]);
      // it waited the backoff, then twice as long (the runs themselves take a few ms more)
      const [t1, t2, t3] = ingest.startedAt as [number, number, number];
      expect(t2 - t1).toBeGreaterThanOrEqual(RETRY.backoffMs);
      expect(t3 - t2).toBeGreaterThanOrEqual(2 * RETRY.backoffMs);
      const notes = events.map((e) => e.message ?? "").filter((m) => m.startsWith("retrying"));
      expect(notes[0]).toMatch(/^retrying in 0\.3 s \(attempt 1 of 3 failed: ENGINE_UNAVAILABLE: the database/);
      expect(notes.at(-1)).toMatch(/^retrying in 0\.6 s \(attempt 2 of 3 failed: ENGINE_UNAVAILABLE: .*ECONNREFUSED/);
      expect(events.filter((e) => e.final)).toHaveLength(1);
      expect(await d.jobs.get(row.id)).toMatchObject({ status: "SUCCEEDED", error: null });
    });

    it("fails a permanent failure at once, without a retry", async () => {
      const server = producer(RETRY);
      const ingest = fakeIngest({ failures: [badMedia] });
      const row = await server.enqueueIngest({ path: "/m/bad.mkv" });
      const w = await worker(ingest, RETRY);
      const failed = await until(row.id, ["FAILED"]);
      expect(failed).toMatchObject({ error: "NO_VIDEO_STREAM: no video stream", message: "failed" });
      // longer than the first backoff: a retry would have started by now
      await new Promise((r) => setTimeout(r, 3 * RETRY.backoffMs));
      await w.idle();
      expect(ingest.calls).toEqual(["/m/bad.mkv"]);
      expect((await d.jobs.get(row.id))!.status).toBe("FAILED");
    });

    it("fails a job whose transient failures outlast its attempts, with the last error", async () => {
      const server = producer(RETRY);
      const ingest = fakeIngest({ failures: [engineAway, engineAway, engineAway, engineAway] });
      const row = await server.enqueueIngest({ path: "/m/down.mkv" });
      await worker(ingest, RETRY);
      const failed = await until(row.id, ["FAILED"]);
      expect(failed.error).toMatch(/^ENGINE_UNAVAILABLE: the database cannot be reached/);
      expect(failed.message).toBe("failed: no attempts left");
      expect(ingest.calls).toHaveLength(RETRY.attempts);
    });

    it("a job cancelled while it waits for its retry does not run again", async () => {
      const slow: RetryPolicy = { attempts: 3, backoffMs: 60_000 };
      const server = producer(slow);
      const ingest = fakeIngest({ failures: [engineAway] });
      const row = await server.enqueueIngest({ path: "/m/wait.mkv" });
      const w = await worker(ingest, slow);
      for (;;) {
        const r = await d.jobs.get(row.id);
        if (r?.message?.startsWith("retrying")) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      expect((await server.cancel(row.id)).status).toBe("CANCELLED");
      await until(row.id, ["CANCELLED"]);
      await w.idle();
      expect(ingest.calls).toHaveLength(1);
      expect((await d.jobs.get(row.id))!.status).toBe("CANCELLED");
    });

    it("completes a job once: a restarted worker runs nothing again", async () => {
      const server = producer();
      const ingest = fakeIngest();
      const row = await server.enqueueIngest({ path: "/m/once.mkv" });
      const progress = await collect(row.id);
      const first = await worker(ingest);
      await progress.done;
      await first.stop();
      const again = fakeIngest();
      const second = await worker(again);
      const probe = await server.enqueueIngest({ path: "/m/probe.mkv" });
      await until(probe.id, ["SUCCEEDED"]);
      await second.idle();
      expect(ingest.calls).toEqual(["/m/once.mkv"]);
      expect(again.calls).toEqual(["/m/probe.mkv"]);
      expect(progress.events.filter((e) => e.final)).toHaveLength(1);
      expect((await d.jobs.get(row.id))!.status).toBe("SUCCEEDED");
    });

    it("a stopped worker's running job goes back to the queue, and the next worker finishes it", async () => {
      const server = producer();
      const hanging = fakeIngest({ hang: true });
      const first = await worker(hanging);
      const row = await server.enqueueIngest({ path: "/m/resume.mkv" });
      await until(row.id, ["RUNNING"]);
      await first.stop();
      expect(await d.jobs.get(row.id)).toMatchObject({ status: "QUEUED" });
      const next = fakeIngest();
      await worker(next);
      await until(row.id, ["SUCCEEDED"]);
      expect(hanging.calls).toEqual(["/m/resume.mkv"]);
      expect(next.calls).toEqual(["/m/resume.mkv"]);
    });

    it("a job left RUNNING by a runner that died is taken over and finished", async () => {
      const server = producer();
      const row = await server.enqueueIngest({ path: "/m/dead.mkv" });
      await d.leftByDeadRunner(row.id);
      const next = fakeIngest();
      await worker(next);
      await until(row.id, ["SUCCEEDED"]);
      expect(next.calls).toEqual(["/m/dead.mkv"]);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------

/** a Job table in a fresh SQLite file, with one Prisma client per "process" */
async function sqliteJobs(): Promise<{
  client: () => JobRepository;
  reset: () => Promise<void>;
  close: () => Promise<void>;
}> {
  const dir = await tempDataDir("cinerag-job-contract-");
  const file = testConfig(dir).databaseFile;
  await migrateDatabase(file);
  const clients: PrismaClient[] = [];
  const admin = createPrismaClient(file);
  clients.push(admin);
  return {
    reset: async () => {
      await admin.job.deleteMany();
    },
    client: () => {
      const prisma = createPrismaClient(file);
      clients.push(prisma);
      return new JobRepository(prisma);
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.$disconnect()));
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

contract("in-process (two queues on one SQLite file)", async () => {
  const db = await sqliteJobs();
  const events = new InProcessPubSub();
  const jobs = db.client();
  const staleMs = 60_000;
  const options = { pubsub: events, logger, heartbeatMs: 100, progressWriteMs: 50, staleMs, pollMs: 50 };
  return {
    jobs,
    events,
    subscribed: () => Promise.resolve(),
    reset: () => db.reset(),
    // never started: enqueue and cancel only, as `cinerag query` does beside a running server
    producer: () => new InProcessJobQueue({ ...options, jobs: db.client(), ingest: fakeIngest() }),
    worker: (ingest, retry) => Promise.resolve(new InProcessJobQueue({ ...options, jobs: db.client(), ingest, retry })),
    leftByDeadRunner: async (jobId) => {
      // RUNNING, and untouched for longer than staleMs: its process stopped heartbeating
      await jobs.transition(jobId, ["QUEUED"], { status: "RUNNING", updatedAt: new Date(Date.now() - 2 * staleMs) });
    },
    close: async () => {
      events.close();
      await db.close();
    },
  };
});

let redis: TestRedis | undefined;
describe.skipIf(Boolean(REDIS_MISSING))("on a real redis-server", () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  let suite = 0;
  contract("BullMQ (an enqueue-only queue and workers, each with its own connections)", async () => {
    const db = await sqliteJobs();
    // a fresh BullMQ queue for each test
    let prefix = `contract${++suite}-0`;
    let tests = 0;
    const pubsubs: RedisPubSub[] = [];
    /** the Redis connections of one more process */
    const pubsub = () => {
      const p = new RedisPubSub({ url: redis!.url, prefix: `contract${suite}:`, logger });
      pubsubs.push(p);
      return p;
    };
    const events = pubsub();
    await events.ready();
    const jobs = db.client();
    const options = () => ({ logger, redisUrl: redis!.url, prefix, heartbeatMs: 100, progressWriteMs: 50 });
    // short locks: a dead worker's job is handed on within about a second
    const workerOptions = () => ({ ...options(), lockMs: 1000, stalledMs: 500, sweepMs: 60_000 });
    return {
      jobs,
      events,
      // SUBSCRIBE reaches Redis a moment after subscribe() returns
      subscribed: () => new Promise((r) => setTimeout(r, 100)),
      reset: async () => {
        await db.reset();
        prefix = `contract${suite}-${++tests}`;
      },
      // the enqueueing process sets a BullMQ job's attempts and backoff
      producer: (retry) =>
        new BullMqJobQueue({
          ...options(),
          jobs: db.client(),
          pubsub: events,
          ingest: fakeIngest(),
          retry,
          worker: false,
        }),
      worker: async (ingest, retry) => {
        const own = pubsub();
        await own.ready(); // an event published before the connection is up is dropped
        return new BullMqJobQueue({ ...workerOptions(), jobs: db.client(), pubsub: own, ingest, retry, worker: true });
      },
      leftByDeadRunner: async (jobId) => {
        // what BullMQ's stalled check leaves once a dead worker's lock expired: the row RUNNING (the dead
        // worker's claim), its BullMQ job back in the wait list
        await jobs.transition(jobId, ["QUEUED"], { status: "RUNNING" });
      },
      close: async () => {
        for (const p of pubsubs) p.close();
        await db.close();
      },
    };
  });
});
