// Scenes, shots, cues and keyframes as the API reads them: filters analysts need, pages, and batch reads for
// the per-request DataLoaders (children of many parents in one query).
import type { Prisma, PrismaClient } from "../store/prisma.client.js";
import { queryPage, type Page, type PageArgs } from "./pagination.js";

export type SceneRow = Prisma.SceneGetPayload<object>;
export type ShotRow = Prisma.ShotGetPayload<object>;
export type CueRow = Prisma.CueGetPayload<object>;
export type KeyframeRow = Prisma.KeyframeGetPayload<object>;
/** keyframes read for scenes carry their shot's scene */
export type KeyframeWithScene = KeyframeRow & { shot: { sceneId: string | null } };

import type { TransitionKind } from "../domain/enums.js";
export type { TransitionKind };

/** Time range: rows overlapping [startTime, endTime) seconds; either bound may be left out. */
export interface TimeRange {
  startTime?: number | null;
  endTime?: number | null;
}

export interface SceneFilter extends TimeRange {
  clipIds?: string[];
  /** scenes with dialogue in this language (primary subtag, e.g. "en" matches en-GB) */
  language?: string | null;
  textContains?: string | null;
}

export interface CueFilter extends TimeRange {
  clipIds?: string[];
  sceneIds?: string[];
  trackIds?: string[];
  language?: string | null;
  speaker?: string | null;
  textContains?: string | null;
}

export interface ShotFilter extends TimeRange {
  clipIds?: string[];
  sceneIds?: string[];
  transitions?: TransitionKind[];
}

export interface KeyframeFilter extends TimeRange {
  clipIds?: string[];
  sceneIds?: string[];
}

const READY = { status: "READY" } as const;

function overlap(range: TimeRange): { startTime?: { lt: number }; endTime?: { gt: number } } {
  return {
    ...(range.endTime !== undefined && range.endTime !== null ? { startTime: { lt: range.endTime } } : {}),
    ...(range.startTime !== undefined && range.startTime !== null ? { endTime: { gt: range.startTime } } : {}),
  };
}

function languageWhere(language: string): Prisma.SubtitleTrackWhereInput {
  const primary = language.trim().toLowerCase().split(/[-_]/)[0] ?? "";
  return { OR: [{ language: primary }, { language: { startsWith: `${primary}-` } }] };
}

export class SceneService {
  constructor(private readonly prisma: PrismaClient) {}

  // -- where clauses ---------------------------------------------------------------------------------

  sceneWhere(f: SceneFilter = {}): Prisma.SceneWhereInput {
    return {
      clip: READY,
      ...(f.clipIds ? { clipId: { in: f.clipIds } } : {}),
      ...overlap(f),
      ...(f.language ? { cues: { some: { track: languageWhere(f.language) } } } : {}),
      ...(f.textContains ? { text: { contains: f.textContains } } : {}),
    };
  }

  cueWhere(f: CueFilter = {}): Prisma.CueWhereInput {
    return {
      clip: READY,
      ...(f.clipIds ? { clipId: { in: f.clipIds } } : {}),
      ...(f.sceneIds ? { sceneId: { in: f.sceneIds } } : {}),
      ...(f.trackIds ? { trackId: { in: f.trackIds } } : {}),
      ...overlap(f),
      ...(f.language ? { track: languageWhere(f.language) } : {}),
      ...(f.speaker ? { speaker: f.speaker } : {}),
      ...(f.textContains ? { text: { contains: f.textContains } } : {}),
    };
  }

  shotWhere(f: ShotFilter = {}): Prisma.ShotWhereInput {
    return {
      clip: READY,
      ...(f.clipIds ? { clipId: { in: f.clipIds } } : {}),
      ...(f.sceneIds ? { sceneId: { in: f.sceneIds } } : {}),
      ...overlap(f),
      ...(f.transitions && f.transitions.length > 0 ? { transition: { in: f.transitions } } : {}),
    };
  }

  keyframeWhere(f: KeyframeFilter = {}): Prisma.KeyframeWhereInput {
    const time = {
      ...(f.startTime !== undefined && f.startTime !== null ? { gte: f.startTime } : {}),
      ...(f.endTime !== undefined && f.endTime !== null ? { lt: f.endTime } : {}),
    };
    return {
      clip: READY,
      ...(f.clipIds ? { clipId: { in: f.clipIds } } : {}),
      ...(f.sceneIds ? { shot: { sceneId: { in: f.sceneIds } } } : {}),
      ...(Object.keys(time).length > 0 ? { time } : {}),
    };
  }

