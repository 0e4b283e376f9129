// Collects every subtitle track of a clip: embedded text tracks, sidecar files next to it, and files
// given explicitly. Files given explicitly must be readable (a bad one refuses the whole ingest before
// anything is written); a track found on its own that cannot be read is kept as a skipped track with
// its warning, so the user can see why it is missing.
import type { MediaTools, ProbeResult, ProbedStream } from "../media/media.port.js";
import { AppError } from "../errors/app-error.js";
import type { TrackRecord } from "./ingest.types.js";
import {
  DEFAULT_SUBTITLE_LIMITS,
  findSidecarSubtitles,
  languageTag,
  loadSubtitleTracks,
  parseSubtitles,
  SubtitleFileError,
  tooManyBytes,
  type SubtitleLimits,
  type SubtitleReadScope,
} from "./subtitles/index.js";
import path from "node:path";

/** How subtitle files are read: the limits, and where from (the media roots for API requests). */
export interface SubtitleReading {
  limits?: SubtitleLimits;
  scope?: SubtitleReadScope;
  signal?: AbortSignal;
  frameRate?: number;
}

type TrackDraft = Omit<TrackRecord, "index">;

function skipped(
  base: Omit<TrackDraft, "cues" | "skipped" | "warnings" | "imageBased">,
  warning: string,
  imageBased = false,
): TrackDraft {
  return { ...base, imageBased, skipped: true, warnings: [warning], cues: [] };
}

async function embeddedTrack(
  media: MediaTools,
  probe: ProbeResult,
  stream: ProbedStream,
  reading: SubtitleReading,
): Promise<TrackDraft> {
  const signal = reading.signal;
  const limits = reading.limits ?? DEFAULT_SUBTITLE_LIMITS;
  const base = {
    source: "EMBEDDED" as const,
    streamIndex: stream.index,
    codec: stream.codec,
    language: stream.language,
    title: stream.title,
  };
  if (stream.imageBased)
    return skipped(base, `image-based subtitle track (${stream.codec}) recorded but not read: it has no text`, true);
  try {
    const extracted = await media.extractSubtitle(probe, stream.index, signal);
    if (extracted.text.length > limits.maxFileBytes)
      throw tooManyBytes(`embedded track ${stream.index}`, Buffer.byteLength(extracted.text), limits);
    const parsed = parseSubtitles(extracted.text, extracted.format, { limits, frameRate: probe.video.frameRate });
    return { ...base, imageBased: false, skipped: false, warnings: parsed.warnings, cues: parsed.cues };
  } catch (error) {
    if (signal?.aborted) throw error;
    return skipped(base, `could not read embedded track ${stream.index}: ${userMessage(error)}`);
  }
}

/** An error's message when it is one of ours; never an internal one (a bug's text means nothing to a user). */
function userMessage(error: unknown): string {
  return error instanceof AppError ? error.message : "internal error in the subtitle reader";
}

async function fileTracks(
  file: string,
  language: string | undefined,
  explicit: boolean,
  reading: SubtitleReading,
): Promise<TrackDraft[]> {
  const base = { source: "SIDECAR" as const, path: file, codec: path.extname(file).slice(1).toLowerCase(), language };
  try {
    const loaded = await loadSubtitleTracks(file, { ...reading, ...(language ? { languageHint: language } : {}) });
    return loaded.map(({ format: _format, ...track }) => ({ ...track, language: track.language ?? language }));
  } catch (error) {
    if (reading.signal?.aborted) throw error;
    if (explicit)
      throw error instanceof AppError
        ? error
        : new AppError("SUBTITLE_UNREADABLE", `cannot read subtitles ${file}: ${userMessage(error)}`);
    // an `.xml` beside a clip is often something else (metadata): only TTML in it makes a track
    if (path.extname(file).toLowerCase() === ".xml" && error instanceof SubtitleFileError) return [];
    return [skipped(base, userMessage(error))];
  }
}

/** Subtitle files given explicitly, read and checked (an unreadable one throws), without track indices. */
export async function loadExplicitTracks(
  files: string[],
  duration: number,
  reading: SubtitleReading = {},
): Promise<TrackDraft[]> {
  const drafts: TrackDraft[] = [];
  for (const file of files.map((f) => path.resolve(f)))
    for (const track of await fileTracks(file, languageFromName(file), true, reading))
      drafts.push(withinClip(track, duration));
  return drafts;
}

export async function collectTracks(
  media: MediaTools,
  probe: ProbeResult,
  explicit: string[],
  signal?: AbortSignal,
  options: Omit<SubtitleReading, "signal"> = {},
): Promise<TrackRecord[]> {
  const reading: SubtitleReading = { frameRate: probe.video.frameRate, ...options, signal };
  // Explicit files first: they are the ones that can refuse the ingest.
  const drafts = await loadExplicitTracks(explicit, probe.duration, reading);
  const explicitPaths = explicit.map((f) => path.resolve(f));
  for (const stream of probe.streams.filter((s) => s.type === "subtitle")) {
    signal?.throwIfAborted();
    drafts.push(await embeddedTrack(media, probe, stream, reading));
  }
  for (const sidecar of await findSidecarSubtitles(probe.path)) {
    signal?.throwIfAborted();
    if (explicitPaths.includes(path.resolve(sidecar.path))) continue;
    drafts.push(...(await fileTracks(sidecar.path, sidecar.language, false, reading)));
  }
  return drafts.map((d, index) => ({ index, ...withinClip(d, probe.duration) }));
}

/**
 * Cues that start after the clip ends belong to another cut of the film (or another file): they are
 * dropped with a warning rather than attached to the last scene; cues running past the end are clipped.
 */
function withinClip(track: TrackDraft, duration: number): TrackDraft {
  const kept = track.cues.filter((c) => c.startTime < duration);
  const dropped = track.cues.length - kept.length;
  if (dropped === 0 && kept.every((c) => c.endTime <= duration)) return track;
  const cues = kept.map((c) => (c.endTime > duration ? { ...c, endTime: duration } : c));
  const warnings =
    dropped > 0
      ? [
          ...track.warnings,
          `${dropped} cues start after the end of the clip (${duration.toFixed(3)} s) and were dropped`,
        ]
      : track.warnings;
  return { ...track, cues, warnings };
}

function languageFromName(file: string): string | undefined {
  const parts = path.basename(file).split(".");
  if (parts.length < 3) return undefined;
  return languageTag(parts[parts.length - 2]!);
}
