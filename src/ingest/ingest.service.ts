// The ingest pipeline: probe → subtitles → one decode pass (shots, keyframes) → scenes → one transaction.
// Everything that can be refused (bad paths, unreadable subtitle files given explicitly, non-media) is
// refused before the first write. Completed stages are checkpointed on the unfinished clip row, so the
// same command after a crash resumes where it stopped; only the final transaction makes the clip READY.
import { access, rm } from "node:fs/promises";
import path from "node:path";
import type { MediaTools, ProbeResult } from "../media/media.port.js";
import type { ClipRepository } from "../store/clip.repository.js";
import type { Logger } from "../logging/logger.js";
import { AppError, isAppError } from "../errors/app-error.js";
import { contentHash } from "./content-hash.js";
import type { IngestLeases } from "./ingest-lease.js";
import { analyseFrames, type FrameStageResult } from "./frame.stage.js";
import {
  BandCollection,
  burnedInPending,
  burnedInTrack,
  collectTracks,
  loadExplicitTracks,
  ocrImageTracks,
  type SubtitleOcr,
  type SubtitleReading,
} from "./subtitle.stage.js";
import type { SubtitleLimits, SubtitleReadScope } from "./subtitles/index.js";
import { groupScenes } from "./scenes/scene-grouper.js";
import type { KeyframeRecord, SceneRecord, ShotRecord, TrackRecord } from "./ingest.types.js";
import type { IngestStage, ProgressListener } from "./progress.js";
import type { AsrStage } from "./enrich/asr.stage.js";
import type { Enricher } from "./enrich/enricher.js";
import type { EnrichStepResult } from "./enrich/enrich.types.js";

export interface IngestRequest {
  file: string;
  title?: string;
  subtitles?: string[];
  /** where subtitle files may be read from: the media roots when the request came over the API */
  readScope?: SubtitleReadScope;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface IngestResult {
  clip: {
    id: string;
    title: string;
    path: string;
    contentHash: string;
    duration: number;
    frameRate: number;
    width: number;
    height: number;
    variableFrameRate: boolean;
  };
  alreadyIngested: boolean;
  /** another ingest of the same file was running: this one waited for it and reports its clip */
  joined?: boolean;
  tracks: TrackRecord[];
  shots: ShotRecord[];
  keyframes: KeyframeRecord[];
  scenes: SceneRecord[];
  /** model enrichment after the store (src/ingest/enrich); absent when no enricher is configured */
  enrichment?: EnrichStepResult[];
}

export interface IngestDeps {
  media: MediaTools;
  clips: ClipRepository;
  logger: Logger;
  dataDir: string;
  keyframeDir: string;
  decodeWidth: number;
  maxSceneSeconds: number;
  /** limits on subtitle files and tracks (CINERAG_SUBTITLE_MAX_*); default DEFAULT_SUBTITLE_LIMITS */
  subtitleLimits?: SubtitleLimits;
  /** speech to text for clips without text subtitles (before scene grouping) */
  asr?: AsrStage;
  /** OCR of image subtitle tracks and burned-in text (src/ocr); absent: image tracks stay skipped */
  ocr?: SubtitleOcr;
  /** model enrichment of stored clips (embeddings, cue emotions, captions, CLIP vectors) */
  enricher?: Enricher;
  /** one ingest per content hash at a time (absent: no coordination) */
  leases?: IngestLeases;
}

const FRAME_CHECKPOINT = "frames";
/** which track forms the scenes: text tracks > image tracks (OCR) > burned-in (OCR) > speech */
const SOURCE_RANK: Record<TrackRecord["source"], number> = {
  EMBEDDED: 0,
  SIDECAR: 0,
  IMAGE_OCR: 1,
  BURNED_IN: 2,
  ASR: 3,
};
const ASR_CHECKPOINT = "asr";

export class IngestService {
  constructor(private readonly deps: IngestDeps) {}

  async ingest(request: IngestRequest): Promise<IngestResult> {
    try {
      return await this.ingestOnce(request);
    } catch (error) {
      throw asCancelled(error, request.signal);
    }
  }

  private async ingestOnce(request: IngestRequest): Promise<IngestResult> {
    const report = (stage: IngestStage, percent: number, message?: string) => {
      this.deps.logger.debug({ file: request.file, stage, percent: Math.round(percent), message }, "ingest progress");
      request.onProgress?.({ stage, percent, message });
    };
    report("probe", 0, path.basename(request.file));
    const [probe, hash] = await this.probeAndHash(request);
    report("probe", 100, `${probe.duration.toFixed(1)} s, ${probe.video.width}x${probe.video.height}`);
    // one ingest of the same bytes at a time (src/ingest/ingest-lease.ts); a second one joins the first
    const lease = await this.deps.leases?.acquire(hash, request.signal);
    try {
      const result = await this.ingestProbed(request, probe, hash, report);
      return lease?.waited && result.alreadyIngested ? { ...result, joined: true } : result;
    } finally {
      await lease?.release();
    }
  }

