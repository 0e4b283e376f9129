// Scenes, shots, cues and keyframes as the API reads them (src/services/scene.service.ts): the filters
// analysts need turned into queries, counts and windows for pages, and batch reads for the per-request
// DataLoaders (children of many parents in one query). Only rows of READY clips are listed; batch reads by
// id return any row asked for.
import type { Prisma, PrismaClient } from "./prisma.client.js";
import { textFilters, type TextFilters } from "./text-filter.js";
import type { CueFilter, KeyframeFilter, SceneListFilter, ShotFilter, TimeRange } from "../services/scene.service.js";

/** Row types: the stored columns are exactly the domain's rows. */
export type SceneRow = Prisma.SceneGetPayload<object>;
export type ShotRow = Prisma.ShotGetPayload<object>;
export type CueRow = Prisma.CueGetPayload<object>;
export type KeyframeRow = Prisma.KeyframeGetPayload<object>;
/** keyframes read for scenes carry their shot's scene */
export type KeyframeWithScene = KeyframeRow & { shot: { sceneId: string | null } };

const READY = { status: "READY" } as const;

function overlap(range: TimeRange): { startTime?: { lt: number }; endTime?: { gt: number } } {
  return {
    ...(range.endTime !== undefined && range.endTime !== null ? { startTime: { lt: range.endTime } } : {}),
    ...(range.startTime !== undefined && range.startTime !== null ? { endTime: { gt: range.startTime } } : {}),
  };
}

function languageWhere(language: string, text: TextFilters): Prisma.SubtitleTrackWhereInput {
  const primary = language.trim().toLowerCase().split(/[-_]/)[0] ?? "";
  return { OR: [{ language: primary }, { language: text.startsWith(`${primary}-`) }] };
}

function sceneWhere(f: SceneListFilter, text: TextFilters): Prisma.SceneWhereInput {
  return {
    clip: READY,
    ...(f.clipIds ? { clipId: { in: f.clipIds } } : {}),
    ...overlap(f),
    ...(f.language ? { cues: { some: { track: languageWhere(f.language, text) } } } : {}),
    ...(f.textContains ? { text: text.contains(f.textContains) } : {}),
  };
}

function cueWhere(f: CueFilter, text: TextFilters): Prisma.CueWhereInput {
  return {
    clip: READY,
    ...(f.clipIds ? { clipId: { in: f.clipIds } } : {}),
    ...(f.sceneIds ? { sceneId: { in: f.sceneIds } } : {}),
    ...(f.trackIds ? { trackId: { in: f.trackIds } } : {}),
    ...overlap(f),
    ...(f.language ? { track: languageWhere(f.language, text) } : {}),
    ...(f.speaker ? { speaker: f.speaker } : {}),
    ...(f.textContains ? { text: text.contains(f.textContains) } : {}),
  };
}

function shotWhere(f: ShotFilter = {}): Prisma.ShotWhereInput {
  return {
    clip: READY,
    ...(f.clipIds ? { clipId: { in: f.clipIds } } : {}),
    ...(f.sceneIds ? { sceneId: { in: f.sceneIds } } : {}),
    ...overlap(f),
    ...(f.transitions && f.transitions.length > 0 ? { transition: { in: f.transitions } } : {}),
  };
}

function keyframeWhere(f: KeyframeFilter = {}): Prisma.KeyframeWhereInput {
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

// Every list has a fixed, total order, so that an offset cursor names the same row (src/services/pagination.ts).
const SCENE_ORDER: Prisma.SceneOrderByWithRelationInput[] = [{ clipId: "asc" }, { startTime: "asc" }, { index: "asc" }];
const CUE_ORDER: Prisma.CueOrderByWithRelationInput[] = [
  { clipId: "asc" },
  { startTime: "asc" },
  { trackId: "asc" },
  { index: "asc" },
];
const SHOT_ORDER: Prisma.ShotOrderByWithRelationInput[] = [{ clipId: "asc" }, { startTime: "asc" }, { index: "asc" }];
const KEYFRAME_ORDER: Prisma.KeyframeOrderByWithRelationInput[] = [{ clipId: "asc" }, { time: "asc" }, { id: "asc" }];

export class SceneRepository {
  /** case-insensitive on both providers */
  private readonly text: TextFilters;

  constructor(private readonly prisma: PrismaClient) {
    this.text = textFilters(prisma);
  }

  // -- counts and windows (pages) --------------------------------------------------------------------

  countScenes(filter: SceneListFilter): Promise<number> {
    return this.prisma.scene.count({ where: sceneWhere(filter, this.text) });
  }
  scenes(filter: SceneListFilter, skip: number, take: number): Promise<SceneRow[]> {
    return this.prisma.scene.findMany({ where: sceneWhere(filter, this.text), orderBy: SCENE_ORDER, skip, take });
  }

  countCues(filter: CueFilter): Promise<number> {
    return this.prisma.cue.count({ where: cueWhere(filter, this.text) });
  }
  cues(filter: CueFilter, skip: number, take: number): Promise<CueRow[]> {
    return this.prisma.cue.findMany({ where: cueWhere(filter, this.text), orderBy: CUE_ORDER, skip, take });
  }

  countShots(filter: ShotFilter): Promise<number> {
    return this.prisma.shot.count({ where: shotWhere(filter) });
  }
  shots(filter: ShotFilter, skip: number, take: number): Promise<ShotRow[]> {
    return this.prisma.shot.findMany({ where: shotWhere(filter), orderBy: SHOT_ORDER, skip, take });
  }

  countKeyframes(filter: KeyframeFilter): Promise<number> {
    return this.prisma.keyframe.count({ where: keyframeWhere(filter) });
  }
  keyframes(filter: KeyframeFilter, skip: number, take: number): Promise<KeyframeRow[]> {
    return this.prisma.keyframe.findMany({ where: keyframeWhere(filter), orderBy: KEYFRAME_ORDER, skip, take });
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

  /** every matching row, in order (children of a batch of parents: bounded by their parents) */
  allCues(filter: CueFilter): Promise<CueRow[]> {
    return this.prisma.cue.findMany({ where: cueWhere(filter, this.text), orderBy: CUE_ORDER });
  }
  allShots(filter: ShotFilter): Promise<ShotRow[]> {
    return this.prisma.shot.findMany({ where: shotWhere(filter), orderBy: SHOT_ORDER });
  }
  allKeyframesOfScenes(filter: KeyframeFilter & { sceneIds: string[] }): Promise<KeyframeWithScene[]> {
    return this.prisma.keyframe.findMany({
      where: keyframeWhere(filter),
      orderBy: KEYFRAME_ORDER,
      include: { shot: { select: { sceneId: true } } },
    });
  }
}
