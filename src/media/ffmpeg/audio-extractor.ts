// Audio for speech recognition: one audio stream decoded by ffmpeg to 16 kHz mono 32-bit float PCM
// (f32le) on stdout. Same safety as the other ffmpeg calls: an argument array (no shell), a local
// absolute input path (never an option or a URL), a time limit, SIGKILL on abort or timeout, and a
// bounded output (the expected size of the window plus slack).
import type { ExtractAudioOptions, ProbeResult } from "../media.port.js";
import type { MediaBinaries } from "./binaries.js";
import { AppError } from "../../errors/app-error.js";
import { runFfmpeg } from "./ffmpeg-child.js";
import { safeInputPath } from "./frame-decoder.js";

export const ASR_SAMPLE_RATE = 16_000;

export class AudioExtractionError extends AppError {
  constructor(message: string) {
    super("MEDIA_TOOL_FAILED", message);
    this.name = "AudioExtractionError";
  }
}

export function audioArgs(
  input: string,
  streamIndex: number,
  opts: { start?: number; duration?: number; sampleRate?: number },
): string[] {
  const args = ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "error"];
  if (opts.start !== undefined && opts.start > 0) args.push("-ss", opts.start.toFixed(3));
  args.push("-i", input);
  if (opts.duration !== undefined) args.push("-t", opts.duration.toFixed(3));
  args.push(
    "-map",
    `0:${streamIndex}`,
    "-vn",
    "-sn",
    "-dn",
    "-ac",
    "1",
    "-ar",
    String(opts.sampleRate ?? ASR_SAMPLE_RATE),
    "-c:a",
    "pcm_f32le",
    "-f",
    "f32le",
    "pipe:1",
  );
  return args;
}

export function extractAudio(
  binaries: MediaBinaries,
  probe: Pick<ProbeResult, "path" | "duration" | "streams">,
  opts: ExtractAudioOptions & { timeoutMs?: number } = {},
): Promise<Float32Array> {
  const input = safeInputPath(probe.path);
  const stream = opts.streamIndex ?? probe.streams.find((s) => s.type === "audio")?.index;
  if (stream === undefined || !Number.isInteger(stream) || stream < 0)
    return Promise.reject(new AudioExtractionError(`no audio stream to extract in ${probe.path}`));
  for (const [name, v] of [
    ["start", opts.start],
    ["duration", opts.duration],
  ] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0))
      return Promise.reject(new AudioExtractionError(`bad audio ${name}: ${v}`));
  }
  if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));
  const rate = opts.sampleRate ?? ASR_SAMPLE_RATE;
  const seconds = opts.duration ?? Math.max(0, probe.duration - (opts.start ?? 0));
  const maxBytes = Math.ceil((seconds + 5) * rate * 4 * 1.05);
  const timeoutMs = opts.timeoutMs ?? 600_000;

  const run = {
    signal: opts.signal,
    timeoutMs,
    timeoutError: () => new AudioExtractionError(`extracting audio from ${probe.path} timed out after ${timeoutMs} ms`),
    abortError: () => abortError(opts.signal),
  };
  return runFfmpeg(binaries.ffmpeg, audioArgs(input, stream, { ...opts, sampleRate: rate }), run, (child, finish) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      bytes += c.byteLength;
      if (bytes > maxBytes)
        finish(new AudioExtractionError(`ffmpeg produced more audio than expected from ${probe.path}`));
      else chunks.push(c);
    });
    child.stderr.on("data", (c: Buffer) => {
      if (stderr.length < 8192) stderr += c.toString();
    });
    child.on("error", (e) => finish(new AudioExtractionError(`cannot run ffmpeg: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) finish();
      else
        finish(
          new AudioExtractionError(
            `ffmpeg could not extract audio from ${probe.path}: ${stderr.trim().split("\n").pop() ?? `exit ${code}`}`,
          ),
        );
    });
    return () => {
      const all = Buffer.concat(chunks, bytes);
      const usable = all.byteLength - (all.byteLength % 4);
      const copy = new Uint8Array(usable);
      copy.set(all.subarray(0, usable));
      return new Float32Array(copy.buffer);
    };
  });
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name !== "AbortError") return reason;
  const error = new AppError("CANCELLED", "audio extraction was cancelled");
  error.name = "AbortError";
  return error;
}
