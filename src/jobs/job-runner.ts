// Runs one ingest job, whichever queue claimed it (in-process.job-queue.ts, bullmq.job-queue.ts): progress goes
// to the Job row (throttled, plus a heartbeat) and to the pub/sub; the row ends SUCCEEDED, FAILED, CANCELLED,
// or back to QUEUED when the process is stopping. A progress write that finds the row no longer RUNNING means
// the job was cancelled elsewhere: the run aborts.
import type { JobRepository } from "../store/job.repository.js";
import type { Logger } from "../logging/logger.js";
import type { IngestRequest, IngestResult } from "../ingest/ingest.service.js";
import type { IngestProgress } from "../ingest/progress.js";
import { AppError, isAppError } from "../errors/app-error.js";
import { isTransientError, jobErrorText } from "./transient-error.js";
import {
  FINAL_JOB_STATUSES,
  TOPICS,
  type ClipUpdatedPayload,
  type JobProgressPayload,
  type PubSub,
} from "../events/pubsub.port.js";
import type { IngestJobInput, JobRecord } from "./job-queue.port.js";

/** What the runner needs of the ingest pipeline (IngestService fits). */
export interface IngestRunner {
  ingest(request: IngestRequest): Promise<IngestResult>;
}

export interface JobRunnerOptions {
  /** the Job table (src/store) */
  jobs: JobRepository;
  ingest: IngestRunner;
  pubsub: PubSub;
  logger: Logger;
  /** at most one progress write to the Job row per this many ms (stage changes always write); default 500 */
  progressWriteMs?: number;
  /** at most one progress event per this many ms (stage changes always publish); default 100 */
  progressPublishMs?: number;
  /** a running job's row is touched at least this often; default 5 s */
  heartbeatMs?: number;
}

/**
 * How a run ended; REQUEUED: stopped by a shutdown, the row is QUEUED again; RETRY: failed for a transient reason
 * (`RunControl.retryError`) and may run again: the row is left as it is (RUNNING) for the queue to decide.
 */
export type RunOutcome = "SUCCEEDED" | "FAILED" | "CANCELLED" | "REQUEUED" | "RETRY";

export interface RunControl {
  controller: AbortController;
  /** set by a shutdown before it aborts: the job goes back to QUEUED instead of CANCELLED */
  stopping: boolean;
  /** set by the queue when attempts are left: a transient failure ends the run with RETRY instead of FAILED */
  mayRetry?: boolean;
  /** the transient error of a RETRY outcome */
  retryError?: unknown;
  /** this run takes over from a worker that died while running the job (bullmq.job-queue.ts) */
  takeover?: boolean;
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

export class IngestJobRunner {
  private readonly progressWriteMs: number;
  private readonly progressPublishMs: number;
  private readonly heartbeatMs: number;

  constructor(private readonly deps: JobRunnerOptions) {
    this.progressWriteMs = deps.progressWriteMs ?? 500;
    this.progressPublishMs = deps.progressPublishMs ?? 100;
    this.heartbeatMs = deps.heartbeatMs ?? 5_000;
  }

  get(jobId: string): Promise<JobRecord | null> {
    return this.deps.jobs.get(jobId);
  }

  /**
   * Runs one claimed (RUNNING) job to its end and says how it ended. `entry.controller` aborts it (a cancel, or
   * a shutdown when `entry.stopping` is set: then the row goes back to QUEUED and the outcome is REQUEUED).
   */
  async run(job: JobRecord, entry: RunControl): Promise<RunOutcome> {
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
      // A takeover that finds the clip stored may follow a worker that died between its commit and this
      // publish: the READY event is sent again (at least once; a client seeing it twice refetches a READY clip).
      if (!result.alreadyIngested || entry.takeover) {
        const payload: ClipUpdatedPayload = { clipId: result.clip.id, change: "READY", at: new Date().toISOString() };
        this.deps.pubsub.publish(TOPICS.CLIP_UPDATED, payload);
      }
      return "SUCCEEDED";
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
        return "REQUEUED";
      } else if (aborted) {
        await jobs.transition(job.id, ["RUNNING"], {
          status: "CANCELLED",
          message: "cancelled",
          finishedAt: new Date(),
        });
        log.info("ingest job cancelled");
        this.publishRow(job.id);
        return "CANCELLED";
      } else if (entry.mayRetry && isTransientError(error)) {
        // the database, Redis or the search engine went away: no write here (it may be the database); the
        // queue waits and runs the job again, and the pipeline resumes from its checkpoints
        entry.retryError = error;
        log.warn({ error: jobErrorText(error) }, "ingest job failed for a transient reason: it will be retried");
        return "RETRY";
      } else {
        const text = jobErrorText(error);
        if (isAppError(error) || isTransientError(error)) log.warn({ error: text }, "ingest job failed");
        else log.error({ err: error }, "ingest job failed");
        await jobs.transition(job.id, ["RUNNING"], {
          status: "FAILED",
          message: isTransientError(error) ? "failed: no attempts left" : "failed",
          error: text,
          finishedAt: new Date(),
        });
        this.publishRow(job.id);
        return "FAILED";
      }
    }
  }

  publish(payload: JobProgressPayload): void {
    this.deps.pubsub.publish(TOPICS.JOB_PROGRESS, payload.jobId, { ...payload });
  }

  /** publishes the row as it is now (after a final write) */
  publishRow(jobId: string): void {
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
