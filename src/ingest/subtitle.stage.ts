// Collects every subtitle track of a clip: embedded text tracks, sidecar files next to it, and files
// given explicitly. Files given explicitly must be readable (a bad one refuses the whole ingest before
// anything is written); a track found on its own that cannot be read is kept as a skipped track with
// its warning, so the user can see why it is missing.
import type { DecodeOptions, MediaTools, ProbeResult, ProbedStream } from "../media/media.port.js";
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
import type { OcrEngine } from "../ocr/ocr.port.js";
import { readBitmapEvents } from "../ocr/image-subtitles.reader.js";
import { BAND_SHARE, BAND_WIDTH, BandRuns, readRuns, RunReader } from "../ocr/burned-in.reader.js";

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

/** OCR for image subtitle tracks and burned-in text (src/ocr); absent: image tracks stay skipped */
export interface SubtitleOcr {
  engine: OcrEngine;
  /**
   * the engine for burned-in text, read while the frame pass decodes (default: `engine`): the app gives it
   * one onnxruntime thread, so that it does not take a core from ffmpeg (on 2 cores, onnxruntime's own pool
   * of 2 threads put the 1080p ingest's CPU at 5.0-5.3 s, one thread at 4.0-4.5 s)
   */
  duringDecode?: OcrEngine;
  confidenceFloor: number;
  /** burned-in subtitles: auto = looked for when no text or image track has cues */
  burnedIn: "auto" | "always" | "off";
}

/** where a stage keeps what it finished, so a resumed ingest does not do it again */
export interface StageCheckpoints {
  get<T>(name: string): Promise<T | undefined>;
  save(name: string, value: unknown): Promise<void>;
}

type OcrTrackDraft = Pick<TrackRecord, "cues" | "warnings" | "skipped">;

/**
 * Image subtitle tracks read by OCR, each checkpointed once read (`ocr:<stream>`): a resumed ingest after
 * a crash reads only the tracks it had not finished. A track that cannot be read keeps its warning.
 */
export async function ocrImageTracks(
  media: MediaTools,
  probe: ProbeResult,
  tracks: TrackRecord[],
  ocr: SubtitleOcr,
  checkpoints: StageCheckpoints,
  opts: { signal?: AbortSignal; onProgress?: (percent: number, message: string) => void } = {},
): Promise<TrackRecord[]> {
  const out: TrackRecord[] = [];
  for (const track of tracks) {
    if (!track.imageBased || track.source !== "EMBEDDED" || track.streamIndex === undefined) {
      out.push(track);
      continue;
    }
    const key = `ocr:${track.streamIndex}`;
    let read = await checkpoints.get<OcrTrackDraft>(key);
    if (!read) {
      read = await ocrTrack(media, probe, track, ocr, opts);
      await checkpoints.save(key, read);
    }
    out.push({ ...track, source: "IMAGE_OCR", ...read });
  }
  return out;
}

async function ocrTrack(
  media: MediaTools,
  probe: ProbeResult,
  track: TrackRecord,
  ocr: SubtitleOcr,
  opts: { signal?: AbortSignal; onProgress?: (percent: number, message: string) => void },
): Promise<OcrTrackDraft> {
  const what = `image subtitle track ${track.streamIndex} (${track.codec})`;
  if (!ocr.engine.modelFor(track.language))
    return { cues: [], skipped: true, warnings: [`${what}: no OCR model reads language "${track.language}"`] };
  if (!media.extractBitmapSubtitles)
    return { cues: [], skipped: true, warnings: [`${what}: the media tools cannot decode subtitle bitmaps`] };
  try {
    const bitmaps = await media.extractBitmapSubtitles(probe, track.streamIndex!, opts.signal);
    const result = await readBitmapEvents(ocr.engine, bitmaps.events, {
      language: track.language,
      confidenceFloor: ocr.confidenceFloor,
      signal: opts.signal,
      onProgress: (done, total) => opts.onProgress?.((100 * done) / total, `${what}: ${done}/${total} events`),
    });
    const cues = result.cues.filter((c) => c.startTime < probe.duration);
    return { cues, skipped: cues.length === 0, warnings: [...bitmaps.warnings, ...result.warnings] };
  } catch (error) {
    if (opts.signal?.aborted) throw error;
    return { cues: [], skipped: true, warnings: [`${what} could not be read: ${(error as Error).message}`] };
  }
}

