// The embedded job runner: jobs are rows of the `Job` table, run inside this process (see ./README.md for
// recovery, heartbeats and cancellation).
import type { JobRepository } from "../store/job.repository.js";
import type { Logger } from "../logging/logger.js";
import type { IngestRequest, IngestResult } from "../ingest/ingest.service.js";
import type { IngestProgress } from "../ingest/progress.js";
import { AppError, isAppError } from "../errors/app-error.js";
import {
  FINAL_JOB_STATUSES,
  TOPICS,
  type ClipUpdatedPayload,
  type JobProgressPayload,
  type JobStatus,
  type PubSub,
} from "../events/pubsub.port.js";
import type { IngestJobInput, JobQueue, JobRecord } from "./job-queue.port.js";
import { queryPage, type Page, type PageArgs } from "../services/pagination.js";

/** What the runner needs of the ingest pipeline (IngestService fits). */
export interface IngestRunner {
  ingest(request: IngestRequest): Promise<IngestResult>;
}

export interface InProcessJobQueueOptions {
  /** the Job table (src/store) */
  jobs: JobRepository;
  ingest: IngestRunner;
  pubsub: PubSub;
  logger: Logger;
  /** jobs run at once; default 1 */
  concurrency?: number;
  /** at most one progress write to the Job row per this many ms (stage changes always write); default 500 */
  progressWriteMs?: number;
  /** at most one progress event per this many ms (stage changes always publish); default 100 */
  progressPublishMs?: number;
  /** a running job's row is touched at least this often; default 5 s */
  heartbeatMs?: number;
  /** a RUNNING row untouched for this long was left by a dead process; default 30 s */
  staleMs?: number;
}

/** Share of the whole job each ingest stage stands for (the decode pass dominates). */
// Rough shares of an ingest's wall time; optional stages (asr, enrichment) only run when they have work.
const STAGE_WEIGHTS: Record<string, number> = {
  probe: 2,
  subtitles: 4,
  asr: 10,
  shots: 60,
  scenes: 2,
  store: 4,
  embedding: 6,
  emotion: 4,
  caption: 5,
  clip: 3,
};
const STAGE_ORDER = Object.keys(STAGE_WEIGHTS);

export function overallPercent(stage: string, stagePercent: number): number {
  const at = STAGE_ORDER.indexOf(stage);
  if (at < 0) return 0;
  const before = STAGE_ORDER.slice(0, at).reduce((sum, s) => sum + STAGE_WEIGHTS[s]!, 0);
  const total = before + (STAGE_WEIGHTS[stage]! * Math.min(100, Math.max(0, stagePercent))) / 100;
  return Math.round(total * 10) / 10;
}

interface Running {
  controller: AbortController;
  /** set by stop(): the job goes back to QUEUED instead of CANCELLED */
  stopping: boolean;
  done: Promise<void>;
}

export class InProcessJobQueue implements JobQueue {
  private readonly running = new Map<string, Running>();
  private started = false;
  private stopped = false;
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly progressWriteMs: number;
  private readonly progressPublishMs: number;
  private readonly heartbeatMs: number;
  private readonly staleMs: number;

  constructor(private readonly deps: InProcessJobQueueOptions) {
    this.concurrency = deps.concurrency ?? 1;
    this.progressWriteMs = deps.progressWriteMs ?? 500;
    this.progressPublishMs = deps.progressPublishMs ?? 100;
    this.heartbeatMs = deps.heartbeatMs ?? 5_000;
    this.staleMs = deps.staleMs ?? 30_000;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    await this.recoverStale();
    const queued = await this.deps.jobs.count({ statuses: ["QUEUED"] });
    if (queued > 0) this.deps.logger.info({ queued }, "resuming queued jobs");
    this.sweepTimer = setInterval(() => {
      this.recoverStale()
        .then((n) => (n > 0 ? this.kick() : undefined))
        .catch((error: unknown) => this.deps.logger.warn({ err: error }, "job recovery sweep failed"));
    }, this.staleMs);
    this.sweepTimer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.pumping; // launches nothing more once stopped
    for (const r of this.running.values()) {
      r.stopping = true;
      r.controller.abort(new AppError("CANCELLED", "the server is shutting down"));
    }
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
    this.started = false;
  }

  async enqueueIngest(input: IngestJobInput): Promise<JobRecord> {
    const row = await this.deps.jobs.create("INGEST", JSON.stringify(input), "queued");
    this.deps.logger.info({ jobId: row.id, path: input.path }, "ingest job queued");
    this.kick();
    return row;
  }

