// The one decode pass: every downscaled frame goes through the shot detector and the keyframe picker;
// each shot's keyframe is written as soon as the shot is known, so memory stays flat however long the
// clip is (only the picker's few candidate frames are kept).
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { DecodeOptions, MediaTools, ProbeResult } from "../media/media.port.js";
import type { KeyframeRecord, ShotBoundary, ShotRecord } from "./ingest.types.js";
import { ShotDetector } from "./shots/shot-detector.js";
import { ShotBuilder } from "./shots/shot-records.js";
import { KeyframePicker } from "./keyframes/keyframe-picker.js";
import { colourHistogram, computeVisualStats } from "./keyframes/visual-stats.js";
import { writeKeyframeJpeg } from "./keyframes/keyframe-writer.js";
import { AppError } from "../errors/app-error.js";

export interface FrameStageResult {
  shots: ShotRecord[];
  keyframes: KeyframeRecord[];
  /** per shot, the colour histogram of its keyframe (for scene grouping) */
  histograms: number[][];
  frameCount: number;
}

export interface FrameStageOptions {
  clipId: string;
  dataDir: string;
  keyframeDir: string;
  decodeWidth: number;
  signal?: AbortSignal;
  onProgress?: (percent: number, message: string) => void;
  /** the subtitle band too, from the same decode (burned-in subtitles: src/ingest/subtitle.stage.ts) */
  band?: DecodeOptions["band"];
}

const ms = (t: number) => Math.round(t * 1000) / 1000;

/** A decode that stops well short of the probed duration means a truncated or corrupt file. */
const MIN_COVERAGE = 0.9;

/** Shots as the detector reports their boundaries, each shot's keyframe written as soon as it closes. */
class ShotAssembler {
  readonly builder = new ShotBuilder();
  readonly keyframes: KeyframeRecord[] = [];
  readonly histograms: number[][] = [];

  constructor(
    private readonly picker: KeyframePicker,
    private readonly options: FrameStageOptions,
    private readonly relDir: string,
  ) {}

  get shots(): ShotRecord[] {
    return this.builder.shots;
  }

  begin(frame: number, time: number): void {
    this.builder.begin(frame, time);
  }

  async onBoundary(boundary: ShotBoundary): Promise<void> {
    const shot = this.builder.boundary(boundary);
    if (shot) await this.keyframe(shot);
  }

  async close(endFrame: number, endTime: number): Promise<void> {
    const shot = this.builder.close(endFrame, endTime);
    if (shot) await this.keyframe(shot);
  }

  private async keyframe(shot: ShotRecord): Promise<void> {
    const kept = this.picker.take({ startFrame: shot.startFrame, endFrame: shot.endFrame });
    if (!kept) {
      // Histograms are indexed by shot: an empty one tells the scene grouper "unknown".
      this.histograms.push([]);
      return;
    }
    const rel = path.join(this.relDir, `shot-${String(shot.index).padStart(5, "0")}.jpg`);
    const written = await writeKeyframeJpeg(kept, path.join(this.options.dataDir, rel));
    this.keyframes.push({
      shotIndex: shot.index,
      time: ms(kept.time),
      path: rel,
      width: written.width,
      height: written.height,
      stats: computeVisualStats(kept),
    });
    this.histograms.push(Array.from(colourHistogram(kept)));
  }
}

export async function analyseFrames(
  media: MediaTools,
  probe: ProbeResult,
  options: FrameStageOptions,
): Promise<FrameStageResult> {
  const relDir = path.join(path.relative(options.dataDir, options.keyframeDir), options.clipId);
  // Keyframes of an interrupted run are rewritten from scratch under the same names.
  await rm(path.join(options.dataDir, relDir), { recursive: true, force: true });
  await mkdir(path.join(options.dataDir, relDir), { recursive: true });

  const detector = new ShotDetector();
  const picker = new KeyframePicker();
  const assembler = new ShotAssembler(picker, options, relDir);
  let frameCount = 0;
  let lastTime = 0;
  let firstFrame = true;
  let lastReport = 0;
  for await (const frame of media.decodeFrames(probe, {
    width: options.decodeWidth,
    signal: options.signal,
    ...(options.band ? { band: options.band } : {}),
  })) {
    if (firstFrame) {
      assembler.begin(frame.index, Math.max(0, frame.time));
      firstFrame = false;
    }
    picker.offer(frame);
    for (const boundary of detector.push(frame)) await assembler.onBoundary(boundary);
    frameCount = frame.index + 1;
    lastTime = frame.time;
    if (frame.time - lastReport >= 1 && options.onProgress) {
      lastReport = frame.time;
      options.onProgress(Math.min(99, (100 * frame.time) / probe.duration), `${assembler.shots.length} shots`);
    }
  }
  if (frameCount === 0) throw new AppError("CORRUPT_MEDIA", `no video frame could be decoded from ${probe.path}`);
  const frameDuration = 1 / probe.video.frameRate;
  // Judged against the video stream's own length: the container's spans every stream, and a subtitle
  // track whose cues run on past the picture (20 s of video, cues to 243 s) is not a truncated video.
  const videoDuration = Math.min(probe.duration, probe.video.duration ?? probe.duration);
  if (lastTime + frameDuration < videoDuration * MIN_COVERAGE) {
    throw new AppError(
      "CORRUPT_MEDIA",
      `${probe.path} looks truncated or corrupt: its video stops at ${lastTime.toFixed(2)} s of ${videoDuration.toFixed(2)} s`,
    );
  }
  for (const boundary of detector.flush()) await assembler.onBoundary(boundary);
  // the last shot ends with its last frame: the container's duration is often the audio's, a little longer
  await assembler.close(frameCount - 1, lastTime + frameDuration);
  options.onProgress?.(100, `${assembler.shots.length} shots`);
  return { shots: assembler.shots, keyframes: assembler.keyframes, histograms: assembler.histograms, frameCount };
}