  private async ingestProbed(
    request: IngestRequest,
    probe: ProbeResult,
    hash: string,
    report: (stage: IngestStage, percent: number, message?: string) => void,
  ): Promise<IngestResult> {
    const existing = await this.deps.clips.findByHash(hash);
    if (existing?.status === "READY") {
      await this.updateExisting(existing.id, existing.title, probe, request);
      return this.enrich(await this.readExisting(existing.id, probe, hash), request, report);
    }

    report("subtitles", 0);
    let tracks = await collectTracks(
      this.deps.media,
      probe,
      request.subtitles ?? [],
      request.signal,
      this.reading(request),
    );
    report("subtitles", 100, `${tracks.length} tracks, ${tracks.reduce((n, t) => n + t.cues.length, 0)} cues`);

    const title = request.title ?? path.parse(probe.path).name;
    const clip = await this.deps.clips.begin(hash, probe, title);
    try {
      let asrStep: EnrichStepResult | undefined;
      if (this.deps.ocr) tracks = await this.ocr(clip.id, probe, tracks, request, report);
      // burned-in text is looked for in the frame pass's own decode (one decode of the clip for both)
      const burned = this.burnedInWanted(tracks);
      const band = burned ? await this.bandToCollect(clip.id, probe, request, report) : undefined;
      const frames = await this.frames(clip.id, probe, request, report, band);
      if (burned) tracks = await this.burnedIn(clip.id, probe, tracks, request, report, band);
      if (this.deps.asr && !tracks.some((t) => !t.skipped && t.cues.length > 0)) {
        const asr = await this.speech(clip.id, probe, request, report);
        asrStep = asrStepResult(this.deps.asr, probe, asr);
        if (asr) tracks.push({ index: tracks.length, ...asr });
      }
      report("scenes", 0);
      const scenes = this.scenes(frames, tracks, probe);
      report("scenes", 100, `${scenes.length} scenes`);
      report("store", 0);
      await this.deps.clips.complete(clip.id, { tracks, shots: frames.shots, keyframes: frames.keyframes, scenes });
      report("store", 100);
      const result = await this.enrich(
        { clip: clipSummary(clip.id, title, hash, probe), alreadyIngested: false, tracks, ...frames, scenes },
        request,
        report,
      );
      // speech recognition says what it did or why not, as the enrichment steps do
      return asrStep ? { ...result, enrichment: [asrStep, ...(result.enrichment ?? [])] } : result;
    } catch (error) {
      // Bad input found mid-way (a truncated file) leaves nothing behind; anything else (a crash of
      // ffmpeg, a cancel) keeps the checkpoints so that the next run resumes.
      if (isAppError(error) && ["CORRUPT_MEDIA", "NOT_MEDIA", "NO_VIDEO_STREAM"].includes(error.code)) {
        await this.deps.clips.discard(clip.id);
        await rm(path.join(this.deps.keyframeDir, clip.id), { recursive: true, force: true });
      } else {
        // The clip keeps its checkpoints; it says why it is not READY until an ingest of the same file resumes it.
        const reason = request.signal?.aborted ? "ingest cancelled" : `ingest failed: ${(error as Error).message}`;
        await this.deps.clips
          .markUnfinished(clip.id, `${reason}; ingest the same file again to resume`)
          .catch(() => undefined);
      }
      throw error;
    }
  }

  private reading(request: IngestRequest): Omit<SubtitleReading, "signal"> {
    return {
      ...(this.deps.subtitleLimits ? { limits: this.deps.subtitleLimits } : {}),
      ...(request.readScope ? { scope: request.readScope } : {}),
    };
  }

  /**
   * The same bytes again: the clip is not ingested twice, but what the command adds is honoured: new
   * subtitle files are read (an unreadable one refuses, as for a new clip) and attached, a title renames.
   */
  private async updateExisting(
    clipId: string,
    title: string,
    probe: ProbeResult,
    request: IngestRequest,
  ): Promise<void> {
    const files = request.subtitles ?? [];
    if (files.length > 0) {
      const added = await this.deps.clips.addTracks(
        clipId,
        await loadExplicitTracks(files, probe.duration, {
          ...this.reading(request),
          signal: request.signal,
          frameRate: probe.video.frameRate,
        }),
      );
      if (added.length > 0)
        this.deps.logger.info(
          { clipId, tracks: added.map((t) => t.path) },
          "subtitle tracks added to an ingested clip",
        );
    }
    if (request.title && request.title !== title) await this.deps.clips.rename(clipId, request.title);
  }

