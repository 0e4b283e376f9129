// The Job table: background jobs as the in-process runner (src/jobs) claims, updates and finishes them.
// Status changes that race with another process are conditional updates ("only if still RUNNING"), and
// report whether they applied, so the runner decides what happened without reading the row again.
import type { PrismaClient } from "./prisma.client.js";
import type { JobStatus } from "../events/pubsub.port.js";
import type { JobKind, JobRecord } from "../jobs/job-queue.port.js";

/** Fields of a job row the runner changes. */
export interface JobChange {
  status?: JobStatus;
  stage?: string | null;
  percent?: number;
  message?: string | null;
  error?: string | null;
  clipId?: string | null;
  finishedAt?: Date | null;
  updatedAt?: Date;
}

export interface JobListFilter {
  statuses?: JobStatus[];
}

const toRecord = (row: Omit<JobRecord, "status"> & { status: string }): JobRecord => ({
  ...row,
  status: row.status as JobStatus,
});

const NEWEST_FIRST = [{ createdAt: "desc" as const }, { id: "desc" as const }];

export class JobRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(kind: JobKind, input: string, message: string): Promise<JobRecord> {
    return toRecord(await this.prisma.job.create({ data: { kind, status: "QUEUED", input, message } }));
  }

  async get(jobId: string): Promise<JobRecord | null> {
    const row = await this.prisma.job.findUnique({ where: { id: jobId } });
    return row ? toRecord(row) : null;
  }

  count(filter: JobListFilter = {}): Promise<number> {
    return this.prisma.job.count({ where: listWhere(filter) });
  }

  /** newest first */
  async list(filter: JobListFilter, skip: number, take: number): Promise<JobRecord[]> {
    const rows = await this.prisma.job.findMany({ where: listWhere(filter), orderBy: NEWEST_FIRST, skip, take });
    return rows.map(toRecord);
  }

  /** jobs of a clip that are still queued or running */
  countActiveForClip(clipId: string): Promise<number> {
    return this.prisma.job.count({ where: { clipId, status: { in: ["QUEUED", "RUNNING"] } } });
  }

  async oldestQueuedId(): Promise<string | undefined> {
    const next = await this.prisma.job.findFirst({
      where: { status: "QUEUED" },
      orderBy: { createdAt: "asc" },
      select: { id: true },
    });
    return next?.id;
  }

  /** Applies `change` only while the job is in one of `from`; true when it did. */
  async transition(jobId: string, from: readonly JobStatus[], change: JobChange): Promise<boolean> {
    const { count } = await this.prisma.job.updateMany({
      where: { id: jobId, status: { in: [...from] } },
      data: change,
    });
    return count > 0;
  }

  /** Applies `change` whatever the job's status. */
  async update(jobId: string, change: JobChange): Promise<void> {
    await this.prisma.job.update({ where: { id: jobId }, data: change });
  }

  /** RUNNING rows not touched since `before` (and not in `except`) go back to QUEUED; returns how many. */
  async requeueStale(before: Date, except: readonly string[], message: string): Promise<number> {
    const { count } = await this.prisma.job.updateMany({
      where: { status: "RUNNING", updatedAt: { lt: before }, id: { notIn: [...except] } },
      data: { status: "QUEUED", message },
    });
    return count;
  }
}

function listWhere(filter: JobListFilter) {
  return filter.statuses && filter.statuses.length > 0 ? { status: { in: filter.statuses } } : {};
}