  // -- pages -----------------------------------------------------------------------------------------

  scenes(filter: SceneFilter, page: PageArgs): Promise<Page<SceneRow>> {
    const where = this.sceneWhere(filter);
    return queryPage(
      page,
      () => this.prisma.scene.count({ where }),
      (skip, take) => this.prisma.scene.findMany({ where, orderBy: SCENE_ORDER, skip, take }),
    );
  }

  cues(filter: CueFilter, page: PageArgs): Promise<Page<CueRow>> {
    const where = this.cueWhere(filter);
    return queryPage(
      page,
      () => this.prisma.cue.count({ where }),
      (skip, take) => this.prisma.cue.findMany({ where, orderBy: CUE_ORDER, skip, take }),
    );
  }

  shots(filter: ShotFilter, page: PageArgs): Promise<Page<ShotRow>> {
    const where = this.shotWhere(filter);
    return queryPage(
      page,
      () => this.prisma.shot.count({ where }),
      (skip, take) => this.prisma.shot.findMany({ where, orderBy: SHOT_ORDER, skip, take }),
    );
  }

  keyframes(filter: KeyframeFilter, page: PageArgs): Promise<Page<KeyframeRow>> {
    const where = this.keyframeWhere(filter);
    return queryPage(
      page,
      () => this.prisma.keyframe.count({ where }),
      (skip, take) => this.prisma.keyframe.findMany({ where, orderBy: KEYFRAME_ORDER, skip, take }),
    );
  }

  // -- batch reads (DataLoaders) ---------------------------------------------------------------------

  scenesByIds(ids: readonly string[]): Promise<SceneRow[]> {
    return this.prisma.scene.findMany({ where: { id: { in: [...ids] } } });
  }
  shotsByIds(ids: readonly string[]): Promise<ShotRow[]> {
    return this.prisma.shot.findMany({ where: { id: { in: [...ids] } } });
  }
  cuesByIds(ids: readonly string[]): Promise<CueRow[]> {
    return this.prisma.cue.findMany({ where: { id: { in: [...ids] } } });
  }
  keyframesByIds(ids: readonly string[]): Promise<KeyframeRow[]> {
    return this.prisma.keyframe.findMany({ where: { id: { in: [...ids] } } });
  }
  keyframesOfShots(shotIds: readonly string[]): Promise<KeyframeRow[]> {
    return this.prisma.keyframe.findMany({ where: { shotId: { in: [...shotIds] } } });
  }

  /** every matching cue, in order (children of a batch of scenes or tracks: bounded by their parents) */
  allCues(filter: CueFilter): Promise<CueRow[]> {
    return this.prisma.cue.findMany({ where: this.cueWhere(filter), orderBy: CUE_ORDER });
  }
  allShots(filter: ShotFilter): Promise<ShotRow[]> {
    return this.prisma.shot.findMany({ where: this.shotWhere(filter), orderBy: SHOT_ORDER });
  }
  allKeyframesOfScenes(filter: KeyframeFilter & { sceneIds: string[] }): Promise<KeyframeWithScene[]> {
    return this.prisma.keyframe.findMany({
      where: this.keyframeWhere(filter),
      orderBy: KEYFRAME_ORDER,
      include: { shot: { select: { sceneId: true } } },
    });
  }
}

const SCENE_ORDER: Prisma.SceneOrderByWithRelationInput[] = [{ clipId: "asc" }, { startTime: "asc" }, { index: "asc" }];
const CUE_ORDER: Prisma.CueOrderByWithRelationInput[] = [
  { clipId: "asc" },
  { startTime: "asc" },
  { trackId: "asc" },
  { index: "asc" },
];
const SHOT_ORDER: Prisma.ShotOrderByWithRelationInput[] = [{ clipId: "asc" }, { startTime: "asc" }, { index: "asc" }];
const KEYFRAME_ORDER: Prisma.KeyframeOrderByWithRelationInput[] = [{ clipId: "asc" }, { time: "asc" }, { id: "asc" }];
