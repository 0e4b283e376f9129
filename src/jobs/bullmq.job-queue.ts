// The scale-out job queue: BullMQ on Redis (CINERAG_REDIS_URL). The Job row stays the API's record; the
// BullMQ job (id = the row's id, so an enqueue is idempotent) only carries "run this row" to some worker.
//
// - enqueue: a QUEUED row, then a BullMQ job with the same id. Any process can enqueue (`cinerag serve`).
// - workers (`cinerag worker`, or `serve` with CINERAG_SERVE_WORKER=1) claim the row (QUEUED, or RUNNING left
//   by a dead worker) and run it with the same IngestJobRunner as the in-process queue.
// - a worker killed mid-job stops renewing its BullMQ lock; after lockMs the stalled-job check of any live
//   worker (every stalledMs) puts the job back in the wait list and another worker takes it over; the ingest
//   resumes from its checkpoints. After maxStalled such deaths the job is failed (and so is its row). lockMs
//   must outlast the longest event-loop stall of a busy worker (the lock is renewed every lockMs / 2): a lock
//   lost by a live worker hands its job to a second one, and the file's ingest lease then makes the second
//   wait for the first and join its result.
// - cancel (from any process, worker or not): the row is marked CANCELLED, a waiting BullMQ job is removed, and
//   a cancel event goes out on the pub/sub (Redis) so that the worker running it aborts at once; its next
//   progress write or heartbeat would notice the row anyway.
// - stop(): the worker takes no more jobs; a running one is aborted, its row goes back to QUEUED and its BullMQ
//   job back to the wait list, for another worker (or the next start).
// - a run that fails for a transient reason (database, Redis or search engine away: transient-error.ts) is
//   retried by BullMQ (`attempts`, exponential `backoff`), by whichever worker is free when the delay ends; the
//   row is QUEUED meanwhile and says when. A permanent failure (bad media) fails the row at once.
// - workers sweep (at start and every sweepMs) for rows QUEUED or RUNNING whose BullMQ job is gone (Redis
//   flushed or restarted without persistence, an add that failed) and queue them again.
import { Queue, UnrecoverableError, WaitingError, Worker, type Job as BullJob } from "bullmq";
import { Redis } from "ioredis";
import type { JobRepository } from "../store/job.repository.js";
import type { Logger } from "../logging/logger.js";
import { AppError } from "../errors/app-error.js";
import { FINAL_JOB_STATUSES, type JobStatus, type PubSub } from "../events/pubsub.port.js";
import type { IngestJobInput, JobQueue, JobRecord } from "./job-queue.port.js";
import type { Page, PageArgs } from "../services/pagination.js";
import { jobToCancel, listJobs } from "./job-reads.js";
import { withProbeConnection } from "../events/redis.pubsub.js";
import { IngestJobRunner, type IngestRunner, type RunControl } from "./job-runner.js";
import { backoffDelay, isTransientError, jobErrorText, NO_RETRY } from "./transient-error.js";
import type { RetryPolicy } from "../config.js";

/** pub/sub topic of cancel requests: `{ jobId }` */
export const JOB_CANCEL_TOPIC = "JOB_CANCEL";

export interface BullMqJobQueueOptions {
  jobs: JobRepository;
  ingest: IngestRunner;
  pubsub: PubSub;
  logger: Logger;
  redisUrl: string;
  /** start() runs a worker; false: this process only enqueues and cancels */
  worker: boolean;
  /** BullMQ queue name; default "cinerag-ingest" */
  queueName?: string;
  /** BullMQ key prefix; default "cinerag-bull" */
  prefix?: string;
  /** jobs one worker runs at once; default 1 */
  concurrency?: number;
  /** BullMQ lockDuration; default 30 s */
  lockMs?: number;
  /** BullMQ stalledInterval; default 30 s */
  stalledMs?: number;
  /** BullMQ maxStalledCount; default 2 */
  maxStalled?: number;
  /** BullMQ attempts and exponential backoff of transient failures; default: no retry */
  retry?: RetryPolicy;
  /** period of a worker's sweep for rows whose BullMQ job was lost; default 60 s */
  sweepMs?: number;
  progressWriteMs?: number;
  progressPublishMs?: number;
  heartbeatMs?: number;
}

