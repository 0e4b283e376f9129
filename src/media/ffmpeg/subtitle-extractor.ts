// Pulls one embedded text subtitle stream out of a media file as SRT, ASS or WebVTT text.
//
// Timing: cue times come out relative to the container's start (ProbeResult.startTime), the origin
// every stored time uses. ffmpeg 4.1 already subtracts the format start_time by default, but we do not
// rely on its idea of the start: `-copyts` keeps the stream's own timestamps and `-output_ts_offset
// -startTime` subtracts the probe's value explicitly (measured with 4.1 on an MKV starting at 5 s: both
// give 1.000 for a cue at pts 6.000; with `-copyts` alone it is 6.000).
//
// The "+21 ms" seen on MKV files made by ffmpeg is not added here: the Matroska muxer shifts every
// stream by the AAC encoder's priming delay (1024 samples at 48 kHz = 21.3 ms) when the file is
// written, so the file itself stores the cue at +21 ms and the video's first frame at 0.021 s.
// Relative to the container's start the times agree with the video frames.
import { PassThrough } from "node:stream";
import { basename, isAbsolute } from "node:path";
import ffmpeg from "fluent-ffmpeg";
import type { ExtractedSubtitle } from "../media.port.js";
import type { MediaBinaries } from "./binaries.js";
import { AppError } from "../../errors/app-error.js";

export interface ExtractSubtitleOptions {
  signal?: AbortSignal;
  /** kill ffmpeg after this long; default 120 s */
  timeoutMs?: number;
  /** kill ffmpeg and refuse once its output passes this many bytes (CINERAG_SUBTITLE_MAX_BYTES) */
  maxBytes?: number;
}

/** Subtitle codecs that are pictures, not text: nothing to extract. */
export const IMAGE_SUBTITLE_CODECS: ReadonlySet<string> = new Set([
  "hdmv_pgs_subtitle",
  "pgssub",
  "dvd_subtitle",
  "dvb_subtitle",
  "xsub",
  "dvb_teletext",
]);

/** What we ask ffmpeg to convert a codec to: ASS keeps ASS/SSA's Name field and styles, WebVTT its voices. */
export function subtitleOutputFor(codec: string): {
  format: ExtractedSubtitle["format"];
  encoder: string;
  muxer: string;
} {
  const c = codec.toLowerCase();
  // no ffmpeg build decodes TTML: its documents are copied out as they are (one per sample)
  if (c === "ttml") return { format: "ttml", encoder: "copy", muxer: "data" };
  if (c === "ass" || c === "ssa") return { format: "ass", encoder: "ass", muxer: "ass" };
  if (c === "webvtt") return { format: "vtt", encoder: "webvtt", muxer: "webvtt" };
  return { format: "srt", encoder: "srt", muxer: "srt" };
}

export class SubtitleExtractionError extends AppError {
  constructor(message: string) {
    super("MEDIA_TOOL_FAILED", message);
    this.name = "SubtitleExtractionError";
  }
}

function lastMeaningfulLine(stderr: string | null | undefined, fallback: string): string {
  const lines = (stderr ?? "")
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter(
      (l) =>
        l !== "" &&
        !/^(?:ffmpeg version|built with|configuration:|lib\w+\s+\d|Input #|Output #|Stream #|Metadata:|Duration:|Press \[q\])/.test(
          l,
        ),
    );
  return lines[lines.length - 1] ?? fallback.split("\n")[0] ?? "unknown error";
}

/**
 * Extracts embedded subtitle stream `streamIndex` (the absolute stream index, as in `-map 0:<index>`)
 * of codec `codec` from `input.path` (an absolute path), with cue times relative to `input.startTime`.
 */
export function extractSubtitle(
  binaries: MediaBinaries,
  input: { path: string; startTime: number },
  streamIndex: number,
  codec: string,
  opts: ExtractSubtitleOptions = {},
): Promise<ExtractedSubtitle> {
  const name = basename(input.path);
  const what = `subtitle stream ${streamIndex} (${codec}) of ${name}`;
  if (!isAbsolute(input.path))
    return Promise.reject(
      new SubtitleExtractionError(`cannot extract ${what}: the path must be absolute: ${input.path}`),
    );
  if (!Number.isInteger(streamIndex) || streamIndex < 0)
    return Promise.reject(new SubtitleExtractionError(`cannot extract ${what}: bad stream index`));
  if (IMAGE_SUBTITLE_CODECS.has(codec.toLowerCase())) {
    return Promise.reject(new SubtitleExtractionError(`cannot extract ${what}: image-based subtitles carry no text`));
  }
  if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal, what));

  const out = subtitleOutputFor(codec);
  const startTime = Number.isFinite(input.startTime) ? input.startTime : 0;
  const outputOptions = ["-map", `0:${streamIndex}`, "-c:s", out.encoder];
  if (startTime !== 0) outputOptions.push("-output_ts_offset", (-startTime).toFixed(6));
  const timeoutMs = opts.timeoutMs ?? 120_000;

  return new Promise<ExtractedSubtitle>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    let size = 0;
    sink.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (opts.maxBytes !== undefined && size > opts.maxBytes) {
        kill();
        finish(
          new SubtitleExtractionError(
            `${what} is over the ${opts.maxBytes}-byte limit (CINERAG_SUBTITLE_MAX_BYTES): not read`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    let settled = false;
    const command = ffmpeg(input.path)
      .setFfmpegPath(binaries.ffmpeg)
      .inputOptions(["-nostdin", "-copyts"])
      .outputOptions(outputOptions)
      .format(out.muxer);

    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else
        resolve({
          format: out.format,
          text: Buffer.concat(chunks)
            .toString("utf8")
            .replace(/^\uFEFF/, ""),
        });
    };
    let killed = false;
    // fluent-ffmpeg spawns after probing its capabilities: a kill before then must wait for the spawn
    command.on("start", () => {
      if (killed) command.kill("SIGKILL");
    });
    const kill = () => {
      killed = true;
      try {
        command.kill("SIGKILL");
      } catch {
        // not started or already gone
      }
    };
    const onAbort = () => {
      kill();
      finish(abortError(opts.signal, what));
    };
    const timer = setTimeout(() => {
      kill();
      finish(new SubtitleExtractionError(`extracting ${what} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    opts.signal?.addEventListener("abort", onAbort, { once: true });

    command.on("error", (error: Error, _stdout: string | null, stderr: string | null) => {
      finish(
        new SubtitleExtractionError(`ffmpeg could not extract ${what}: ${lastMeaningfulLine(stderr, error.message)}`),
      );
    });
    // resolve when the output is complete: after ffmpeg exits and the pipe has drained
    let ended = false;
    let drained = false;
    const maybeDone = () => {
      if (ended && drained) finish();
    };
    command.on("end", () => {
      ended = true;
      maybeDone();
    });
    sink.on("end", () => {
      drained = true;
      maybeDone();
    });
    command.pipe(sink, { end: true });
  });
}

function abortError(signal: AbortSignal | undefined, what: string): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name !== "AbortError") return reason;
  const error = new SubtitleExtractionError(`extracting ${what} was aborted`);
  error.name = "AbortError";
  return error;
}
