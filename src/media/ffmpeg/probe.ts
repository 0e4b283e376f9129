// ffprobe → ProbeResult. fluent-ffmpeg's ffprobe() offers no time limit or cancellation, so the probe
// runs ffprobe directly (arguments as an array, never a shell) with both.
import { execFile } from "node:child_process";
import { AppError } from "../../errors/app-error.js";
import type { ProbeResult, ProbedStream, StreamType } from "../media.port.js";
import { assertLocalFile } from "./input-path.js";
import { IMAGE_SUBTITLE_CODECS } from "./subtitle-extractor.js";

interface RawStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  codec_tag_string?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  start_time?: string;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
}

interface RawProbe {
  streams?: RawStream[];
  format?: { format_name?: string; duration?: string; start_time?: string; size?: string };
}

function rate(text: string | undefined): number {
  if (!text) return 0;
  const [num, den] = text.split("/").map(Number);
  if (!num || !den) return 0;
  return num / den;
}

function num(text: string | undefined): number | undefined {
  if (text === undefined || text === "N/A") return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Containers tag languages in ISO 639-2 ("eng", "chi"); we store BCP 47 ("en", "zh"), as sidecar names use. */
export function normaliseLanguage(tag: string | undefined): string | undefined {
  if (!tag || tag === "und") return undefined;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

function toStream(raw: RawStream): ProbedStream {
  // ffprobe has no TTML decoder and calls an MP4 `stpp` track an "unknown" data stream: it holds TTML
  const ttml = raw.codec_tag_string === "stpp" && (raw.codec_name ?? "unknown") === "unknown";
  const codec = ttml ? "ttml" : (raw.codec_name ?? "unknown");
  const type = ttml ? "subtitle" : ((raw.codec_type ?? "data") as StreamType);
  const tags = raw.tags ?? {};
  const language = tags.language ?? tags.LANGUAGE;
  return {
    index: raw.index,
    type,
    codec,
    language: normaliseLanguage(language),
    title: tags.title ?? tags.TITLE,
    imageBased: type === "subtitle" ? IMAGE_SUBTITLE_CODECS.has(codec) : undefined,
    isDefault: raw.disposition?.default === 1,
  };
}

function runFfprobe(ffprobe: string, file: string, timeoutMs: number, signal?: AbortSignal): Promise<RawProbe> {
  const args = ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-i", file];
  return new Promise((resolve, reject) => {
    execFile(
      ffprobe,
      args,
      { timeout: timeoutMs, signal, maxBuffer: 32 * 1024 * 1024, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        if (signal?.aborted) return reject(new AppError("CANCELLED", "probe cancelled"));
        if (error) {
          if ((error as { killed?: boolean }).killed)
            return reject(new AppError("TIMEOUT", `ffprobe timed out on ${file}`));
          const crash = (error as { signal?: string | null }).signal;
          if (crash) {
            // The static ffprobe shipped in npm was seen to crash (SIGSEGV) on MPEG-TS files.
            return reject(
              new AppError(
                "MEDIA_TOOL_FAILED",
                `ffprobe (${ffprobe}) crashed with ${crash} on ${file}: install ffmpeg on the system or set CINERAG_FFPROBE_PATH`,
              ),
            );
          }
          const reason = stderr.trim().split("\n").filter(Boolean).pop() ?? error.message;
          return reject(
            new AppError(
              "NOT_MEDIA",
              `not a media file that ffprobe can read: ${file} (${reason.replace(/^.*?: /, "")})`,
            ),
          );
        }
        try {
          resolve(JSON.parse(stdout) as RawProbe);
        } catch {
          reject(new AppError("NOT_MEDIA", `ffprobe gave unreadable output for ${file}`));
        }
      },
    );
  });
}

/**
 * The main video stream's packets (demux only, no decode) as [pts, duration] pairs, or undefined when
 * ffprobe cannot list them. `window`: ffprobe's -read_intervals, to read only part of the file.
 */
function videoPackets(
  ffprobe: string,
  file: string,
  timeoutMs: number,
  signal?: AbortSignal,
  window?: string,
): Promise<Array<[number, number]> | undefined> {
  const args = [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    ...(window ? ["-read_intervals", window] : []),
    "-show_entries",
    "packet=pts_time,duration_time",
    "-of",
    "csv=p=0",
    "-i",
    file,
  ];
  return new Promise((resolve) => {
    execFile(
      ffprobe,
      args,
      { timeout: timeoutMs, signal, maxBuffer: 512 * 1024 * 1024, killSignal: "SIGKILL" },
      (error, stdout) => {
        if (error) return resolve(undefined);
        const packets: Array<[number, number]> = [];
        for (const line of stdout.split("\n")) {
          const [pts, dur] = line.split(",").map(Number);
          if (line && pts !== undefined && Number.isFinite(pts)) packets.push([pts, Number.isFinite(dur) ? dur! : 0]);
        }
        resolve(packets);
      },
    );
  });
}

/** End of the last video packet: reads the whole file, so it is used sparingly. */
async function lastVideoPacketEnd(
  ffprobe: string,
  file: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number | undefined> {
  const packets = await videoPackets(ffprobe, file, timeoutMs, signal);
  // a reduce, not Math.max(...): a film has hundreds of thousands of packets
  return packets && packets.length > 0
    ? packets.reduce((end, [pts, dur]) => Math.max(end, pts + dur), -Infinity)
    : undefined;
}

/**
 * Whether the first few hundred video packets have different durations. Containers that keep no frame
 * count (Matroska, WebM) report the nominal rate as the average, so the header cannot tell; the packets can.
 */
async function packetsVary(ffprobe: string, file: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const packets = await videoPackets(ffprobe, file, Math.min(timeoutMs, 60_000), signal, "%+#300");
  const pts = (packets ?? []).map(([t]) => t).sort((a, b) => a - b);
  const deltas = pts
    .slice(1)
    .map((t, i) => t - pts[i]!)
    .filter((d) => d > 1e-6);
  if (deltas.length < 2) return false;
  const min = Math.min(...deltas);
  return Math.max(...deltas) > min * 1.1 + 0.0015;
}

/**
 * The duration relative to the container's start. Most demuxers report exactly that, but Matroska files
 * whose timestamps do not start at 0 (remuxed from broadcast captures, or written with an offset) report
 * the END timestamp as their duration: seen with a file starting at 5 s that reports 7 s for 2 s of video.
 * Only then (a late start in a Matroska file) the last packet is checked to tell the two apart.
 */
async function relativeDuration(
  ffprobe: string,
  file: string,
  format: string,
  start: number,
  reported: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number> {
  if (start < 0.5 || !format.includes("matroska") || reported <= start) return reported;
  const end = await lastVideoPacketEnd(ffprobe, file, timeoutMs, signal);
  return end !== undefined && Math.abs(end - reported) < 1 ? reported - start : reported;
}

/** Larger frames than any real film's, and shapes no decoder or picture format handles well. */
export const MAX_FRAME_SIDE = 16384;
export const MAX_ASPECT_RATIO = 256;

function assertSaneFrame(file: string, width: number, height: number): void {
  const aspect = Math.max(width, height) / Math.max(1, Math.min(width, height));
  if (width > MAX_FRAME_SIDE || height > MAX_FRAME_SIDE || aspect > MAX_ASPECT_RATIO)
    throw new AppError(
      "BAD_INPUT",
      `${file}: its video is ${width}x${height} pixels; frames larger than ${MAX_FRAME_SIDE} pixels a side or more than ${MAX_ASPECT_RATIO} times as long as wide are not supported`,
    );
}

/** A stream's own duration: ffprobe's field, or Matroska's DURATION tag ("00:00:20.000000000"). */
function streamDuration(stream: RawStream): number | undefined {
  const own = num(stream.duration);
  if (own !== undefined && own > 0) return Math.round(own * 1000) / 1000;
  const tag = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec((stream.tags?.DURATION ?? stream.tags?.duration ?? "").trim());
  if (!tag) return undefined;
  const seconds = Number(tag[1]) * 3600 + Number(tag[2]) * 60 + Number(tag[3]);
  return seconds > 0 ? Math.round(seconds * 1000) / 1000 : undefined;
}

export async function probeMedia(
  ffprobe: string,
  input: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const file = await assertLocalFile(input);
  const raw = await runFfprobe(ffprobe, file, timeoutMs, signal);
  const streams = (raw.streams ?? []).map(toStream);
  const rawVideo = (raw.streams ?? []).find(
    (s) => s.codec_type === "video" && (s.width ?? 0) > 0 && !s.disposition?.attached_pic,
  );
  if (!rawVideo) throw new AppError("NO_VIDEO_STREAM", `no video stream in ${file}`);
  assertSaneFrame(file, rawVideo.width ?? 0, rawVideo.height ?? 0);
  const startTime = num(raw.format?.start_time) ?? 0;
  const reported = num(raw.format?.duration) ?? num(rawVideo.duration);
  const duration =
    reported &&
    (await relativeDuration(ffprobe, file, raw.format?.format_name ?? "", startTime, reported, timeoutMs, signal));
  if (!duration || duration <= 0)
    throw new AppError("CORRUPT_MEDIA", `cannot tell the duration of ${file}: the file may be truncated or corrupt`);
  const avg = rate(rawVideo.avg_frame_rate);
  const real = rate(rawVideo.r_frame_rate);
  const frameRate = avg || real;
  if (!frameRate) throw new AppError("CORRUPT_MEDIA", `cannot tell the frame rate of ${file}`);
  // r_frame_rate is the lowest rate that represents every timestamp; when it disagrees with the average
  // the stream's frame durations vary, and frame numbers cannot be turned into times.
  const ratesDisagree = avg > 0 && real > 0 && Math.abs(avg - real) / real > 0.01;
  const variableFrameRate =
    ratesDisagree || (num(rawVideo.nb_frames) === undefined && (await packetsVary(ffprobe, file, timeoutMs, signal)));
  return {
    path: file,
    formatName: raw.format?.format_name ?? "unknown",
    sizeBytes: num(raw.format?.size) ?? 0,
    duration: Math.round(duration * 1000) / 1000,
    startTime,
    video: {
      streamIndex: rawVideo.index,
      width: rawVideo.width ?? 0,
      height: rawVideo.height ?? 0,
      frameRate: Math.round(frameRate * 1000) / 1000,
      variableFrameRate,
      frameCount: num(rawVideo.nb_frames),
      duration: streamDuration(rawVideo),
    },
    streams,
  };
}
