// The in-process job runner over the Job table: resumes jobs a dead process left, throttles progress writes,
// cancels through the AbortSignal, goes back to QUEUED on shutdown. A fake ingest stands in for the pipeline:
// these tests need an ingest that hangs until cancelled and reports a set number of steps, which the real one
// cannot be made to do; the real pipeline behind the queue is covered by test/e2e/graphql/ingest.test.ts.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { createPrismaClient, type PrismaClient } from "../../../src/store/prisma.client.js";
import { InProcessJobQueue, type IngestRunner } from "../../../src/jobs/in-process.job-queue.js";
import { JobRepository } from "../../../src/store/job.repository.js";
import { InProcessPubSub } from "../../../src/events/in-process.pubsub.js";
import { TOPICS, type JobProgressPayload } from "../../../src/events/pubsub.port.js";
import { createLogger } from "../../../src/logging/logger.js";
import { AppError } from "../../../src/errors/app-error.js";
import type { IngestRequest } from "../../../src/ingest/ingest.service.js";
import { fakeIngestResult as result } from "../../fixtures/ingest-result.js";
import { tempDataDir, testConfig } from "./helpers/seed.js";

let dir: string;
let prisma: PrismaClient;
let jobs: JobRepository;
const logger = createLogger("silent");

beforeAll(async () => {
  dir = await tempDataDir();
  const config = testConfig(dir);
  await migrateDatabase(config.databaseFile);
  prisma = createPrismaClient(config.databaseFile);
  jobs = new JobRepository(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await prisma.job.deleteMany();
});

/** reports `steps` progress events 5 ms apart per stage; waits for the signal when `hang` */
function fakeIngest(opts: { steps?: number; hang?: boolean; seen?: string[] } = {}): IngestRunner {
  return {
    async ingest(req: IngestRequest) {
      opts.seen?.push(req.file);
      for (const stage of ["probe", "shots", "store"] as const) {
        for (let i = 0; i <= (opts.steps ?? 3); i++) {
          if (req.signal?.aborted) throw new AppError("CANCELLED", "cancelled");
          req.onProgress?.({ stage, percent: (100 * i) / (opts.steps ?? 3) });
          await new Promise((r) => setTimeout(r, 5));
        }
        if (opts.hang && stage === "shots") {
          await new Promise((_, reject) =>
            req.signal?.addEventListener("abort", () => reject(new AppError("CANCELLED", "cancelled"))),
          );
        }
      }
      return result(req.file);
    },
  };
}

describe("InProcessJobQueue", () => {
  it("picks up jobs a dead process left QUEUED or RUNNING, at start", async () => {
    const old = new Date(Date.now() - 60_000);
    await prisma.job.create({
      data: {
        id: "left-running",
        kind: "INGEST",
        status: "RUNNING",
        input: JSON.stringify({ path: "/m/a.mkv" }),
        updatedAt: old,
        createdAt: old,
      },
    });
    await prisma.job.create({
      data: { id: "left-queued", kind: "INGEST", status: "QUEUED", input: JSON.stringify({ path: "/m/b.mkv" }) },
    });
    await prisma.job.create({
      data: { id: "fresh-running", kind: "INGEST", status: "RUNNING", input: JSON.stringify({ path: "/m/c.mkv" }) },
    }); // another live process's
    const seen: string[] = [];
    const queue = new InProcessJobQueue({
      jobs,
      pubsub: new InProcessPubSub(),
      logger,
      ingest: fakeIngest({ seen }),
      staleMs: 30_000,
    });
    await queue.start();
    await queue.idle();
    await queue.stop();
    expect(seen.sort()).toEqual(["/m/a.mkv", "/m/b.mkv"]);
    const rows = await prisma.job.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.id, r.status, r.clipId])).toEqual([
      ["fresh-running", "RUNNING", null],
      ["left-queued", "SUCCEEDED", "clip-of-/m/b.mkv"],
      ["left-running", "SUCCEEDED", "clip-of-/m/a.mkv"],
    ]);
  });

  it("publishes progress, writes it to the row throttled, ends with a final event", async () => {
    const pubsub = new InProcessPubSub();
    const queue = new InProcessJobQueue({
      jobs,
      pubsub,
      logger,
      ingest: fakeIngest({ steps: 20 }),
      progressWriteMs: 10_000,
      progressPublishMs: 0,
    });
    const writes: number[] = [];
    const job = await queue.enqueueIngest({ path: "/m/x.mkv" });
    const events: JobProgressPayload[] = [];
    const it = pubsub.subscribe(TOPICS.JOB_PROGRESS, job.id);
    const reading = (async () => {
      for await (const e of it) {
        events.push(e as JobProgressPayload);
        if ((e as JobProgressPayload).final) break;
      }
    })();
    const spy = prisma.job.updateMany.bind(prisma.job);
    const delegate = prisma.job as { updateMany: unknown };
    delegate.updateMany = (args: Parameters<typeof spy>[0]) => (writes.push(Date.now()), spy(args));
    try {
      await queue.start();
      await reading;
      await queue.idle();
    } finally {
      delegate.updateMany = spy;
      await queue.stop();
    }
    expect(events.at(-1)).toMatchObject({ status: "SUCCEEDED", final: true, percent: 100 });
    expect(events.length).toBeGreaterThan(40); // every step published (publish throttle 0)
    // row writes: the claim + one per stage change (throttle 10 s), not one per event
    expect(writes.length).toBeGreaterThan(0); // the spy does see the row writes
    expect(writes.length).toBeLessThanOrEqual(5);
    const percents = events.map((e) => e.percent);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  });

  it("cancels a running job through its AbortSignal", async () => {
    const pubsub = new InProcessPubSub();
    const queue = new InProcessJobQueue({ jobs, pubsub, logger, ingest: fakeIngest({ hang: true }) });
    await queue.start();
    const job = await queue.enqueueIngest({ path: "/m/hang.mkv" });
    const final = (async () => {
      for await (const e of pubsub.subscribe(TOPICS.JOB_PROGRESS, job.id))
        if ((e as JobProgressPayload).final) return e as JobProgressPayload;
    })();
    while ((await queue.get(job.id))?.status !== "RUNNING") await new Promise((r) => setTimeout(r, 5));
    const cancelled = await queue.cancel(job.id);
    expect(cancelled.status).toBe("CANCELLED");
    expect(await final).toMatchObject({ status: "CANCELLED", final: true });
    await queue.idle();
    await queue.stop();
  });

  it("a job cancelled by another process is aborted at the next heartbeat", async () => {
    const queue = new InProcessJobQueue({
      jobs,
      pubsub: new InProcessPubSub(),
      logger,
      ingest: fakeIngest({ hang: true }),
      heartbeatMs: 20,
    });
    await queue.start();
    const job = await queue.enqueueIngest({ path: "/m/hang2.mkv" });
    while ((await queue.get(job.id))?.status !== "RUNNING") await new Promise((r) => setTimeout(r, 5));
    await prisma.job.update({ where: { id: job.id }, data: { status: "CANCELLED" } }); // the other process
    await queue.idle();
    expect((await queue.get(job.id))?.status).toBe("CANCELLED");
    await queue.stop();
  });

  it("shutdown puts a running job back to QUEUED; the next start resumes it", async () => {
    const first = new InProcessJobQueue({
      jobs,
      pubsub: new InProcessPubSub(),
      logger,
      ingest: fakeIngest({ hang: true }),
    });
    await first.start();
    const job = await first.enqueueIngest({ path: "/m/resume.mkv" });
    while ((await first.get(job.id))?.status !== "RUNNING") await new Promise((r) => setTimeout(r, 5));
    await first.stop();
    expect((await first.get(job.id))?.status).toBe("QUEUED");
    const second = new InProcessJobQueue({ jobs, pubsub: new InProcessPubSub(), logger, ingest: fakeIngest() });
    await second.start();
    await second.idle();
    await second.stop();
    expect((await second.get(job.id))?.status).toBe("SUCCEEDED");
  });

  it("records failures with their code", async () => {
    const queue = new InProcessJobQueue({
      jobs,
      pubsub: new InProcessPubSub(),
      logger,
      ingest: { ingest: () => Promise.reject(new AppError("NOT_MEDIA", "not a media file")) },
    });
    await queue.start();
    const job = await queue.enqueueIngest({ path: "/m/bad.mkv" });
    await queue.idle();
    await queue.stop();
    expect(await queue.get(job.id)).toMatchObject({ status: "FAILED", error: "NOT_MEDIA: not a media file" });
  });
});
