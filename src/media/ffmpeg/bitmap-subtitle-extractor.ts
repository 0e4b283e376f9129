// The events of an image subtitle track (PGS, VobSub, DVB, XSUB) as bitmaps with their exact times.
//
// ffmpeg decodes the track itself: a bitmap subtitle stream given to a filter graph becomes video through
// ffmpeg's "sub2video", one frame each time what is shown changes (a new event, or a clear), stamped with
// the event's presentation time; `showinfo` prints each frame's time on stderr while the frames go out as
// raw RGBA on stdout. Each frame is composited on black here (luma x alpha): text comes out bright, its
// outline dark, as the OCR port expects, and only the box around the ink is kept. An event runs from its
// frame to the next frame (the clear or the next event); the times are relative to the container's start.
import type { BitmapEvent, BitmapTrack, ProbeResult } from "../media.port.js";
import type { MediaBinaries } from "./binaries.js";
import { AppError } from "../../errors/app-error.js";
import { frameReader, lineReader, runFfmpeg } from "./ffmpeg-child.js";
import { safeInputPath } from "./frame-decoder.js";

export interface ExtractBitmapsOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** events kept at most (a film has ~1,500); more is reported and cut */
  maxEvents?: number;
}

const MARGIN = 6;
/** a pixel is ink when its composited luma reaches this (of 255) */
const INK = 40;

export class BitmapExtractionError extends AppError {
  constructor(message: string) {
    super("MEDIA_TOOL_FAILED", message);
    this.name = "BitmapExtractionError";
  }
}

export function bitmapArgs(input: string, streamIndex: number, width: number, height: number): string[] {
  return [
    "-nostdin",
    "-hide_banner",
    "-nostats",
    "-copyts",
    "-i",
    input,
    "-filter_complex",
    `[0:${streamIndex}]scale=${width}:${height},format=rgba,showinfo,setpts=N[o]`,
    "-map",
    "[o]",
    "-vsync",
    "passthrough",
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgba",
    "pipe:1",
  ];
}

interface Composited {
  time: number;
  /** undefined: nothing shown (a clear) */
  ink?: Omit<BitmapEvent, "startTime" | "endTime">;
}

/** luma x alpha of an RGBA frame, cropped to the box around its ink */
export function compositeInk(rgba: Uint8Array, width: number, height: number): Composited["ink"] {
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  const grey = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < grey.length; i++, p += 4) {
    const a = rgba[p + 3]!;
    if (a === 0) continue;
    const v = Math.round(((0.299 * rgba[p]! + 0.587 * rgba[p + 1]! + 0.114 * rgba[p + 2]!) * a) / 255);
    grey[i] = v;
    if (v < INK) continue;
    const x = i % width;
    const y = (i - x) / width;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (maxX < 0) return undefined;
  const x = Math.max(0, minX - MARGIN);
  const y = Math.max(0, minY - MARGIN);
  const w = Math.min(width, maxX + MARGIN + 1) - x;
  const h = Math.min(height, maxY + MARGIN + 1) - y;
  const data = new Uint8Array(w * h);
  for (let row = 0; row < h; row++) data.set(grey.subarray((y + row) * width + x, (y + row) * width + x + w), row * w);
  return { x, y, width: w, height: h, data };
}

function sameInk(a: Composited["ink"], b: Composited["ink"]): boolean {
  if (!a || !b) return a === b;
  if (a.x !== b.x || a.y !== b.y || a.width !== b.width || a.height !== b.height) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/** frames in order → events: a frame with ink starts one, the next different frame ends it */
export function eventsFromFrames(frames: Composited[], trackEnd: number): BitmapTrack {
  const events: BitmapEvent[] = [];
  const warnings: string[] = [];
  let i = 0;
  while (i < frames.length) {
    const frame = frames[i]!;
    let j = i + 1;
    while (j < frames.length && sameInk(frames[j]!.ink, frame.ink)) j++;
    if (frame.ink) {
      const end = frames[j]?.time;
      if (end === undefined) warnings.push(`the track ends during the event at ${frame.time.toFixed(3)} s`);
      const endTime = Math.max(frame.time, end ?? trackEnd);
      if (endTime > frame.time) events.push({ startTime: frame.time, endTime, ...frame.ink });
    }
    i = j;
  }
  return { events, warnings };
}

/**
 * The bitmaps of image subtitle stream `streamIndex`, composited at the video's size, with their times
 * relative to `probe.startTime`.
 */
export function extractBitmapSubtitles(
  binaries: MediaBinaries,
  probe: Pick<ProbeResult, "path" | "duration" | "startTime" | "video">,
  streamIndex: number,
  opts: ExtractBitmapsOptions = {},
): Promise<BitmapTrack> {
  const input = safeInputPath(probe.path);
  const { width, height } = probe.video;
  if (!Number.isInteger(streamIndex) || streamIndex < 0)
    return Promise.reject(new BitmapExtractionError(`bad subtitle stream index ${streamIndex}`));
  if (!(width > 0 && height > 0 && width * height <= 4096 * 4096))
    return Promise.reject(new BitmapExtractionError(`no usable video size to draw subtitles on (${width}x${height})`));
  const maxEvents = opts.maxEvents ?? 20_000;
  const frameBytes = width * height * 4;
  const origin = Number.isFinite(probe.startTime) ? probe.startTime : 0;
  const timeoutMs = opts.timeoutMs ?? 3_600_000;

  const run = {
    signal: opts.signal,
    timeoutMs,
    timeoutError: () => new BitmapExtractionError(`reading subtitle bitmaps of ${probe.path} timed out`),
    abortError: () => {
      const error = new AppError("CANCELLED", "reading the image subtitle track was cancelled");
      error.name = "AbortError";
      return error;
    },
  };
  return runFfmpeg(binaries.ffmpeg, bitmapArgs(input, streamIndex, width, height), run, (child, finish) => {
    const times: number[] = [];
    const frames: Composited[] = [];
    const decodeErrors: string[] = [];
    let lastStderr = "";
    child.stdout.on(
      "data",
      frameReader(frameBytes, (frame) => {
        if (frames.length < maxEvents * 2)
          frames.push({ time: frames.length, ink: compositeInk(frame, width, height) });
      }),
    );
    child.stderr.on(
      "data",
      lineReader((line) => {
        const time = /Parsed_showinfo.* pts_time:\s*(-?[\d.]+)/.exec(line);
        if (time) times.push(Number(time[1]));
        else if (/error|invalid/i.test(line) && decodeErrors.length < 1000) decodeErrors.push(line.trim());
        if (line.trim() !== "") lastStderr = line.trim();
      }),
    );
    child.on("error", (e) => finish(new BitmapExtractionError(`cannot run ffmpeg: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) finish();
      else finish(new BitmapExtractionError(`ffmpeg could not decode subtitle stream ${streamIndex}: ${lastStderr}`));
    });
    return () => {
      frames.forEach((f, i) => (f.time = round3((times[i] ?? f.time) - origin)));
      const track = eventsFromFrames(frames, probe.duration);
      if (decodeErrors.length > 0)
        track.warnings.push(`${decodeErrors.length} subtitle packets could not be decoded (${decodeErrors[0]})`);
      if (frames.length >= maxEvents * 2) track.warnings.push(`more than ${maxEvents} events: the rest were not read`);
      return track;
    };
  });
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
