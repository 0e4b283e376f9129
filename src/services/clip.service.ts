// Clips as the API reads and deletes them. Only READY clips are listed unless other statuses are asked for.
import { rm } from "node:fs/promises";
import path from "node:path";
import type { ClipRecord, ClipRepository, TrackRecordRow } from "../store/clip.repository.js";
import type { JobRepository } from "../store/job.repository.js";
import type { Logger } from "../logging/logger.js";
import { AppError } from "../errors/app-error.js";
import { TOPICS, type ClipUpdatedPayload, type PubSub } from "../events/pubsub.port.js";
import { isInside } from "./media-root.guard.js";
import { queryPage, type Page, type PageArgs } from "./pagination.js";

export type { ClipRecord, TrackRecordRow };

import type { ClipStatus } from "../domain/enums.js";
export type { ClipStatus };

export interface ClipFilter {
  ids?: string[];
  statuses?: ClipStatus[];
  titleContains?: string;
}

export interface ClipServiceDeps {
  clips: ClipRepository;
  jobs: JobRepository;
  pubsub: PubSub;
  logger: Logger;
  keyframeDir: string;
}

export class ClipService {
  constructor(private readonly deps: ClipServiceDeps) {}

  list(filter: ClipFilter, page: PageArgs): Promise<Page<ClipRecord>> {
    return queryPage(
      page,
      () => this.deps.clips.count(filter),
      (skip, take) => this.deps.clips.list(filter, skip, take),
    );
  }

  /** by id, any status (an explicit id may name a clip still being ingested) */
  byIds(ids: readonly string[]): Promise<ClipRecord[]> {
    return this.deps.clips.byIds(ids);
  }

  tracksOf(clipIds: readonly string[]): Promise<TrackRecordRow[]> {
    return this.deps.clips.tracksOf(clipIds);
  }

  tracksByIds(ids: readonly string[]): Promise<TrackRecordRow[]> {
    return this.deps.clips.tracksByIds(ids);
  }

  /** Removes the clip and everything derived from it: rows (cascade), keyframe files, search documents (outbox). */
  async delete(clipId: string): Promise<{ clipId: string; scenes: number }> {
    const { clips, jobs, logger } = this.deps;
    const clip = await clips.findSummary(clipId);
    if (!clip) throw new AppError("NOT_FOUND", `no clip ${clipId}`);
    const running = await jobs.countActiveForClip(clipId);
    if (clip.status === "INGESTING" && running > 0)
      throw new AppError("CONFLICT", `clip ${clipId} is being ingested: cancel its job first`);
    const scenes = await clips.deleteWithScenes(clipId);
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