  get(jobId: string): Promise<JobRecord | null> {
    return this.deps.jobs.get(jobId);
  }

  list(filter: { statuses?: JobStatus[] }, page: PageArgs): Promise<Page<JobRecord>> {
    return queryPage(
      page,
      () => this.deps.jobs.count(filter),
      (skip, take) => this.deps.jobs.list(filter, skip, take),
    );
  }

  async cancel(jobId: string): Promise<JobRecord> {
    const job = await this.get(jobId);
    if (!job) throw new AppError("NOT_FOUND", `no job ${jobId}`);
    if (job.status === "CANCELLED") return job;
    if (FINAL_JOB_STATUSES.includes(job.status))
      throw new AppError("CONFLICT", `job ${jobId} already ${job.status.toLowerCase()}`);
    const now = new Date();
    // Marking the row first makes the cancel visible to a runner in any process (its heartbeat notices).
    const marked = await this.deps.jobs.transition(jobId, ["QUEUED", "RUNNING"], {
      status: "CANCELLED",
      message: "cancelled",
      finishedAt: now,
    });
    if (!marked) return this.cancel(jobId); // it finished or was claimed meanwhile: decide again
    const local = this.running.get(jobId);
    if (local) local.controller.abort(new AppError("CANCELLED", "cancelled"));
    else if (job.status === "QUEUED") this.publishRow(jobId);
    this.deps.logger.info({ jobId }, "job cancelled");
    return (await this.get(jobId))!;
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---------------------------------------------------------------------------------------------------

  private isIdle(): boolean {
    return this.running.size === 0 && this.pumping === null;
  }

  private checkIdle(): void {
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** RUNNING rows nobody has touched for staleMs go back to QUEUED. */
  private async recoverStale(): Promise<number> {
    const before = new Date(Date.now() - this.staleMs);
    const count = await this.deps.jobs.requeueStale(
      before,
      [...this.running.keys()],
      "recovered after an interrupted run",
    );
    if (count > 0) this.deps.logger.warn({ count }, "recovered jobs left running by a process that stopped");
    return count;
  }

  private kick(): void {
    if (!this.started || this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, "job runner failed to claim jobs"))
      .finally(() => {
        this.pumping = null;
        this.checkIdle();
      });
  }

  private async pump(): Promise<void> {
    do {
      this.pumpAgain = false;
      while (!this.stopped && this.running.size < this.concurrency) {
        const job = await this.claimNext();
        if (!job) break;
        if (this.stopped) {
          // claimed while stopping: leave it for the next start
          await this.deps.jobs.transition(job.id, ["RUNNING"], { status: "QUEUED" });
          break;
        }
        this.launch(job);
      }
    } while (this.pumpAgain && !this.stopped);
  }

  private async claimNext(): Promise<JobRecord | null> {
    for (;;) {
      const next = await this.deps.jobs.oldestQueuedId();
      if (!next) return null;
      const claimed = await this.deps.jobs.transition(next, ["QUEUED"], {
        status: "RUNNING",
        message: "started",
        error: null,
      });
      if (claimed) return this.get(next);
    }
  }

  private launch(job: JobRecord): void {
    const entry: Running = { controller: new AbortController(), stopping: false, done: Promise.resolve() };
    this.running.set(job.id, entry);
    entry.done = this.run(job, entry)
      .catch((error: unknown) => this.deps.logger.error({ err: error, jobId: job.id }, "job runner bookkeeping failed"))
      .finally(() => {
        this.running.delete(job.id);
        this.kick();
        this.checkIdle();
      });
  }

  private async run(job: JobRecord, entry: Running): Promise<void> {
    const { jobs, logger } = this.deps;
    const log = logger.child({ jobId: job.id });
    const input = JSON.parse(job.input) as IngestJobInput;
    const state: JobProgressPayload = {
      jobId: job.id,
      status: "RUNNING",
      stage: job.stage,
      stagePercent: 0,
      percent: job.percent,
      message: "started",
      error: null,
      clipId: job.clipId,
      final: false,
    };
    this.publish(state);

    // Throttled row writes, one at a time, in order.
    let chain: Promise<unknown> = Promise.resolve();
    let lastWrite = Date.now();
    let lastPublish = 0;
    const write = (data: { stage?: string | null; percent?: number; message?: string | null }) => {
      lastWrite = Date.now();
      chain = chain
        .then(async () => {
          const stillRunning = await jobs.transition(job.id, ["RUNNING"], { ...data, updatedAt: new Date() });
          if (!stillRunning && !entry.controller.signal.aborted) {
            log.info("job cancelled elsewhere: aborting");
            entry.controller.abort(new AppError("CANCELLED", "cancelled"));
          }
        })
        .catch((error: unknown) => log.warn({ err: error }, "could not record job progress"));
    };
    const heartbeat = setInterval(() => {
      if (Date.now() - lastWrite >= this.heartbeatMs * 0.9) write({});
    }, this.heartbeatMs);
    heartbeat.unref();

    const onProgress = (p: IngestProgress) => {
      const stageChanged = p.stage !== state.stage;
      state.stage = p.stage;
      state.stagePercent = Math.round(p.percent * 10) / 10;
      state.percent = Math.max(state.percent, overallPercent(p.stage, p.percent));
      state.message = p.message ?? null;
      const now = Date.now();
      if (stageChanged || p.percent >= 100 || now - lastPublish >= this.progressPublishMs) {
        lastPublish = now;
        this.publish(state);
      }
      if (stageChanged || now - lastWrite >= this.progressWriteMs)
        write({ stage: state.stage, percent: state.percent, message: state.message });
    };

    try {
      const result = await this.deps.ingest.ingest({
        file: input.path,
        title: input.title,
        subtitles: input.subtitlePaths,
        signal: entry.controller.signal,
        onProgress,
      });
      clearInterval(heartbeat);
      await chain;
      const message = result.alreadyIngested
        ? "already ingested"
        : `${result.shots.length} shots, ${result.keyframes.length} keyframes, ${result.scenes.length} scenes`;
      // The work is done and committed: SUCCEEDED even if a cancel raced with the last moments.
      await jobs.update(job.id, {
        status: "SUCCEEDED",
        stage: "store",
        percent: 100,
        message,
        clipId: result.clip.id,
        error: null,
        finishedAt: new Date(),
      });
      log.info({ clipId: result.clip.id, alreadyIngested: result.alreadyIngested }, "ingest job succeeded");
      this.publish({
        ...state,
        status: "SUCCEEDED",
        stage: "store",
        stagePercent: 100,
        percent: 100,
        message,
        clipId: result.clip.id,
        final: true,
      });
      if (!result.alreadyIngested) {
        const payload: ClipUpdatedPayload = { clipId: result.clip.id, change: "READY", at: new Date().toISOString() };
        this.deps.pubsub.publish(TOPICS.CLIP_UPDATED, payload);
      }
    } catch (error) {
      clearInterval(heartbeat);
      await chain;
      const aborted = entry.controller.signal.aborted;
      if (aborted && entry.stopping) {
        await jobs.transition(job.id, ["RUNNING"], {
          status: "QUEUED",
          message: "interrupted by shutdown: resumes at next start",
        });
        log.info("job interrupted by shutdown; it resumes at the next start");
        this.publishRow(job.id);
      } else if (aborted) {
        await jobs.transition(job.id, ["RUNNING"], {
          status: "CANCELLED",
          message: "cancelled",
          finishedAt: new Date(),
        });
        log.info("ingest job cancelled");
        this.publishRow(job.id);
      } else {
        const message = isAppError(error)
          ? error.message
          : `internal error: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
        const code = isAppError(error) ? error.code : "INTERNAL";
        if (isAppError(error)) log.warn({ code, message }, "ingest job failed");
        else log.error({ err: error }, "ingest job failed");
        await jobs.transition(job.id, ["RUNNING"], {
          status: "FAILED",
          message: "failed",
          error: `${code}: ${message}`,
          finishedAt: new Date(),
        });
        this.publishRow(job.id);
      }
    }
  }

  private publish(payload: JobProgressPayload): void {
    this.deps.pubsub.publish(TOPICS.JOB_PROGRESS, payload.jobId, { ...payload });
  }

  /** publishes the row as it is now (after a final write) */
  private publishRow(jobId: string): void {
    this.get(jobId)
      .then((row) => {
        if (row) this.publish(jobPayload(row));
      })
      .catch((error: unknown) => this.deps.logger.warn({ err: error, jobId }, "could not publish job state"));
  }
}

/** The event describing a job row as it stands. */
export function jobPayload(row: JobRecord): JobProgressPayload {
  const final = FINAL_JOB_STATUSES.includes(row.status);
  return {
    jobId: row.id,
    status: row.status,
    stage: row.stage,
    stagePercent: row.status === "SUCCEEDED" ? 100 : 0,
    percent: row.percent,
    message: row.message,
    error: row.error,
    clipId: row.clipId,
    final,
  };
}
