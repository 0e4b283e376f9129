// Persistence of ingested clips. Everything a clip is made of is written in ONE transaction that also
// flips the clip to READY and queues its scenes for the search index (outbox). Until then the clip row
// is INGESTING and only checkpoints (completed stages) hang off it, so a crash at any moment leaves
// either nothing visible or everything.
//
// The API's reads of clips and their tracks, and the deletion of a clip, are here too (one repository for
// the clip aggregate: a clip row and the tracks, cues, shots, keyframes and scenes that cascade with it).
import { randomUUID } from "node:crypto";
import { providerOfClient, type Prisma, type PrismaClient } from "./prisma.client.js";
import { textFilters, type TextFilters } from "./text-filter.js";
import type { ProbeResult } from "../media/media.port.js";
import type { KeyframeRecord, SceneRecord, ShotRecord, TrackRecord } from "../ingest/ingest.types.js";
import type { ClipFilter } from "../services/clip.service.js";

/** A clip row as stored (every column; sizeBytes a number on both providers). */
export type ClipRecord = Prisma.ClipGetPayload<object>;

/** PostgreSQL's client returns Clip.sizeBytes (bigint there: prisma/postgres/schema.prisma) as a bigint */
const toClipRecord = (row: Omit<ClipRecord, "sizeBytes"> & { sizeBytes: number | bigint }): ClipRecord => ({
  ...row,
  sizeBytes: Number(row.sizeBytes),
});
/** A subtitle track row as stored (every column). */
export type TrackRecordRow = Prisma.SubtitleTrackGetPayload<object>;

export interface ClipRow {
  id: string;
  contentHash: string;
  path: string;
  title: string;
  status: string;
}

export interface CompleteClip {
  tracks: TrackRecord[];
  shots: ShotRecord[];
  keyframes: KeyframeRecord[];
  scenes: SceneRecord[];
}

const TRANSACTION_TIMEOUT_MS = 120_000;

/**
 * Text as both providers store it: PostgreSQL's text refuses U+0000 ("invalid byte sequence for encoding
 * UTF8: 0x00") where SQLite keeps it, so it is dropped from subtitle and scene text on both (a NUL in a
 * subtitle file carries no dialogue).
 */
function storable(text: string): string;
function storable(text: string | undefined | null): string | undefined | null;
function storable(text: string | undefined | null) {
  return typeof text === "string" && text.includes("\u0000") ? text.replaceAll("\u0000", "") : text;
}

function sceneOf(scenes: SceneRecord[], time: number): SceneRecord | undefined {
  // Scenes tile the clip in order: binary search for the one containing `time`.
  let lo = 0;
  let hi = scenes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const scene = scenes[mid]!;
    if (time < scene.startTime) hi = mid - 1;
    else if (time >= scene.endTime && mid < scenes.length - 1) lo = mid + 1;
    else return scene;
  }
  return scenes[Math.max(0, Math.min(lo, scenes.length - 1))];
}

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/**
 * Serialises the transactions that rewrite one clip's rows. SQLite has one writer at a time already (every
 * transaction there takes the write lock as it begins: ./prisma.client.ts); on PostgreSQL (READ COMMITTED)
 * two of them at once would both read the same state: two addTracks took the same next track index (a
 * unique violation, seen in test/contract/store), two completes both inserted scenes. The first statement
 * of such a transaction locks the clip's row until it commits.
 */