/** What `cinerag doctor` says of the queue: Redis's version, the BullMQ job counts, the workers connected. */
export interface BullMqQueueDescription {
  redisVersion: string;
  counts: { waiting: number; active: number; delayed: number; failed: number };
  workers: number;
}

/** Connects once (no retry loop), reads the queue's state, disconnects; rejects when Redis cannot be reached. */
export async function describeBullMqQueue(
  redisUrl: string,
  options: { queueName?: string; prefix?: string; timeoutMs?: number } = {},
): Promise<BullMqQueueDescription> {
  return withProbeConnection(redisUrl, options.timeoutMs ?? 3000, async (connection, redisVersion) => {
    const queue = new Queue(options.queueName ?? "cinerag-ingest", {
      connection,
      prefix: options.prefix ?? "cinerag-bull",
    });
    try {
      const c = await queue.getJobCounts("wait", "active", "delayed", "failed");
      return {
        redisVersion,
        counts: { waiting: c.wait ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 },
        workers: await queue.getWorkersCount(),
      };
    } finally {
      await queue.close();
    }
  });
}

interface JobData {
  jobId: string;
}

/** thrown by the processor to have BullMQ retry the job after its backoff; the message is the row's error text */
class TransientJobFailure extends Error {
  override readonly name = "TransientJobFailure";
}

/** a BullMQ failed reason as a row's error: ours already read `CODE: message`; BullMQ's own (stalls) do not */
function failedText(reason: string): string {
  return /^[A-Z_]+: /.test(reason) ? reason : `INTERNAL: ${reason}`;
}

export class BullMqJobQueue implements JobQueue {
  private readonly running = new Map<string, RunControl>();
  private readonly runner: IngestJobRunner;
  private readonly queueName: string;
  private readonly prefix: string;
  private queue: Queue<JobData> | undefined;
  private queueConnection: Redis | undefined;
  private worker: Worker<JobData> | undefined;
  private workerConnection: Redis | undefined;
  private cancels: AsyncIterableIterator<unknown> | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> = Promise.resolve();
  private idleWaiters: Array<() => void> = [];
  private readonly retry: RetryPolicy;

  constructor(private readonly deps: BullMqJobQueueOptions) {
    this.runner = new IngestJobRunner(deps);
    this.queueName = deps.queueName ?? "cinerag-ingest";
    this.prefix = deps.prefix ?? "cinerag-bull";
    this.retry = deps.retry ?? NO_RETRY;
  }