  /** Image subtitle tracks read by OCR (checkpointed per track). */
  private async ocr(
    clipId: string,
    probe: ProbeResult,
    tracks: TrackRecord[],
    request: IngestRequest,
    report: (s: IngestStage, p: number, m?: string) => void,
  ): Promise<TrackRecord[]> {
    const ocr = this.deps.ocr!;
    if (!tracks.some((t) => t.imageBased)) return tracks;
    report("ocr", 0);
    const opts = { signal: request.signal, onProgress: (p: number, m: string) => report("ocr", p, m) };
    const read = await ocrImageTracks(this.deps.media, probe, tracks, ocr, this.checkpoints(clipId), opts);
    const cues = read.filter((t) => t.source === "IMAGE_OCR");
    report("ocr", 100, `${cues.reduce((n, t) => n + t.cues.length, 0)} cues`);
    return read;
  }

  private checkpoints(clipId: string) {
    return {
      get: <T>(name: string) => this.deps.clips.getCheckpoint<T>(clipId, name),
      save: (name: string, value: unknown) => this.deps.clips.saveCheckpoint(clipId, name, value),
    };
  }

  /**
   * Burned-in text is looked for only when nothing better was found (text or image tracks), unless asked
   * always.
   */
  private burnedInWanted(tracks: TrackRecord[]): boolean {
    const ocr = this.deps.ocr;
    if (!ocr || ocr.burnedIn === "off") return false;
    return ocr.burnedIn === "always" || !tracks.some((t) => !t.skipped && t.cues.length > 0);
  }

  /** The band for burned-in text, collected by the frame pass unless the track was read already (checkpoint). */
  private async bandToCollect(
    clipId: string,
    probe: ProbeResult,
    request: IngestRequest,
    report: (s: IngestStage, p: number, m?: string) => void,
  ): Promise<BandCollection | undefined> {
    if (!(await burnedInPending(this.checkpoints(clipId)))) return undefined;
    return new BandCollection(probe, this.deps.ocr!, {
      signal: request.signal,
      onProgress: (p, m) => report("ocr", p, m),
    });
  }

  /** The burned-in track read from the band the frame pass collected (or from a decode of its own). */
  private async burnedIn(
    clipId: string,
    probe: ProbeResult,
    tracks: TrackRecord[],
    request: IngestRequest,
    report: (s: IngestStage, p: number, m?: string) => void,
    band: BandCollection | undefined,
  ): Promise<TrackRecord[]> {
    const ocr = this.deps.ocr!;
    const opts = { signal: request.signal, onProgress: (p: number, m: string) => report("ocr", p, m) };
    report("ocr", 50, "reading burned-in subtitles");
    const burned = await burnedInTrack(
      this.deps.media,
      probe,
      tracks.length,
      ocr,
      this.checkpoints(clipId),
      opts,
      band,
    );
    report("ocr", 100, `${burned?.cues.length ?? 0} burned-in cues`);
    return burned ? [...tracks, burned] : tracks;
  }

  /** Speech to text (checkpointed: a resumed ingest does not transcribe again). */
  private async speech(
    clipId: string,
    probe: ProbeResult,
    request: IngestRequest,
    report: (s: IngestStage, p: number, m?: string) => void,
  ) {
    const asr = this.deps.asr!;
    const saved = await this.deps.clips.getCheckpoint<NonNullable<Awaited<ReturnType<AsrStage["transcribe"]>>>>(
      clipId,
      ASR_CHECKPOINT,
    );
    if (saved) {
      report("asr", 100, `${saved.cues.length} cues (resumed)`);
      return saved;
    }
    if (!asr.applicable(probe)) return undefined;
    report("asr", 0);
    const track = await asr.transcribe(probe, { signal: request.signal, onProgress: (p, m) => report("asr", p, m) });
    if (track) await this.deps.clips.saveCheckpoint(clipId, ASR_CHECKPOINT, track);
    report("asr", 100, track ? `${track.cues.length} cues` : "no speech model");
    return track;
  }

