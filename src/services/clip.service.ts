// Clips as the API reads and deletes them. Only READY clips are listed unless other statuses are asked for.
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Prisma, PrismaClient } from "../store/prisma.client.js";
import type { Logger } from "../logging/logger.js";
import { AppError } from "../errors/app-error.js";
import { TOPICS, type ClipUpdatedPayload, type PubSub } from "../events/pubsub.port.js";
import { isInside } from "./media-root.guard.js";
import { queryPage, type Page, type PageArgs } from "./pagination.js";

export type ClipRecord = Prisma.ClipGetPayload<object>;
export type TrackRecordRow = Prisma.SubtitleTrackGetPayload<object>;

import type { ClipStatus } from "../domain/enums.js";
export type { ClipStatus };

export interface ClipFilter {
  ids?: string[];
  statuses?: ClipStatus[];
  titleContains?: string;
}

/**
 * Called inside the delete transaction with the scenes that go: the search index is derived, so its
 * DELETE operations are queued in the outbox (drained by the search worker) in the same transaction.
 */
export type SceneDeletionHook = (tx: Prisma.TransactionClient, clipId: string, sceneIds: string[]) => Promise<void>;

export const outboxSceneDeletes: SceneDeletionHook = async (tx, clipId, sceneIds) => {
  // The outbox worker lets the last row of a scene decide, so these DELETEs win over pending UPSERTs.
  if (sceneIds.length > 0)
    await tx.searchOutbox.createMany({ data: sceneIds.map((sceneId) => ({ op: "DELETE", sceneId, clipId })) });
};

export interface ClipServiceDeps {
  prisma: PrismaClient;
  pubsub: PubSub;
  logger: Logger;
  keyframeDir: string;
  onScenesDeleted?: SceneDeletionHook;
}

export class ClipService {
  constructor(private readonly deps: ClipServiceDeps) {}

  where(filter: ClipFilter = {}): Prisma.ClipWhereInput {
    return {
      ...(filter.ids ? { id: { in: filter.ids } } : {}),
      status: { in: filter.statuses && filter.statuses.length > 0 ? filter.statuses : ["READY"] },
      ...(filter.titleContains ? { title: { contains: filter.titleContains } } : {}),
    };
  }

  list(filter: ClipFilter, page: PageArgs): Promise<Page<ClipRecord>> {
    const where = this.where(filter);
    return queryPage(
      page,
      () => this.deps.prisma.clip.count({ where }),
      (skip, take) =>
        this.deps.prisma.clip.findMany({ where, orderBy: [{ createdAt: "asc" }, { id: "asc" }], skip, take }),
    );
  }

  /** by id, any status (an explicit id may name a clip still being ingested) */
  byIds(ids: readonly string[]): Promise<ClipRecord[]> {
    return this.deps.prisma.clip.findMany({ where: { id: { in: [...ids] } } });
  }

  tracksOf(clipIds: readonly string[]): Promise<TrackRecordRow[]> {
    return this.deps.prisma.subtitleTrack.findMany({
      where: { clipId: { in: [...clipIds] } },
      orderBy: [{ clipId: "asc" }, { index: "asc" }],
    });
  }

  tracksByIds(ids: readonly string[]): Promise<TrackRecordRow[]> {
    return this.deps.prisma.subtitleTrack.findMany({ where: { id: { in: [...ids] } } });
  }

  /** Removes the clip and everything derived from it: rows (cascade), keyframe files, search documents (outbox). */
  async delete(clipId: string): Promise<{ clipId: string; scenes: number }> {
    const { prisma, logger } = this.deps;
    const clip = await prisma.clip.findUnique({
      where: { id: clipId },
      select: { id: true, status: true, title: true },
    });
    if (!clip) throw new AppError("NOT_FOUND", `no clip ${clipId}`);
    const running = await prisma.job.count({ where: { clipId, status: { in: ["QUEUED", "RUNNING"] } } });
    if (clip.status === "INGESTING" && running > 0)
      throw new AppError("CONFLICT", `clip ${clipId} is being ingested: cancel its job first`);
    const hook = this.deps.onScenesDeleted ?? outboxSceneDeletes;
    const scenes = await prisma.$transaction(async (tx) => {
      const ids = (await tx.scene.findMany({ where: { clipId }, select: { id: true } })).map((s) => s.id);
      await hook(tx, clipId, ids);
      await tx.clip.delete({ where: { id: clipId } });
      return ids.length;
    });
    // Files after the commit: a crash in between leaves an orphan folder, never a row without its files.
    const dir = path.join(this.deps.keyframeDir, clipId);
    if (isInside(this.deps.keyframeDir, dir)) {
      await rm(dir, { recursive: true, force: true }).catch((error: unknown) =>
        logger.warn({ err: error, dir }, "could not remove keyframes"),
      );
    }
    logger.info({ clipId, title: clip.title, scenes }, "clip deleted");
    const payload: ClipUpdatedPayload = { clipId, change: "DELETED", at: new Date().toISOString() };
    this.deps.pubsub.publish(TOPICS.CLIP_UPDATED, payload);
    return { clipId, scenes };
  }
}
