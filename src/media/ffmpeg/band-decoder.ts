// The lower band of every frame of the main video stream as 8-bit grey, for burned-in subtitles: one ffmpeg
// process crops and scales (so only the band crosses the pipe), `showinfo` gives each frame's time on
// stderr (matched by index), `-copyts` and the probe's start time make the times relative to the container.
import type { BandDecodeOptions, ProbeResult } from "../media.port.js";
import type { MediaBinaries } from "./binaries.js";
import { AppError } from "../../errors/app-error.js";
import { frameReader, lineReader, runFfmpeg } from "./ffmpeg-child.js";
import { localPath } from "./input-path.js";

const even = (v: number) => Math.max(2, Math.round(v / 2) * 2);

export function bandSize(video: { width: number; height: number }, width: number, band: number) {
  const w = even(Math.min(width, video.width));
  return { width: w, height: even(((w * video.height) / video.width) * band) };
}

/**
 * The crop of the band in whole source pixels: even and at least 2 rows (a frame of 1 row: that row). A
 * fraction of `ih` rounds to 0 rows on a tiny frame (2x2: 0.6), and ffmpeg then refuses the filter graph.
 */
export function bandCrop(video: { width: number; height: number }, band: number): { height: number; y: number } {
  const height = Math.max(1, Math.min(video.height, even(Math.floor(video.height * band))));
  return { height, y: Math.max(0, video.height - height) };
}

/** The band's geometry: its output size and the crop of the source that it is scaled from. */
export interface BandGeometry {
  size: { width: number; height: number };
  crop: { height: number; y: number };
}

export function bandGeometry(video: { width: number; height: number }, width: number, share: number): BandGeometry {
  if (!(share > 0 && share <= 1)) throw new AppError("BAD_INPUT", `bad band ${share}`);
  return { size: bandSize(video, width, share), crop: bandCrop(video, share) };
}

/** The band's filter chain: its crop, scaled, grey, with showinfo for the times (both decoders use it). */
export function bandFilter(band: BandGeometry): string {
  return `crop=iw:${band.crop.height}:0:${band.crop.y},scale=${band.size.width}:${band.size.height}:flags=area,format=gray,showinfo`;
}

export async function decodeBand(
  binaries: MediaBinaries,
  probe: Pick<ProbeResult, "path" | "startTime" | "video">,
  opts: BandDecodeOptions & { timeoutMs?: number },
): Promise<void> {
  const input = localPath(probe.path, "decoded");
  const geometry = bandGeometry(probe.video, opts.width, opts.band); // async: a bad band is a rejection
  const size = geometry.size;
  const frameBytes = size.width * size.height;
  const origin = Number.isFinite(probe.startTime) ? probe.startTime : 0;
  const filter = bandFilter(geometry);
  const args = ["-nostdin", "-hide_banner", "-nostats", "-copyts", "-i", input, "-map", `0:${probe.video.streamIndex}`];
  args.push("-an", "-sn", "-dn", "-vf", filter, "-vsync", "0", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1");
  const run = {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 6 * 3_600_000,
    timeoutError: () => new AppError("TIMEOUT", `decoding ${probe.path} timed out`),
    abortError: () => {
      const error = new AppError("CANCELLED", "decoding the subtitle band was cancelled");
      error.name = "AbortError";
      return error;
    },
  };
  return runFfmpeg(binaries.ffmpeg, args, run, (child, finish) => {
    const times: number[] = [];
    const waiting: Uint8Array[] = [];
    let index = 0;
    let lastStderr = "";
    const deliver = () => {
      while (waiting.length > 0 && times.length > index) {
        const data = waiting.shift()!;
        try {
          opts.onFrame({ index, time: Math.round((times[index]! - origin) * 1000) / 1000, ...size, data });
        } catch (error) {
          finish(error as Error);
          return;
        }
        index++;
      }
    };
    const readFrames = frameReader(frameBytes, (frame) => waiting.push(frame.slice()));
    child.stdout.on("data", (chunk: Buffer) => {
      readFrames(chunk);
      deliver();
      // stderr lagging far behind: stop reading frames until their times arrive
      if (waiting.length > 64) child.stdout.pause();
    });
    const readLines = lineReader((line) => {
      const m = /Parsed_showinfo.*\bn:\s*\d+\s+pts:\s*\S+\s+pts_time:\s*(-?[\d.]+)/.exec(line);
      if (m) times.push(Number(m[1]));
      else if (line.trim() !== "") lastStderr = line.trim();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      readLines(chunk);
      deliver();
      if (waiting.length <= 64) child.stdout.resume();
    });
    child.on("error", (e) => finish(new AppError("MEDIA_TOOL_FAILED", `cannot run ffmpeg: ${e.message}`)));
    child.on("close", (code) => {
      deliver();
      if (code === 0) finish();
      else
        finish(
          new AppError("MEDIA_TOOL_FAILED", `ffmpeg could not decode ${probe.path} (exit ${code}): ${lastStderr}`),
        );
    });
    return () => undefined;
  });
}
