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
import { backoffDelay, jobErrorText, NO_RETRY } from "./transient-error.js";
import type { RetryPolicy } from "../config.js";

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
  /**
   * how often the table is looked at for jobs another process enqueued (`cinerag query`, a second server on
   * the same data directory); this process's own enqueues start at once; default 2 s
   */
  pollMs?: number;
  /** runs of a job that fails for a transient reason, and the wait before the first retry; default: no retry */
  retry?: RetryPolicy;
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
  private pollTimer: NodeJS.Timeout | undefined;
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
    this.pollTimer = setInterval(() => {
      if (this.running.size < this.concurrency) this.kick();
    }, this.deps.pollMs ?? 2_000);
    this.pollTimer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
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

  /**
   * Runs the job; a transient failure (the database or the search engine away) is run again after a backoff,
   * inside this claim: the row stays RUNNING, touched while it waits, so that no other process takes it over,
   * and a cancel (this process or another) or a shutdown ends the wait as it would end a run.
   */
  private async run(job: JobRecord, entry: Running): Promise<void> {
    const policy = this.deps.retry ?? NO_RETRY;
    const heartbeatMs = this.deps.heartbeatMs ?? 5_000;
    for (let attempt = 1; ; attempt++) {
      entry.mayRetry = attempt < policy.attempts;
      const outcome = await this.runner.run(job, entry);
      if (outcome !== "RETRY") return;
      const delay = backoffDelay(policy, attempt);
      const note = `retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt} of ${policy.attempts} failed: ${jobErrorText(entry.retryError)})`;
      const until = Date.now() + delay;
      let touch = this.touch(job.id, { message: note });
      this.publishRow(job.id);
      while (Date.now() < until && !entry.controller.signal.aborted) {
        if ((await touch) === false) entry.controller.abort(new AppError("CANCELLED", "cancelled"));
        else await abortableSleep(Math.min(heartbeatMs, until - Date.now()), entry.controller.signal);
        touch = this.touch(job.id, {});
      }
      if (entry.controller.signal.aborted) return this.endWait(job.id, entry);
      job = (await this.get(job.id)) ?? job;
    }
  }

  /** the row is still ours (RUNNING): true; cancelled elsewhere: false; the database away: undefined */
  private async touch(jobId: string, change: { message?: string }): Promise<boolean | undefined> {
    try {
      return await this.deps.jobs.transition(jobId, ["RUNNING"], { ...change, updatedAt: new Date() });
    } catch (error) {
      this.deps.logger.debug({ err: error, jobId }, "could not touch a job waiting for its retry");
      return undefined;
    }
  }

  /** a wait for a retry ended by a cancel or a shutdown: the row as a run so ended would leave it */
  private async endWait(jobId: string, entry: Running): Promise<void> {
    const change = entry.stopping
      ? { status: "QUEUED" as const, message: "interrupted by shutdown: resumes at next start" }
      : { status: "CANCELLED" as const, message: "cancelled", finishedAt: new Date() };
    await this.deps.jobs.transition(jobId, ["RUNNING"], change);
    this.publishRow(jobId);
  }

  private publishRow(jobId: string): void {
    this.runner.publishRow(jobId);
  }
}

/** resolves after `ms`, or at once when `signal` aborts */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener("abort", done, { once: true });
  });
}
