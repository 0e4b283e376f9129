// The SearchOutbox table: operations on the search index waiting to be applied (src/search/outbox.worker.ts).
// Rows written inside another aggregate's transaction (an ingest, a clip deletion) are written by that
// aggregate's repository; this one serves the worker, reindex and the enrichment steps.
import type { PrismaClient } from "./prisma.client.js";

export type OutboxOp = "UPSERT" | "DELETE";

/** One queued operation, as the worker reads it. */
export interface OutboxEntry {
  id: number;
  /** UPSERT, or DELETE (any other value is treated as a delete) */
  op: string;
  sceneId: string;
  clipId: string;
  attempts: number;
}

export class SearchOutboxRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** rows waiting (due now or backing off) */
  count(): Promise<number> {
    return this.prisma.searchOutbox.count();
  }

  /** up to `limit` rows available at `now`, in id (= write) order */
  due(now: Date, limit: number): Promise<OutboxEntry[]> {
    return this.prisma.searchOutbox.findMany({
      where: { availableAt: { lte: now } },
      orderBy: { id: "asc" },
      take: limit,
      select: { id: true, op: true, sceneId: true, clipId: true, attempts: true },
    });
  }

  /** the rows were applied to the index */
  async complete(ids: readonly number[]): Promise<void> {
    await this.prisma.searchOutbox.deleteMany({ where: { id: { in: [...ids] } } });
  }

  /** One more failed attempt for each row, which waits until its `availableAt`; in one transaction. */
  async postpone(retries: ReadonlyArray<{ id: number; availableAt: Date }>, error: string): Promise<void> {
    await this.prisma.$transaction(
      retries.map((r) =>
        this.prisma.searchOutbox.update({
          where: { id: r.id },
          data: { attempts: { increment: 1 }, lastError: error, availableAt: r.availableAt },
        }),
      ),
    );
  }

  async enqueue(op: OutboxOp, clipId: string, sceneIds: readonly string[]): Promise<void> {
    if (sceneIds.length === 0) return;
    await this.prisma.searchOutbox.createMany({ data: sceneIds.map((sceneId) => ({ op, sceneId, clipId })) });
  }

  /** the newest row's id, 0 when the table is empty */
  async highWater(): Promise<number> {
    return (await this.prisma.searchOutbox.aggregate({ _max: { id: true } }))._max.id ?? 0;
  }

  /** removes the rows up to `highWater` (of one clip, when given) */
  async deleteUpTo(highWater: number, clipId?: string): Promise<void> {
    await this.prisma.searchOutbox.deleteMany({ where: { id: { lte: highWater }, ...(clipId ? { clipId } : {}) } });
  }
}
