// The embedded job runner: jobs are rows of the `Job` table, run inside this process (see ./README.md for
// recovery, heartbeats and cancellation).
import type { JobRepository } from "../store/job.repository.js";
import type { Logger } from "../logging/logger.js";
import { AppError } from "../errors/app-error.js";
import type { JobStatus, PubSub } from "../events/pubsub.port.js";
import type { IngestJobInput, JobQueue, JobRecord } from "./job-queue.port.js";
import type { Page, PageArgs } from "../services/pagination.js";
import { jobToCancel, listJobs } from "./job-reads.js";
import { IngestJobRunner, type IngestRunner, type RunControl } from "./job-runner.js";

export { jobPayload, overallPercent, type IngestRunner } from "./job-runner.js";

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

interface Running extends RunControl {
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
  private readonly staleMs: number;
  private readonly runner: IngestJobRunner;

  constructor(private readonly deps: InProcessJobQueueOptions) {
    this.concurrency = deps.concurrency ?? 1;
    this.staleMs = deps.staleMs ?? 30_000;
    this.runner = new IngestJobRunner(deps);
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
    return listJobs(this.deps.jobs, filter, page);
  }

  async cancel(jobId: string): Promise<JobRecord> {
    const { job, already } = await jobToCancel(this.deps.jobs, jobId);
    if (already) return job;
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
    await this.runner.run(job, entry);
  }

  private publishRow(jobId: string): void {
    this.runner.publishRow(jobId);
  }
}