  async start(): Promise<void> {
    const { logger } = this.deps;
    if (this.worker) return;
    if (!this.deps.worker) {
      logger.info({ queue: this.queueName }, "jobs go to the BullMQ queue on Redis: `cinerag worker` runs them");
      return;
    }
    const { queued, lost } = await this.sweep();
    this.subscribeCancels();
    this.workerConnection = new Redis(this.deps.redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker<JobData>(this.queueName, (job, token) => this.processOnce(job, token), {
      connection: this.workerConnection,
      prefix: this.prefix,
      concurrency: this.deps.concurrency ?? 1,
      lockDuration: this.deps.lockMs ?? 30_000,
      stalledInterval: this.deps.stalledMs ?? 30_000,
      maxStalledCount: this.deps.maxStalled ?? 2,
      autorun: false,
    });
    worker.on("error", (error: Error) => logger.warn({ err: error.message }, "job worker: redis problem"));
    worker.on("stalled", (jobId: string) =>
      logger.warn({ jobId }, "job stalled (its worker stopped): handed to another worker"),
    );
    worker.on("failed", (job: BullJob<JobData> | undefined, error: Error) => {
      if (!job?.id || error instanceof WaitingError) return;
      // every failed attempt comes here; only the last one fails the row (the others wait in BullMQ's delayed set)
      const retried = error.name !== "UnrecoverableError" && job.attemptsMade < (job.opts.attempts ?? 1);
      if (retried) return;
      void this.failRow(job.id, failedText(error.message));
    });
    this.worker = worker;
    this.sweepTimer = setInterval(() => {
      this.sweeping = this.sweep().catch((error: unknown) =>
        logger.warn({ err: error }, "sweep for lost BullMQ jobs failed: tried again at the next one"),
      );
    }, this.deps.sweepMs ?? 60_000);
    this.sweepTimer.unref();
    void worker.run().catch((error: unknown) => logger.error({ err: error }, "job worker stopped"));
    await worker.waitUntilReady();
    logger.info(
      { queue: this.queueName, concurrency: this.deps.concurrency ?? 1, queued, lost },
      "BullMQ job worker started",
    );
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.sweeping;
    if (worker) {
      // close() stops fetching and waits for the running processors, which the aborts end promptly
      const closing = worker.close();
      for (const r of this.running.values()) {
        r.stopping = true;
        r.controller.abort(new AppError("CANCELLED", "the worker is shutting down"));
      }
      await closing;
    }
    await this.cancels?.return?.();
    this.cancels = undefined;
    this.workerConnection?.disconnect();
    this.workerConnection = undefined;
    const queue = this.queue;
    this.queue = undefined;
    await queue?.close();
    this.queueConnection?.disconnect();
    this.queueConnection = undefined;
  }

  async enqueueIngest(input: IngestJobInput): Promise<JobRecord> {
    const row = await this.deps.jobs.create("INGEST", JSON.stringify(input), "queued");
    try {
      await this.add(row.id);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.deps.jobs.transition(row.id, ["QUEUED"], {
        status: "FAILED",
        message: "failed",
        error: `ENGINE_UNAVAILABLE: the job queue (Redis) refused it: ${reason}`,
        finishedAt: new Date(),
      });
      throw new AppError("ENGINE_UNAVAILABLE", `the job queue (Redis) is unavailable: ${reason}`);
    }
    this.deps.logger.info({ jobId: row.id, path: input.path }, "ingest job queued (BullMQ)");
    return row;
  }

  get(jobId: string): Promise<JobRecord | null> {
    return this.deps.jobs.get(jobId);
  }

  list(filter: { statuses?: JobStatus[] }, page: PageArgs): Promise<Page<JobRecord>> {
    return listJobs(this.deps.jobs, filter, page);
  }

  async cancel(jobId: string): Promise<JobRecord> {
    const { job, already } = await jobToCancel(this.deps.jobs, jobId);
    if (already) return job;
    const marked = await this.deps.jobs.transition(jobId, ["QUEUED", "RUNNING"], {
      status: "CANCELLED",
      message: "cancelled",
      finishedAt: new Date(),
    });
    if (!marked) return this.cancel(jobId); // it finished or was claimed meanwhile: decide again
    // a waiting BullMQ job goes; an active (locked) one cannot be removed: its worker is told instead
    await this.bullQueue()
      .remove(jobId)
      .catch((error: unknown) => this.deps.logger.debug({ err: error, jobId }, "BullMQ job not removed"));
    this.deps.pubsub.publish(JOB_CANCEL_TOPIC, { jobId });
    const local = this.running.get(jobId);
    if (local) local.controller.abort(new AppError("CANCELLED", "cancelled"));
    if (job.status === "QUEUED") this.runner.publishRow(jobId);
    this.deps.logger.info({ jobId }, "job cancelled");
    return (await this.get(jobId))!;
  }

  idle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---------------------------------------------------------------------------------------------------

  private bullQueue(): Queue<JobData> {
    if (!this.queue) {
      this.queueConnection = new Redis(this.deps.redisUrl, { maxRetriesPerRequest: 1 });
      this.queueConnection.on("error", (error: Error) =>
        this.deps.logger.warn({ err: error.message }, "job queue: redis problem"),
      );
      this.queue = new Queue<JobData>(this.queueName, { connection: this.queueConnection, prefix: this.prefix });
    }
    return this.queue;
  }

  private async add(jobId: string): Promise<void> {
    await this.bullQueue().add(
      "INGEST",
      { jobId },
      {
        jobId,
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
        attempts: this.retry.attempts,
        backoff: { type: "exponential", delay: this.retry.backoffMs },
      },
    );
  }

  /**
   * Rows QUEUED or RUNNING whose BullMQ job is gone get a new one (QUEUED again first): rows written in-process
   * (`cinerag query`), an enqueue whose add failed, a Redis flushed or restarted without persistence. A live
   * row's BullMQ job is otherwise waiting, delayed (a retry) or active (a live worker's, or a dead one's until the
   * stalled check), never missing: the row is final before the processor returns and BullMQ drops the completed
   * job. A row that finishes meanwhile is left alone (the RUNNING → QUEUED step is conditional, and a BullMQ job
   * added for a row already final is skipped by the processor). Several workers may sweep at once: the adds
   * share the row's id, so only one BullMQ job results. A RUNNING row whose runner still heartbeats (this
   * worker's, or a live one elsewhere after a flush) is left to finish: only rows untouched for longer than a
   * lock are taken back.
   */
  private async sweep(): Promise<{ queued: number; lost: number }> {
    let lost = 0;
    const staleBefore = Date.now() - Math.max(this.deps.lockMs ?? 30_000, 3 * (this.deps.heartbeatMs ?? 5_000));
    // oldest first, as they were enqueued
    const rows = (await this.deps.jobs.list({ statuses: ["QUEUED", "RUNNING"] }, 0, 10_000)).reverse();
    for (const row of rows) {
      if (row.status === "RUNNING" && (this.running.has(row.id) || row.updatedAt.getTime() > staleBefore)) continue;
      const state = await this.bullQueue().getJobState(row.id);
      if (state === "failed") {
        // BullMQ gave up on it (stalled too often, or its last attempt failed) but the row did not hear of it
        const reason = (await this.bullQueue().getJob(row.id))?.failedReason ?? "failed in the queue";
        await this.failRow(row.id, failedText(reason));
        continue;
      }
      if (state !== "unknown" && state !== "completed") continue;
      if (row.status === "RUNNING") {
        const requeued = await this.deps.jobs.transition(row.id, ["RUNNING"], {
          status: "QUEUED",
          message: "recovered: its queue entry was lost",
        });
        if (!requeued) continue;
      }
      if (state !== "unknown") await this.bullQueue().remove(row.id);
      await this.add(row.id);
      if (state !== "unknown" || row.status === "RUNNING") lost++;
    }
    if (lost > 0) this.deps.logger.warn({ count: lost }, "re-queued jobs whose BullMQ entry was lost");
    return { queued: rows.filter((r) => r.status === "QUEUED").length, lost };
  }

  private subscribeCancels(): void {
    const cancels = this.deps.pubsub.subscribe(JOB_CANCEL_TOPIC);
    this.cancels = cancels;
    void (async () => {
      for await (const event of cancels) {
        const jobId = (event as { jobId?: unknown } | null)?.jobId;
        const local = typeof jobId === "string" ? this.running.get(jobId) : undefined;
        if (local && !local.controller.signal.aborted) {
          this.deps.logger.info({ jobId }, "job cancelled elsewhere: aborting");
          local.controller.abort(new AppError("CANCELLED", "cancelled"));
        }
      }
    })().catch((error: unknown) => this.deps.logger.warn({ err: error }, "job cancel subscription ended"));
  }

  /**
   * The BullMQ processor. BullMQ retries whatever a processor throws (up to `attempts`): only a transient
   * failure may be retried, anything else fails the job (UnrecoverableError) with its row.
   */
  private async processOnce(bullJob: BullJob<JobData>, token?: string): Promise<string> {
    try {
      return await this.process(bullJob, token);
    } catch (error) {
      if (error instanceof WaitingError || error instanceof TransientJobFailure) throw error;
      if (isTransientError(error)) throw new TransientJobFailure(jobErrorText(error));
      throw new UnrecoverableError(jobErrorText(error));
    }
  }

  /** claims the row and runs it */
  private async process(bullJob: BullJob<JobData>, token?: string): Promise<string> {
    const jobId = bullJob.id ?? bullJob.data.jobId;
    const log = this.deps.logger.child({ jobId });
    const control: RunControl = { controller: new AbortController(), stopping: false };
    // registered before the claim, so that a cancel event arriving meanwhile is not missed
    this.running.set(jobId, control);
    try {
      const row = await this.deps.jobs.get(jobId);
      if (!row || FINAL_JOB_STATUSES.includes(row.status)) return `skipped (${row ? row.status : "no row"})`;
      // RUNNING: its worker died (the BullMQ lock expired and the stalled check handed the job here)
      const takeover = row.status === "RUNNING";
      const claimed = await this.deps.jobs.transition(jobId, ["QUEUED", "RUNNING"], {
        status: "RUNNING",
        message: takeover ? "taken over from a worker that stopped" : "started",
        error: null,
        updatedAt: new Date(),
      });
      if (!claimed) return "skipped (cancelled or finished meanwhile)";
      if (takeover) log.warn("taking over a job whose worker stopped: the ingest resumes from its checkpoints");
      control.takeover = takeover;
      if (control.controller.signal.aborted && !control.stopping) {
        await this.deps.jobs.transition(jobId, ["RUNNING"], {
          status: "CANCELLED",
          message: "cancelled",
          finishedAt: new Date(),
        });
        return "CANCELLED";
      }
      const attempt = bullJob.attemptsMade + 1;
      const attempts = bullJob.opts.attempts ?? 1;
      control.mayRetry = attempt < attempts;
      const outcome = await this.runner.run((await this.deps.jobs.get(jobId))!, control);
      if (outcome === "RETRY") {
        const text = jobErrorText(control.retryError);
        // the enqueueing process set the backoff: say the delay BullMQ will wait
        const backoff = bullJob.opts.backoff;
        const backoffMs = (typeof backoff === "number" ? backoff : backoff?.delay) ?? this.retry.backoffMs;
        const delay = backoffDelay({ attempts, backoffMs }, attempt);
        // best effort: the database may be the engine that is away (the next attempt claims RUNNING rows too)
        await this.deps.jobs
          .transition(jobId, ["RUNNING"], {
            status: "QUEUED",
            message: `retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt} of ${attempts} failed: ${text})`,
          })
          .then(() => this.runner.publishRow(jobId))
          .catch((error: unknown) => log.debug({ err: error }, "could not mark the job for its retry"));
        throw new TransientJobFailure(text);
      }
      if (outcome === "REQUEUED") {
        // back to the wait list for another worker (or the next start), without counting an attempt
        await bullJob.moveToWait(token);
        throw new WaitingError();
      }
      return outcome;
    } finally {
      this.running.delete(jobId);
      if (this.running.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /** a BullMQ job that failed (its processor threw, or it stalled too often): so does its row */
  private async failRow(jobId: string, errorText: string): Promise<void> {
    try {
      const failed = await this.deps.jobs.transition(jobId, ["QUEUED", "RUNNING"], {
        status: "FAILED",
        message: "failed",
        error: errorText,
        finishedAt: new Date(),
      });
      if (failed) {
        this.deps.logger.error({ jobId, error: errorText }, "job failed in the queue");
        this.runner.publishRow(jobId);
      }
    } catch (error) {
      this.deps.logger.warn({ err: error, jobId }, "could not record a failed job");
    }
  }
}