async function lockClip(tx: Tx, clipId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM "Clip" WHERE "id" = ${clipId} FOR UPDATE`;
}

/** One subtitle track and its cues; each cue goes to the scene containing its midpoint. */
async function insertTrack(
  tx: Tx,
  clipId: string,
  track: TrackRecord,
  sceneIdAt: (time: number) => string | undefined,
): Promise<void> {
  const trackId = randomUUID();
  await tx.subtitleTrack.create({
    data: {
      id: trackId,
      clipId,
      index: track.index,
      source: track.source,
      streamIndex: track.streamIndex,
      path: track.path,
      codec: track.codec,
      language: storable(track.language),
      title: storable(track.title),
      encoding: track.encoding,
      imageBased: track.imageBased,
      skipped: track.skipped,
      warnings: JSON.stringify(track.warnings),
    },
  });
  await tx.cue.createMany({
    data: track.cues.map((c) => ({
      id: randomUUID(),
      clipId,
      trackId,
      sceneId: sceneIdAt((c.startTime + c.endTime) / 2),
      index: c.index,
      startTime: c.startTime,
      endTime: c.endTime,
      rawText: storable(c.rawText),
      text: storable(c.text),
      speaker: storable(c.speaker),
      ocrEngine: c.ocr?.engine ?? null,
      ocrModel: c.ocr?.model ?? null,
      ocrConfidence: c.ocr?.confidence ?? null,
    })),
  });
}

/** Only READY clips unless other statuses are asked for. */
function clipWhere(filter: ClipFilter, text: TextFilters): Prisma.ClipWhereInput {
  return {
    ...(filter.ids ? { id: { in: filter.ids } } : {}),
    status: { in: filter.statuses && filter.statuses.length > 0 ? filter.statuses : ["READY"] },
    ...(filter.titleContains ? { title: text.contains(filter.titleContains) } : {}),
  };
}

const CLIP_ORDER: Prisma.ClipOrderByWithRelationInput[] = [{ createdAt: "asc" }, { id: "asc" }];

export class ClipRepository {
  /** case-insensitive on both providers */
  private readonly text: TextFilters;
  /** transactions on one clip take its row lock first (PostgreSQL; SQLite serialises writers itself) */
  private readonly lock: (tx: Tx, clipId: string) => Promise<void>;

  constructor(private readonly prisma: PrismaClient) {
    this.text = textFilters(prisma);
    this.lock = providerOfClient(prisma) === "postgresql" ? lockClip : () => Promise.resolve();
  }

  // -- the API's reads -------------------------------------------------------------------------------

  count(filter: ClipFilter = {}): Promise<number> {
    return this.prisma.clip.count({ where: clipWhere(filter, this.text) });
  }

  /** oldest first */
  async list(filter: ClipFilter, skip: number, take: number): Promise<ClipRecord[]> {
    const rows = await this.prisma.clip.findMany({
      where: clipWhere(filter, this.text),
      orderBy: CLIP_ORDER,
      skip,
      take,
    });
    return rows.map(toClipRecord);
  }

  /** by id, any status */
  async byIds(ids: readonly string[]): Promise<ClipRecord[]> {
    return (await this.prisma.clip.findMany({ where: { id: { in: [...ids] } } })).map(toClipRecord);
  }

  /** the tracks of these clips, by clip then index */
  tracksOf(clipIds: readonly string[]): Promise<TrackRecordRow[]> {
    return this.prisma.subtitleTrack.findMany({
      where: { clipId: { in: [...clipIds] } },
      orderBy: [{ clipId: "asc" }, { index: "asc" }],
    });
  }

  tracksByIds(ids: readonly string[]): Promise<TrackRecordRow[]> {
    return this.prisma.subtitleTrack.findMany({ where: { id: { in: [...ids] } } });
  }

  findSummary(clipId: string): Promise<{ id: string; status: string; title: string } | null> {
    return this.prisma.clip.findUnique({ where: { id: clipId }, select: { id: true, status: true, title: true } });
  }

  /**
   * Deletes the clip and, by cascade, every row derived from it. In the same transaction the removal of its
   * scenes from the search index is queued (outbox DELETE rows; the worker lets the last row of a scene
   * decide, so these win over pending UPSERTs). Returns the number of scenes that went.
   */
  deleteWithScenes(clipId: string): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      await this.lock(tx, clipId);
      const ids = (await tx.scene.findMany({ where: { clipId }, select: { id: true } })).map((s) => s.id);
      if (ids.length > 0)
        await tx.searchOutbox.createMany({ data: ids.map((sceneId) => ({ op: "DELETE", sceneId, clipId })) });
      await tx.clip.delete({ where: { id: clipId } });
      return ids.length;
    });
  }

  // -- the ingest ------------------------------------------------------------------------------------

  findByHash(contentHash: string): Promise<ClipRow | null> {
    return this.prisma.clip.findUnique({
      where: { contentHash },
      select: { id: true, contentHash: true, path: true, title: true, status: true },
    });
  }

  /** Creates the INGESTING row for a new clip, or takes over an unfinished one with the same content. */
  async begin(contentHash: string, probe: ProbeResult, title: string): Promise<ClipRow> {
    const data = {
      path: probe.path,
      title: storable(title),
      status: "INGESTING",
      error: null,
      sizeBytes: probe.sizeBytes,
      formatName: probe.formatName,
      duration: probe.duration,
      startTime: probe.startTime,
      frameRate: probe.video.frameRate,
      variableFrameRate: probe.video.variableFrameRate,
      width: probe.video.width,
      height: probe.video.height,
      streams: JSON.stringify(probe.streams),
    };
    return this.prisma.clip.upsert({
      where: { contentHash },
      create: { id: randomUUID(), contentHash, ...data },
      update: data,
      select: { id: true, contentHash: true, path: true, title: true, status: true },
    });
  }

  /** A stored clip read back in the shapes the pipeline produced. */
  async load(clipId: string): Promise<{ title: string; parts: CompleteClip } | undefined> {
    const clip = await this.prisma.clip.findUnique({
      where: { id: clipId },
      include: {
        tracks: { orderBy: { index: "asc" }, include: { cues: { orderBy: { index: "asc" } } } },
        shots: { orderBy: { index: "asc" }, include: { keyframe: true } },
        scenes: { orderBy: { index: "asc" }, include: { shots: { select: { index: true } } } },
      },
    });
    if (!clip) return undefined;
    const tracks: TrackRecord[] = clip.tracks.map((t) => ({
      index: t.index,
      source: t.source as TrackRecord["source"],
      streamIndex: t.streamIndex ?? undefined,
      path: t.path ?? undefined,
      codec: t.codec,
      language: t.language ?? undefined,
      title: t.title ?? undefined,
      encoding: t.encoding ?? undefined,
      imageBased: t.imageBased,
      skipped: t.skipped,
      warnings: JSON.parse(t.warnings) as string[],
      cues: t.cues.map((c) => ({
        index: c.index,
        startTime: c.startTime,
        endTime: c.endTime,
        rawText: c.rawText,
        text: c.text,
        ...(c.speaker ? { speaker: c.speaker } : {}),
        ...(c.ocrEngine && c.ocrModel && c.ocrConfidence !== null
          ? { ocr: { engine: c.ocrEngine, model: c.ocrModel, confidence: c.ocrConfidence } }
          : {}),
      })),
    }));
    const shots: ShotRecord[] = clip.shots.map((s) => ({
      index: s.index,
      startTime: s.startTime,
      endTime: s.endTime,
      startFrame: s.startFrame,
      endFrame: s.endFrame,
      transition: s.transition as ShotRecord["transition"],
      ...(s.transitionStart !== null ? { transitionStart: s.transitionStart } : {}),
    }));
    const keyframes: KeyframeRecord[] = clip.shots.flatMap((s) =>
      s.keyframe
        ? [
            {
              shotIndex: s.index,
              time: s.keyframe.time,
              path: s.keyframe.path,
              width: s.keyframe.width,
              height: s.keyframe.height,
              stats: {
                brightness: s.keyframe.brightness,
                contrast: s.keyframe.contrast,
                saturation: s.keyframe.saturation,
                colourfulness: s.keyframe.colourfulness,
                palette: JSON.parse(s.keyframe.palette) as KeyframeRecord["stats"]["palette"],
              },
            },
          ]
        : [],
    );
    const scenes: SceneRecord[] = clip.scenes.map((s) => {
      const indices = s.shots.map((x) => x.index);
      return {
        index: s.index,
        startTime: s.startTime,
        endTime: s.endTime,
        firstShot: Math.min(...indices),
        lastShot: Math.max(...indices),
        text: s.text,
      };
    });
    return { title: clip.title, parts: { tracks, shots, keyframes, scenes } };
  }

  /**
   * Adds subtitle tracks to a READY clip (subtitle files given when the clip was already ingested).
   * A file already attached (same path) is not added twice. Scenes keep their grouping and text; the
   * scenes that gain cues are queued for the search index. Returns the tracks actually added.
   */
  async addTracks(clipId: string, tracks: Array<Omit<TrackRecord, "index">>): Promise<TrackRecord[]> {
    return this.prisma.$transaction(
      async (tx) => {
        await this.lock(tx, clipId);
        const existing = await tx.subtitleTrack.findMany({ where: { clipId }, select: { index: true, path: true } });
        const known = new Set(existing.map((t) => t.path).filter(Boolean));
        let next = existing.reduce((n, t) => Math.max(n, t.index + 1), 0);
        const added = tracks.filter((t) => !t.path || !known.has(t.path)).map((t) => ({ ...t, index: next++ }));
        if (added.length === 0) return [];
        const scenes = await tx.scene.findMany({ where: { clipId }, orderBy: { index: "asc" } });
        const records = scenes.map((s) => ({
          index: s.index,
          startTime: s.startTime,
          endTime: s.endTime,
          firstShot: 0,
          lastShot: 0,
          text: s.text,
        }));
        const touched = new Set<string>();
        const sceneIdAt = (time: number) => {
          const id = scenes[sceneOf(records, time)?.index ?? -1]?.id;
          if (id) touched.add(id);
          return id;
        };
        for (const track of added) await insertTrack(tx, clipId, track, sceneIdAt);
        await tx.searchOutbox.createMany({ data: [...touched].map((sceneId) => ({ op: "UPSERT", sceneId, clipId })) });
        return added;
      },
      { timeout: TRANSACTION_TIMEOUT_MS, maxWait: TRANSACTION_TIMEOUT_MS },
    );
  }

  /** An ingest that stopped (cancelled, or a tool failed): FAILED with the reason, checkpoints kept. */
  async markUnfinished(clipId: string, reason: string): Promise<void> {
    await this.prisma.clip.updateMany({
      where: { id: clipId, status: { not: "READY" } },
      data: { status: "FAILED", error: reason },
    });
  }

  async rename(clipId: string, title: string): Promise<void> {
    await this.prisma.clip.update({ where: { id: clipId }, data: { title: storable(title) } });
  }

  async getCheckpoint<T>(clipId: string, stage: string): Promise<T | undefined> {
    const row = await this.prisma.ingestCheckpoint.findUnique({ where: { clipId_stage: { clipId, stage } } });
    return row ? (JSON.parse(row.data) as T) : undefined;
  }

  async saveCheckpoint(clipId: string, stage: string, data: unknown): Promise<void> {
    const json = JSON.stringify(data);
    await this.prisma.ingestCheckpoint.upsert({
      where: { clipId_stage: { clipId, stage } },
      create: { clipId, stage, data: json },
      update: { data: json },
    });
  }

  /** Removes an unfinished clip (bad input found mid-way): nothing half-written stays behind. */
  async discard(clipId: string): Promise<void> {
    await this.prisma.clip.deleteMany({ where: { id: clipId, status: { not: "READY" } } });
  }

  async complete(clipId: string, clip: CompleteClip): Promise<void> {
    await this.prisma.$transaction(
      async (tx) => {
        await this.lock(tx, clipId);
        // A clip taken over from a crashed run has no derived rows (they are only written here), but a
        // READY clip being re-ingested would: clear them so the result is exactly one copy, and queue the
        // removal of the replaced scenes from the search index (src/search/outbox.worker.ts).
        const replaced = await tx.scene.findMany({ where: { clipId }, select: { id: true } });
        if (replaced.length > 0)
          await tx.searchOutbox.createMany({ data: replaced.map((s) => ({ op: "DELETE", sceneId: s.id, clipId })) });
        await tx.scene.deleteMany({ where: { clipId } });
        await tx.subtitleTrack.deleteMany({ where: { clipId } });
        await tx.shot.deleteMany({ where: { clipId } });

        const sceneIds = clip.scenes.map(() => randomUUID());
        await tx.scene.createMany({
          data: clip.scenes.map((s, i) => ({
            id: sceneIds[i]!,
            clipId,
            index: s.index,
            startTime: s.startTime,
            endTime: s.endTime,
            text: storable(s.text),
          })),
        });
        const sceneIdAt = (time: number) => {
          const scene = sceneOf(clip.scenes, time);
          return scene ? sceneIds[scene.index] : undefined;
        };

        const shotIds = clip.shots.map(() => randomUUID());
        await tx.shot.createMany({
          data: clip.shots.map((s, i) => ({
            id: shotIds[i]!,
            clipId,
            sceneId: sceneIdAt((s.startTime + s.endTime) / 2),
            index: s.index,
            startTime: s.startTime,
            endTime: s.endTime,
            startFrame: s.startFrame,
            endFrame: s.endFrame,
            transition: s.transition,
            transitionStart: s.transitionStart,
          })),
        });
        await tx.keyframe.createMany({
          data: clip.keyframes.map((k) => ({
            id: randomUUID(),
            clipId,
            shotId: shotIds[k.shotIndex]!,
            time: k.time,
            path: k.path,
            width: k.width,
            height: k.height,
            brightness: k.stats.brightness,
            contrast: k.stats.contrast,
            saturation: k.stats.saturation,
            colourfulness: k.stats.colourfulness,
            palette: JSON.stringify(k.stats.palette),
          })),
        });

        for (const track of clip.tracks) await insertTrack(tx, clipId, track, (t) => sceneIdAt(t));

        await tx.searchOutbox.createMany({ data: sceneIds.map((sceneId) => ({ op: "UPSERT", sceneId, clipId })) });
        await tx.ingestCheckpoint.deleteMany({ where: { clipId } });
        await tx.clip.update({ where: { id: clipId }, data: { status: "READY", error: null, readyAt: new Date() } });
      },
      { timeout: TRANSACTION_TIMEOUT_MS, maxWait: TRANSACTION_TIMEOUT_MS },
    );
  }
}
