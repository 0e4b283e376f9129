// The scope of an analysis (one clip, a set of clips, or every READY clip) and the rows an analysis reads
// for it, loaded once. The scope hash covers each clip's id and the time it became READY, so a clip that is
// deleted and ingested again is a new scope (stored results of the old one are not reused for it).
import { createHash } from "node:crypto";
import { AppError } from "../errors/app-error.js";
import type { AnalysisReadRepository, DialogueTrackRow } from "../store/analysis-read.repository.js";
import type { SearchSceneRow } from "../search/search.service.js";

export const MAX_SCOPE_CLIPS = 100;

export interface AnalysisScope {
  /** database ids; empty or absent = every READY clip (at most MAX_SCOPE_CLIPS) */
  clipIds?: string[];
  /** which subtitle tracks the analysis reads; absent = every dialogue track of every clip */
  tracks?: TrackChoice;
}

/**
 * A choice of dialogue tracks: by language (a BCP 47 tag or its prefix: "fr" takes "fr" and "fr-CA") and/or by
 * track id. Both given: a track must satisfy both. Neither: every track counts (a translation, a second
 * language, a transcript find and quote their scenes like the first track does).
 */
export interface TrackChoice {
  language?: string;
  trackIds?: string[];
}

/** A dialogue track an analysis reads: not skipped, with cues. */
export type ScopeTrack = DialogueTrackRow;

const LANGUAGE_TAG = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/;

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
  /** the dialogue tracks chosen, by clip then track index */
  tracks: ScopeTrack[];
  /** covers the clips (and the track choice, when one is made) */
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
  const all = await reads.dialogueTracks(rows.map((r) => r.id));
  const choice = scope.tracks?.language !== undefined || scope.tracks?.trackIds?.length ? scope.tracks : undefined;
  const chosen = chooseTracks(all, choice);
  const tracks = firstPerClip(chosen);
  const clips = rows
    .map((r) => ({
      id: r.id,
      title: r.title,
      duration: r.duration,
      readyAt: r.readyAt?.toISOString() ?? null,
      ...(tracks.get(r.id)?.language ? { language: tracks.get(r.id)!.language! } : {}),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // without a choice the hash is what it always was, so results stored before track choices stay valid
  const keyed: unknown[] = clips.map((c) => [c.id, c.readyAt]);
  if (choice) keyed.push({ tracks: chosen.map((t) => t.id) });
  const hash = createHash("sha256").update(JSON.stringify(keyed)).digest("hex");
  return { clips, clipIds: clips.map((c) => c.id), tracks: chosen, hash };
}

/** The tracks of `all` that the choice takes; a choice that takes none is an error, not an empty analysis. */
export function chooseTracks(all: ScopeTrack[], choice: TrackChoice | undefined): ScopeTrack[] {
  if (!choice) return all;
  let out = all;
  if (choice.trackIds?.length) {
    const wanted = new Set(choice.trackIds);
    const known = new Set(all.map((t) => t.id));
    const missing = [...wanted].filter((id) => !known.has(id));
    if (missing.length) throw new AppError("NOT_FOUND", `no dialogue track ${missing.join(", ")} in scope`);
    out = out.filter((t) => wanted.has(t.id));
  }
  if (choice.language !== undefined) {
    const tag = choice.language.trim();
    if (!LANGUAGE_TAG.test(tag) || tag.length > 35)
      throw new AppError(
        "BAD_INPUT",
        `language must be a BCP 47 tag such as "en" or "pt-BR", got "${tag.slice(0, 40)}"`,
      );
    out = out.filter((t) => languageMatches(t.language, tag));
    if (out.length === 0) throw new AppError("NOT_FOUND", `no dialogue track in language "${tag}" in scope`);
  }
  return out;
}

/** "fr" takes "fr" and "fr-CA"; tags compare case-insensitively (BCP 47) */
function languageMatches(language: string | null, tag: string): boolean {
  if (!language) return false;
  const l = language.toLowerCase();
  const t = tag.toLowerCase();
  return l === t || l.startsWith(`${t}-`);
}

/** Per clip its first (by index) track: the main dialogue track. */
export function firstPerClip(tracks: ScopeTrack[]): Map<string, ScopeTrack> {
  const out = new Map<string, ScopeTrack>();
  for (const t of tracks) if (!out.has(t.clipId)) out.set(t.clipId, t);
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

/** Cues of these tracks, by clip then time. */
export async function loadCues(reads: AnalysisReads, tracks: ScopeTrack[]): Promise<CueData[]> {
  if (tracks.length === 0) return [];
  return reads.cuesOfTracks(tracks.map((t) => t.id));
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
