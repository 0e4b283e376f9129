// The scope of an analysis (one clip, a set of clips, or every READY clip) and the rows an analysis reads
// for it, loaded once. The scope hash covers each clip's id and the time it became READY, so a clip that is
// deleted and ingested again is a new scope (stored results of the old one are not reused for it).
import { createHash } from "node:crypto";
import { AppError } from "../errors/app-error.js";
import type { AnalysisReadRepository } from "../store/analysis-read.repository.js";
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

/** what the analyses read (src/store/analysis-read.repository.ts) */
export type AnalysisReads = AnalysisReadRepository;

export async function resolveScope(reads: AnalysisReads, scope: AnalysisScope = {}): Promise<ResolvedScope> {
  const wanted = [...new Set(scope.clipIds ?? [])];
  if (wanted.length > MAX_SCOPE_CLIPS) throw new AppError("BAD_INPUT", `a scope has at most ${MAX_SCOPE_CLIPS} clips`);
  const rows = await reads.readyClips(wanted, MAX_SCOPE_CLIPS);
  if (wanted.length) {
    const found = new Set(rows.map((r) => r.id));
    const missing = wanted.filter((id) => !found.has(id));
    if (missing.length) throw new AppError("NOT_FOUND", `no READY clip ${missing.join(", ")}`);
  }
  const tracks = await mainTracks(
    reads,
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
  reads: AnalysisReads,
  clipIds: string[],
): Promise<Map<string, { id: string; language: string | null }>> {
  const tracks = await reads.dialogueTracks(clipIds);
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
export async function loadCues(reads: AnalysisReads, clipIds: string[]): Promise<CueData[]> {
  const tracks = await mainTracks(reads, clipIds);
  const trackIds = [...tracks.values()].map((t) => t.id);
  if (trackIds.length === 0) return [];
  return reads.cuesOfTracks(trackIds);
}

export async function loadScenes(reads: AnalysisReads, clipIds: string[]): Promise<SceneData[]> {
  return reads.scenesOfClips(clipIds);
}

export async function loadShots(reads: AnalysisReads, clipIds: string[]): Promise<ShotData[]> {
  return reads.shotsOfClips(clipIds);
}

export async function loadKeyframes(reads: AnalysisReads, clipIds: string[]): Promise<KeyframeData[]> {
  const rows = await reads.keyframesOfClips(clipIds);
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

function isPaletteColour(p: unknown): p is { hex: string; share: number } {
  const c = p as { hex?: unknown; share?: unknown } | null;
  return typeof c?.hex === "string" && typeof c.share === "number";
}

function parsePalette(text: string): Array<{ hex: string; share: number }> {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter(isPaletteColour) : [];
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
