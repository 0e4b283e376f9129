// The job queue port. Mutations enqueue work and return at once; a runner executes it in the background,
// writes progress to the Job row and publishes it (src/events).
//
// Implementations:
//   - in-process.job-queue.ts: a runner inside the server process over the `Job` table (embedded default)
//   - bullmq.job-queue.ts: BullMQ on Redis (CINERAG_REDIS_URL set); `cinerag worker` processes run the jobs
// Both run a claimed job with job-runner.ts; see ./README.md
import type { JobStatus } from "../events/pubsub.port.js";
import type { Page, PageArgs } from "../services/pagination.js";

export type JobKind = "INGEST";

export interface IngestJobInput {
  /** real path, already checked against the media roots */
  path: string;
  title?: string;
  subtitlePaths?: string[];
}

/** A Job row as the API sees it. */
export interface JobRecord {
  id: string;
  kind: string;
  status: JobStatus;
  stage: string | null;
  percent: number;
  message: string | null;
  input: string;
  clipId: string | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface JobQueue {
  /** recovers jobs left QUEUED/RUNNING by a process that died, then runs queued jobs as they come */
  start(): Promise<void>;
  /** stops taking jobs; running ones are cancelled and go back to QUEUED so that the next start resumes them */
  stop(): Promise<void>;
  enqueueIngest(input: IngestJobInput): Promise<JobRecord>;
  /** cancels a queued or running job; a finished job is returned unchanged if CANCELLED, else CONFLICT */
  cancel(jobId: string): Promise<JobRecord>;
  get(jobId: string): Promise<JobRecord | null>;
  /** newest first */
  list(filter: { statuses?: JobStatus[] }, page: PageArgs): Promise<Page<JobRecord>>;
  /** resolves when nothing is queued or running in this process (tests, `cinerag query`) */
  idle(): Promise<void>;
}
