// What every JobQueue driver answers from the Job table alone: the table is the record of a job, whichever
// queue (in-process, BullMQ) runs it.
import { AppError } from "../errors/app-error.js";
import { FINAL_JOB_STATUSES, type JobStatus } from "../events/pubsub.port.js";
import { queryPage, type Page, type PageArgs } from "../services/pagination.js";
import type { JobRepository } from "../store/job.repository.js";
import type { JobRecord } from "./job-queue.port.js";

export function listJobs(
  jobs: JobRepository,
  filter: { statuses?: JobStatus[] },
  page: PageArgs,
): Promise<Page<JobRecord>> {
  return queryPage(
    page,
    () => jobs.count(filter),
    (skip, take) => jobs.list(filter, skip, take),
  );
}

/**
 * The job a cancel is about: `already` when it is CANCELLED (a cancel returns it unchanged); NOT_FOUND for
 * no such job, CONFLICT for one that finished otherwise.
 */
export async function jobToCancel(jobs: JobRepository, jobId: string): Promise<{ job: JobRecord; already: boolean }> {
  const job = await jobs.get(jobId);
  if (!job) throw new AppError("NOT_FOUND", `no job ${jobId}`);
  if (job.status === "CANCELLED") return { job, already: true };
  if (FINAL_JOB_STATUSES.includes(job.status))
    throw new AppError("CONFLICT", `job ${jobId} already ${job.status.toLowerCase()}`);
  return { job, already: false };
}
