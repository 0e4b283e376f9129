// The scope of an analysis (one clip, a set of clips, or every READY clip) and the rows an analysis reads
// for it, loaded once. The scope hash covers each clip's id and the time it became READY, so a clip that is
// deleted and ingested again is a new scope (stored results of the old one are not reused for it).
import { createHash } from "node:crypto";
import { AppError } from "../errors/app-error.js";
import type { PrismaClient } from "../store/prisma.client.js";
import type { SearchSceneRow } from "../search/search.service.js";

export const MAX_SCOPE_CLIPS = 100;

export interface AnalysisScope {
  /** database ids; empty or absent = every READY clip (at most MAX_SCOPE_CLIPS) */
  clipIds?: string[];
}

export interface ScopeClip {
  id: string;
  title: string;
  duration: number;
  readyAt: string | null;
  /** BCP 47 tag of the main dialogue track, where known */
  language?: string;
}

export interface ResolvedScope {
  clips: ScopeClip[];
  clipIds: string[];
  hash: string;
}

export async function resolveScope(prisma: PrismaClient, scope: AnalysisScope = {}): Promise<ResolvedScope> {
  const wanted = [...new Set(scope.clipIds ?? [])];
  if (wanted.length > MAX_SCOPE_CLIPS) throw new AppError("BAD_INPUT", `a scope has at most ${MAX_SCOPE_CLIPS} clips`);
  const rows = await prisma.clip.findMany({
    where: { status: "READY", ...(wanted.length ? { id: { in: wanted } } : {}) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: wanted.length ? undefined : MAX_SCOPE_CLIPS,
    select: { id: true, title: true, duration: true, readyAt: true },
  });
  if (wanted.length) {
    const found = new Set(rows.map((r) => r.id));
    const missing = wanted.filter((id) => !found.has(id));
    if (missing.length) throw new AppError("NOT_FOUND", `no READY clip ${missing.join(", ")}`);
  }
  const tracks = await mainTracks(
    prisma,
    rows.map((r) => r.id),
  );
  const clips = rows
    .map((r) => ({
      id: r.id,
      title: r.title,
      duration: r.duration,
      readyAt: r.readyAt?.toISOString() ?? null,
      ...(tracks.get(r.id)?.language ? { language: tracks.get(r.id)!.language! } : {}),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const hash = createHash("sha256")
    .update(JSON.stringify(clips.map((c) => [c.id, c.readyAt])))
    .digest("hex");
  return { clips, clipIds: clips.map((c) => c.id), hash };
}

/** Per clip the main dialogue track: the first (by index) text track that is not skipped and has cues. */
export async function mainTracks(
  prisma: PrismaClient,
  clipIds: string[],
): Promise<Map<string, { id: string; language: string | null }>> {
  const tracks = await prisma.subtitleTrack.findMany({
    where: { clipId: { in: clipIds }, skipped: false, cues: { some: {} } },
    orderBy: [{ clipId: "asc" }, { index: "asc" }],
    select: { id: true, clipId: true, language: true },
  });
  const out = new Map<string, { id: string; language: string | null }>();
  for (const t of tracks) if (!out.has(t.clipId)) out.set(t.clipId, { id: t.id, language: t.language });
  return out;
}

export interface CueData {
  id: string;
  clipId: string;
  sceneId: string | null;
  startTime: number;
  endTime: number;
  text: string;
  speaker: string | null;
}

/** A scene as analysis reads it: the same row the search service returns with its hits. */
export type SceneData = SearchSceneRow;

export interface ShotData {
  id: string;
  clipId: string;
  sceneId: string | null;
  index: number;
  startTime: number;
  endTime: number;
  transition: string;
}

export interface KeyframeData {
  id: string;
  clipId: string;
  shotId: string;
  sceneId: string | null;
  time: number;
  path: string;
  brightness: number;
  contrast: number;
  saturation: number;
  colourfulness: number;
  palette: Array<{ hex: string; share: number }>;
  /** the duration of its shot: the keyframe stands for it */
  weight: number;
}

/** Cues of each clip's main dialogue track, by clip then time. */
export async function loadCues(prisma: PrismaClient, clipIds: string[]): Promise<CueData[]> {
  const tracks = await mainTracks(prisma, clipIds);
  const trackIds = [...tracks.values()].map((t) => t.id);
  if (trackIds.length === 0) return [];
  return prisma.cue.findMany({
    where: { trackId: { in: trackIds } },
    orderBy: [{ clipId: "asc" }, { startTime: "asc" }, { index: "asc" }],
    select: { id: true, clipId: true, sceneId: true, startTime: true, endTime: true, text: true, speaker: true },
  });
}

export async function loadScenes(prisma: PrismaClient, clipIds: string[]): Promise<SceneData[]> {
  return prisma.scene.findMany({
    where: { clipId: { in: clipIds } },
    orderBy: [{ clipId: "asc" }, { index: "asc" }],
    select: { id: true, clipId: true, index: true, startTime: true, endTime: true, text: true },
  });
}

export async function loadShots(prisma: PrismaClient, clipIds: string[]): Promise<ShotData[]> {
  return prisma.shot.findMany({
    where: { clipId: { in: clipIds } },
    orderBy: [{ clipId: "asc" }, { index: "asc" }],
    select: { id: true, clipId: true, sceneId: true, index: true, startTime: true, endTime: true, transition: true },
  });
}

export async function loadKeyframes(prisma: PrismaClient, clipIds: string[]): Promise<KeyframeData[]> {
  const rows = await prisma.keyframe.findMany({
    where: { clipId: { in: clipIds } },
    orderBy: [{ clipId: "asc" }, { time: "asc" }],
    include: { shot: { select: { sceneId: true, startTime: true, endTime: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    clipId: r.clipId,
    shotId: r.shotId,
    sceneId: r.shot.sceneId,
    time: r.time,
    path: r.path,
    brightness: r.brightness,
    contrast: r.contrast,
    saturation: r.saturation,
    colourfulness: r.colourfulness,
    palette: parsePalette(r.palette),
    weight: Math.max(r.shot.endTime - r.shot.startTime, 0),
  }));
}

function parsePalette(text: string): Array<{ hex: string; share: number }> {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v)
      ? v.filter((p): p is { hex: string; share: number } => typeof p?.hex === "string" && typeof p?.share === "number")
      : [];
  } catch {
    return [];
  }
}

export function groupBy<T, K>(items: T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