const BURNED_IN_CHECKPOINT = "ocr:burned-in";

/**
 * The subtitle band of every frame gathered into runs of the same text, for `burnedInTrack`: `band` is
 * what the frame pass's decode takes (`DecodeOptions.band`), so the clip is decoded once for both.
 * `collected` says whether that decode ran to its end (a checkpointed frame pass does not decode at all).
 */
export class BandCollection {
  /** the engine that reads the band: `ocr.duringDecode`, or `ocr.engine` without one */
  readonly engine: OcrEngine;
  /** reads each run worth reading as soon as it closes, so the OCR runs during the decode */
  readonly reader: RunReader;
  readonly runs: BandRuns;
  collected = false;
  readonly band: NonNullable<DecodeOptions["band"]>;

  constructor(
    probe: ProbeResult,
    ocr: SubtitleOcr,
    opts: { signal?: AbortSignal; onProgress?: (percent: number, message: string) => void } = {},
  ) {
    const { onProgress } = opts;
    this.engine = ocr.duringDecode ?? ocr.engine;
    this.reader = new RunReader(this.engine, {
      language: undefined,
      confidenceFloor: ocr.confidenceFloor,
      signal: opts.signal,
    });
    this.runs = new BandRuns(this.reader.offer);
    let lastReport = 0;
    this.band = {
      width: BAND_WIDTH,
      band: BAND_SHARE,
      onFrame: (frame) => {
        this.runs.push(frame);
        if (frame.time - lastReport >= 10) {
          lastReport = frame.time;
          onProgress?.((50 * frame.time) / Math.max(1, probe.duration), "looking for burned-in subtitles");
        }
      },
    };
  }
}

/** Whether the burned-in track is still to be read (it is checkpointed once read). */
export async function burnedInPending(checkpoints: StageCheckpoints): Promise<boolean> {
  return !(await checkpoints.get<{ track: TrackRecord | null }>(BURNED_IN_CHECKPOINT));
}

/**
 * Subtitles burned into the picture, as a BURNED_IN track, or undefined when the clip shows none (no
 * track of noise). Checkpointed once read (`ocr:burned-in`). The band comes from `collection` when the
 * frame pass gathered it; otherwise (a resumed ingest whose frames were checkpointed) from a decode of its own.
 */
export async function burnedInTrack(
  media: MediaTools,
  probe: ProbeResult,
  index: number,
  ocr: SubtitleOcr,
  checkpoints: StageCheckpoints,
  opts: { signal?: AbortSignal; onProgress?: (percent: number, message: string) => void } = {},
  collection?: BandCollection,
): Promise<TrackRecord | undefined> {
  const saved = await checkpoints.get<{ track: TrackRecord | null }>(BURNED_IN_CHECKPOINT);
  if (saved) return saved.track ? { ...saved.track, index } : undefined;
  let band: BandCollection;
  if (collection?.collected) band = collection;
  else {
    if (!media.decodeBand) return undefined;
    band = new BandCollection(probe, ocr, opts);
    await media.decodeBand(probe, { ...band.band, signal: opts.signal });
  }
  const read = await readRuns(band.engine, band.runs.finish(probe.duration), {
    language: undefined,
    confidenceFloor: ocr.confidenceFloor,
    signal: opts.signal,
    reader: band.reader,
  });
  // two lines read at least: one stray read (a caption, a sign) is not a subtitle track
  const track: TrackRecord | null =
    read.cues.length < 2
      ? null
      : {
          index,
          source: "BURNED_IN",
          codec: "burned-in",
          language: scriptLanguage(read.cues.map((c) => c.text).join("")),
          imageBased: true,
          skipped: false,
          warnings: read.warnings,
          cues: read.cues.filter((c) => c.startTime < probe.duration),
        };
  await checkpoints.save(BURNED_IN_CHECKPOINT, { track });
  return track ?? undefined;
}

/** zh when most letters are CJK ideographs, en when most are Latin, else unknown */
function scriptLanguage(text: string): string | undefined {
  const cjk = (text.match(/[\u4e00-\u9fff]/g) ?? []).length;
  const latin = (text.match(/[A-Za-z]/g) ?? []).length;
  if (cjk > latin) return "zh";
  return latin > 0 ? "en" : undefined;
}
