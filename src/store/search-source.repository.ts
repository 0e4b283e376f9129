// What the search side reads from the database, its source of truth (src/search): the scenes, tracks and
// cues a SceneDocument is built from, the scene rows search hits are checked against, and the clips and
// scenes a reindex walks through. Only scenes of READY clips are returned.
import type { PrismaClient } from "./prisma.client.js";

/** A scene with its clip's title: the base of a search document. */
export interface SourceScene {
  id: string;
  clipId: string;
  clipTitle: string;
  startTime: number;
  endTime: number;
  text: string;
}

/** A scene row as search hits carry it. */
export interface SearchSceneRow {
  id: string;
  clipId: string;
  index: number;
  startTime: number;
  endTime: number;
  text: string;
}

const READY = { status: "READY" } as const;

export class SearchSourceRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** the scenes among `sceneIds` whose clip is READY (any order) */
  async scenes(sceneIds: readonly string[]): Promise<SourceScene[]> {
    const rows = await this.prisma.scene.findMany({
      where: { id: { in: [...sceneIds] }, clip: READY },
      select: { id: true, clipId: true, startTime: true, endTime: true, text: true, clip: { select: { title: true } } },
    });
    return rows.map(({ clip, ...s }) => ({ ...s, clipTitle: clip.title }));
  }

  /** the clips' text tracks that are not skipped and have cues, by clip then track index */
  dialogueTracks(clipIds: readonly string[]): Promise<Array<{ id: string; clipId: string; language: string | null }>> {
    return this.prisma.subtitleTrack.findMany({
      where: { clipId: { in: [...clipIds] }, skipped: false, cues: { some: {} } },
      orderBy: [{ clipId: "asc" }, { index: "asc" }],
      select: { id: true, clipId: true, language: true },
    });
  }

  /** the cues of these scenes on tracks other than `exceptTrackIds` (not skipped), by scene, track, time */
  otherTrackCues(
    sceneIds: readonly string[],
    exceptTrackIds: readonly string[],
  ): Promise<Array<{ sceneId: string | null; text: string }>> {
    return this.prisma.cue.findMany({
      where: { sceneId: { in: [...sceneIds] }, trackId: { notIn: [...exceptTrackIds] }, track: { skipped: false } },
      orderBy: [{ sceneId: "asc" }, { trackId: "asc" }, { startTime: "asc" }],
      select: { sceneId: true, text: true },
    });
  }

  /** the scene rows among `sceneIds` whose clip is READY (any order) */
  sceneRows(sceneIds: readonly string[]): Promise<SearchSceneRow[]> {
    return this.prisma.scene.findMany({
      where: { id: { in: [...sceneIds] }, clip: READY },
      select: { id: true, clipId: true, index: true, startTime: true, endTime: true, text: true },
    });
  }

  /** READY clips (or the one given, if READY), oldest first */
  async readyClipIds(clipId?: string): Promise<string[]> {
    const rows = await this.prisma.clip.findMany({
      where: clipId ? { id: clipId, ...READY } : READY,
      select: { id: true },
      orderBy: { createdAt: "asc" },
    });
    return rows.map((c) => c.id);
  }

  countScenes(clipIds: readonly string[]): Promise<number> {
    return this.prisma.scene.count({ where: { clipId: { in: [...clipIds] } } });
  }

  /** a clip's scene ids, in scene order */
  async sceneIdsOf(clipId: string): Promise<string[]> {
    const rows = await this.prisma.scene.findMany({
      where: { clipId },
      select: { id: true },
      orderBy: { index: "asc" },
    });
    return rows.map((s) => s.id);
  }
}