  /** Model enrichment of a stored clip. The clip is stored whatever happens here (only a cancel throws). */
  private async enrich(
    result: IngestResult,
    request: IngestRequest,
    report: (s: IngestStage, p: number, m?: string) => void,
  ): Promise<IngestResult> {
    if (!this.deps.enricher || this.deps.enricher.steps.length === 0) return result;
    const enrichment = await this.deps.enricher.enrichClip(result.clip.id, {
      signal: request.signal,
      onProgress: (step, p, m) => report(step, p, m),
    });
    return { ...result, enrichment };
  }

  private async probeAndHash(request: IngestRequest): Promise<[ProbeResult, string]> {
    const probe = await this.deps.media.probe(request.file, request.signal);
    const hash = await contentHash(probe.path, request.signal);
    return [probe, hash];
  }

  private async frames(
    clipId: string,
    probe: ProbeResult,
    request: IngestRequest,
    report: (s: IngestStage, p: number, m?: string) => void,
    band?: BandCollection,
  ) {
    const saved = await this.deps.clips.getCheckpoint<FrameStageResult>(clipId, FRAME_CHECKPOINT);
    if (saved && (await this.keyframesPresent(saved.keyframes))) {
      report("shots", 100, `${saved.shots.length} shots (resumed)`);
      return saved;
    }
    const frames = await analyseFrames(this.deps.media, probe, {
      clipId,
      dataDir: this.deps.dataDir,
      keyframeDir: this.deps.keyframeDir,
      decodeWidth: this.deps.decodeWidth,
      signal: request.signal,
      onProgress: (percent, message) => report("shots", percent, message),
      ...(band ? { band: band.band } : {}),
    });
    if (band) band.collected = true;
    await this.deps.clips.saveCheckpoint(clipId, FRAME_CHECKPOINT, frames);
    return frames;
  }

  private async keyframesPresent(keyframes: KeyframeRecord[]): Promise<boolean> {
    for (const k of keyframes) {
      const ok = await access(path.join(this.deps.dataDir, k.path)).then(
        () => true,
        () => false,
      );
      if (!ok) return false;
    }
    return true;
  }

  private scenes(frames: FrameStageResult, tracks: TrackRecord[], probe: ProbeResult): SceneRecord[] {
    // Scenes use the dialogue of one track: the best source with cues (text, then image OCR, then burned-in,
    // then speech), the first of its kind (the main language).
    const main = tracks
      .filter((t) => !t.skipped && t.cues.length > 0)
      .sort((a, b) => SOURCE_RANK[a.source] - SOURCE_RANK[b.source] || a.index - b.index)[0];
    return groupScenes(
      {
        shots: frames.shots,
        histograms: frames.histograms.map((h) => Float32Array.from(h)),
        cues: main?.cues ?? [],
        duration: probe.duration,
      },
      { maxSceneSeconds: this.deps.maxSceneSeconds },
    );
  }

  private async readExisting(clipId: string, probe: ProbeResult, hash: string): Promise<IngestResult> {
    const stored = await this.deps.clips.load(clipId);
    if (!stored) throw new AppError("NOT_FOUND", `clip ${clipId} vanished while being read`);
    return { clip: clipSummary(clipId, stored.title, hash, probe), alreadyIngested: true, ...stored.parts };
  }
}

function clipSummary(id: string, title: string, contentHash: string, probe: ProbeResult): IngestResult["clip"] {
  return {
    id,
    title,
    path: probe.path,
    contentHash,
    duration: probe.duration,
    frameRate: probe.video.frameRate,
    width: probe.video.width,
    height: probe.video.height,
    variableFrameRate: probe.video.variableFrameRate,
  };
}

/** The `asr` step of `ingest --json`: done with its model and cue count, or skipped with the reason. */
function asrStepResult(
  stage: AsrStage,
  probe: ProbeResult,
  track: Awaited<ReturnType<AsrStage["transcribe"]>>,
): EnrichStepResult {
  if (track) {
    const model = /\((.*)\)$/.exec(track.title ?? "")?.[1];
    return {
      step: "asr",
      status: "done",
      method: "model",
      ...(model ? { model } : {}),
      computed: track.cues.length,
      total: track.cues.length,
    };
  }
  const reason = stage.skipReason(probe) ?? stage.lastSkipReason ?? "the asr model cannot be had";
  return { step: "asr", status: "skipped", computed: 0, total: 0, reason };
}

/**
 * A cancel is CANCELLED however deep it was noticed: `signal.throwIfAborted()` throws the signal's reason,
 * a DOMException when the caller aborted without one, which would reach the user as an internal error.
 */
function asCancelled(error: unknown, signal: AbortSignal | undefined): unknown {
  if (!signal?.aborted || isAppError(error)) return error;
  return isAppError(signal.reason) ? signal.reason : new AppError("CANCELLED", "ingest cancelled");
}
