// One decode pass of a clip's main video stream: downscaled packed RGB24 frames with presentation
// timestamps, streamed from a single ffmpeg process; optionally, from the same decode, the lower band of
// every frame as grey (burned-in subtitles), so that a clip is decoded once, not once per reader.
//
// Timestamps: frame numbers are not times on variable-frame-rate files, so every frame's PTS comes
// from the `showinfo` filter (stderr, `n:` and `pts_time:`), matched by index to the raw frames on
// stdout. The two pipes are read independently and either may lead: frames wait (bounded) for
// their time, times wait for their frame. `-copyts` keeps the stream's own timestamps (ffmpeg would
// otherwise shift them by its own idea of the start) and we subtract `probe.startTime` ourselves;
// `-vsync 0` passes frames through without duplicating or dropping any. The band is a second output of
// the same filter graph (`split`), written to fd 3 with its own `showinfo`, told apart by its filter name.
//
// Resources: stdout is paused while enough decoded frames wait for the consumer, so a slow consumer
// stalls ffmpeg instead of growing memory (the band output then stalls with it: one decode feeds
// both). The child is SIGKILLed on abort, on the time limit, on error and when the consumer stops
// early (the generator's `finally`), and we wait for its exit there, so no process outlives the
// iteration. Spawned directly (not through fluent-ffmpeg): one process, no capability probing first.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Readable } from "node:stream";
import type { BandFrame, DecodeOptions, Frame, ProbeResult } from "../media.port.js";
import type { MediaBinaries } from "./binaries.js";
import { AppError } from "../../errors/app-error.js";
import { localPath } from "./input-path.js";
import { bandFilter, bandGeometry, type BandGeometry } from "./band-decoder.js";
import { frameReader, lineReader } from "./ffmpeg-child.js";

export type DecodeInput = Pick<ProbeResult, "path" | "startTime" | "video">;
export type FrameDecodeOptions = DecodeOptions & { timeoutMs?: number };

const SHOWINFO = /\[Parsed_showinfo_(\d+) .*\bn:\s*(\d+)\s+pts:\s*(\S+)\s+pts_time:\s*(\S+)/;
/** decoded frames held before stdout is paused: enough to absorb stderr lagging behind stdout */
const MAX_READY = 4;
/** frames waiting for their showinfo line before we give up on pausing (stderr should never lag more) */
const MAX_UNTIMED = 64;
/** the filters' places in the graphs below: `Parsed_showinfo_<place>` names each one's lines */
const FRAME_SHOWINFO = 1;
const SPLIT_FRAME_SHOWINFO = 2;
const SPLIT_BAND_SHOWINFO = 6;
const KILL_WAIT_MS = 5_000;

export class FrameDecodeError extends AppError {}

/** Refuses URLs and protocols; makes the path absolute so a leading "-" can never read as an option. */
export function safeInputPath(input: string): string {
  return localPath(input, "decoded");
}

/**
 * Output size: the frame fitted, aspect ratio kept, into a box `width` wide and twice as tall (so portrait
 * video keeps the full width), both sides even and at least 2. Fitting the width alone turned a 16x4000
 * clip into 320x80000 frames (1.86 GB, and a JPEG too large to write).
 */
export function outputSize(video: DecodeInput["video"], width: number): { width: number; height: number } {
  if (!Number.isFinite(width) || width < 2) throw new FrameDecodeError("BAD_INPUT", `bad decode width ${width}`);
  if (!(video.width > 0 && video.height > 0))
    throw new FrameDecodeError("NO_VIDEO_STREAM", "the video stream has no size");
  const even = (v: number) => Math.max(2, Math.round(v / 2) * 2);
  const w = even(width);
  const h = (w * video.height) / video.width;
  if (h <= 2 * width) return { width: w, height: even(h) };
  // taller than the box: the height bounds it
  const boxHeight = even(2 * width);
  return { width: even((boxHeight * video.width) / video.height), height: boxHeight };
}

export function ffmpegArgs(streamIndex: number, size: { width: number; height: number }) {
  return {
    input: ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "info", "-copyts"],
    output: [
      "-map",
      `0:${streamIndex}`,
      "-an",
      "-sn",
      "-dn",
      "-vf",
      `scale=${size.width}:${size.height}:flags=area,showinfo`,
      "-vsync",
      "0",
      "-pix_fmt",
      "rgb24",
      "-f",
      "rawvideo",
      "pipe:1",
    ],
  };
}

/**
 * Frames and band from one decode: `split` feeds the frame chain (as in ffmpegArgs, to stdout) and the band
 * chain (as in band-decoder.ts, to fd 3). The filters' order fixes their `Parsed_showinfo_<n>` names.
 */
export function splitFfmpegArgs(streamIndex: number, size: { width: number; height: number }, band: BandGeometry) {
  const graph =
    `[0:${streamIndex}]split=2[f][b];` +
    `[f]scale=${size.width}:${size.height}:flags=area,showinfo[fo];` +
    `[b]${bandFilter(band)}[bo]`;
  const raw = (pixFmt: string, pipe: string) => ["-vsync", "0", "-pix_fmt", pixFmt, "-f", "rawvideo", pipe];
  return {
    input: ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "info", "-copyts"],
    output: [
      "-filter_complex",
      graph,
      "-map",
      "[fo]",
      ...raw("rgb24", "pipe:1"),
      "-map",
      "[bo]",
      ...raw("gray", "pipe:3"),
    ],
  };
}

/** Decodes `probe.path`'s video stream, frame by frame, in presentation order. */
export async function* decodeFrames(
  binaries: MediaBinaries,
  probe: DecodeInput,
  options: FrameDecodeOptions,
): AsyncGenerator<Frame, void, undefined> {
  const session = new DecodeSession(binaries, probe, options);
  try {
    for (;;) {
      const frame = await session.next();
      if (!frame) return;
      yield frame;
      session.release(frame);
    }
  } finally {
    await session.close();
  }
}

interface Waiter {
  resolve: (frame: Frame | undefined) => void;
  reject: (error: Error) => void;
}

class DecodeSession {
  private readonly size: { width: number; height: number };
  private readonly frameBytes: number;
  private readonly name: string;
  private readonly startTime: number;
  private readonly frameDuration: number;
  private readonly child: ChildProcess;
  private readonly stdout: Readable;
  private readonly signal?: AbortSignal;
  private readonly frameShowinfo: number;
  private readonly band?: BandOutput;
  private timer?: NodeJS.Timeout;

  /** buffers free for reuse (the consumer has returned from them) */
  private readonly pool: Uint8Array[] = [];
  /** the frame being filled from stdout */
  private filling?: Uint8Array;
  private filled = 0;
  /** complete frames (by index) waiting for a time, and times waiting for a frame */
  private readonly untimed: Uint8Array[] = [];
  private untimedBase = 0;
  private readonly times = new Map<number, number>();
  private readonly ready: Frame[] = [];
  private nextIndex = 0;
  private lastTime = Number.NaN;

  private readonly recentStderr: string[] = [];
  private waiter?: Waiter;
  private failure?: Error;
  private stdoutDone = false;
  private processDone = false;
  private exited = false;
  private readonly exitWaiters: Array<() => void> = [];
  private killRequested = false;

  constructor(binaries: MediaBinaries, probe: DecodeInput, options: FrameDecodeOptions) {
    const file = safeInputPath(probe.path);
    this.name = path.basename(file);
    this.size = outputSize(probe.video, options.width);
    this.frameBytes = this.size.width * this.size.height * 3;
    this.startTime = Number.isFinite(probe.startTime) ? probe.startTime : 0;
    this.frameDuration = probe.video.frameRate > 0 ? 1 / probe.video.frameRate : 1 / 25;
    this.signal = options.signal;
    if (options.signal?.aborted) throw this.abortError();
    const geometry = options.band ? bandGeometry(probe.video, options.band.width, options.band.band) : undefined;
    const args = geometry
      ? splitFfmpegArgs(probe.video.streamIndex, this.size, geometry)
      : ffmpegArgs(probe.video.streamIndex, this.size);
    this.frameShowinfo = geometry ? SPLIT_FRAME_SHOWINFO : FRAME_SHOWINFO;
    this.child = spawn(binaries.ffmpeg, [...args.input, "-i", file, ...args.output], {
      stdio: ["ignore", "pipe", "pipe", geometry ? "pipe" : "ignore"],
    });
    this.stdout = this.child.stdout!;
    if (options.band && geometry) {
      this.band = new BandOutput(geometry.size, this.startTime, options.band.onFrame, (e) => this.fail(e));
      this.child.stdio[3]!.on("data", (chunk: Buffer) => this.band!.onData(chunk));
    }
    this.wire(options.timeoutMs);
  }

  private wire(timeoutMs: number | undefined): void {
    const readLines = lineReader((line) => this.onStderr(line));
    this.child.stderr!.on("data", (chunk: Buffer) => readLines(chunk));
    this.child.on("error", (error: Error) => this.onProcessEnd(error));
    this.child.on("close", (code: number | null, signal: NodeJS.Signals | null) =>
      this.onProcessEnd(code === 0 ? undefined : new Error(`ffmpeg exited with ${code ?? signal}`)),
    );
    this.stdout.on("data", (chunk: Buffer) => this.onData(chunk));
    this.stdout.on("end", () => {
      this.stdoutDone = true;
      this.settle();
    });
    this.signal?.addEventListener("abort", this.onAbort, { once: true });
    if (timeoutMs && timeoutMs > 0) {
      this.timer = setTimeout(
        () => this.fail(new FrameDecodeError("TIMEOUT", `decoding ${this.name} timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
    }
  }

  private readonly onAbort = () => this.fail(this.abortError());

  private abortError(): Error {
    const reason: unknown = this.signal?.reason;
    if (reason instanceof Error && reason.name !== "AbortError") return reason;
    const error = new FrameDecodeError("CANCELLED", `decoding ${this.name} was aborted`);
    error.name = "AbortError";
    return error;
  }

  // ---- process side ----

  private kill(): void {
    this.killRequested = true;
    if (this.exited) return;
    try {
      this.child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }

  private onProcessEnd(error?: Error): void {
    // "error" (it could not be spawned) and then "close" may both come: the first one counts
    if (this.exited) return;
    this.exited = true;
    for (const wake of this.exitWaiters.splice(0)) wake();
    if (error && !this.killRequested) {
      this.fail(
        new FrameDecodeError(
          "MEDIA_TOOL_FAILED",
          `ffmpeg could not decode ${this.name}: ${this.lastMeaningfulLine(error.message)}`,
        ),
      );
      return;
    }
    this.band?.finish();
    this.processDone = true;
    this.settle();
  }

  private onStderr(line: string): void {
    const match = SHOWINFO.exec(line);
    if (match) {
      const n = Number(match[2]);
      const place = Number(match[1]);
      if (place === this.frameShowinfo) this.onShowinfo(n, match[4] ?? "");
      else if (place === SPLIT_BAND_SHOWINFO) this.band?.onShowinfo(n, match[4] ?? "");
      return;
    }
    const trimmed = line.trim();
    if (
      trimmed === "" ||
      /^(?:Input #|Output #|Stream #|Stream mapping|Metadata:|Duration:|Press \[q\]|\[Parsed_showinfo)/.test(trimmed)
    )
      return;
    this.recentStderr.push(trimmed);
    if (this.recentStderr.length > 8) this.recentStderr.shift();
  }

  private lastMeaningfulLine(fallback: string): string {
    const lines = this.recentStderr.filter(
      (l) =>
        !/^(?:\w+\s*:\s|Side data|Output file is empty|Conversion failed!?)$/.test(l) && !/^Conversion failed/.test(l),
    );
    const error = [...lines]
      .reverse()
      .find((l) =>
        /error|invalid|no such|not found|failed|unable|could not|does not|denied|unsupported|corrupt/i.test(l),
      );
    return (error ?? lines[lines.length - 1] ?? fallback.split("\n")[0] ?? "unknown error").slice(0, 300);
  }

  private onShowinfo(n: number, ptsTime: string): void {
    const t = Number(ptsTime);
    this.times.set(n, Number.isFinite(t) ? t : Number.NaN);
    this.matchFrames();
  }

  // ---- stdout side ----

  private onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      this.filling ??= this.pool.pop() ?? new Uint8Array(this.frameBytes);
      const take = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      this.filling.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameBytes) {
        this.untimed.push(this.filling);
        this.filling = undefined;
        this.filled = 0;
      }
    }
    this.matchFrames();
  }

  /** Pairs complete frames with their showinfo times, in index order. */
  private matchFrames(final = false): void {
    while (this.untimed.length > 0) {
      const index = this.untimedBase;
      const pts = this.times.get(index);
      if (pts === undefined && !final) break;
      this.times.delete(index);
      const data = this.untimed.shift() as Uint8Array;
      this.untimedBase++;
      this.ready.push({ index, time: this.timeOf(pts), width: this.size.width, height: this.size.height, data });
    }
    this.applyBackpressure();
    this.deliver();
  }

  /** PTS relative to the container start, to the millisecond; a missing PTS continues the last one. */
  private timeOf(pts: number | undefined): number {
    let t = pts !== undefined && Number.isFinite(pts) ? pts - this.startTime : this.lastTime + this.frameDuration;
    if (!Number.isFinite(t)) t = 0;
    this.lastTime = t;
    return Math.round(t * 1000) / 1000;
  }

  private applyBackpressure(): void {
    const waiting = this.ready.length + this.untimed.length;
    const full = this.ready.length >= MAX_READY || this.untimed.length >= MAX_UNTIMED;
    if (full && !this.stdout.isPaused()) this.stdout.pause();
    else if (!full && waiting < MAX_READY && this.stdout.isPaused()) this.stdout.resume();
  }

  // ---- consumer side ----

  next(): Promise<Frame | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    const frame = this.ready.shift();
    if (frame) {
      this.applyBackpressure();
      return Promise.resolve(frame);
    }
    if (this.finished()) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.applyBackpressure();
    });
  }

  /** The consumer has returned from `frame`: its buffer can take a later frame. */
  release(frame: Frame): void {
    if (frame.data.length === this.frameBytes && this.pool.length < MAX_READY) this.pool.push(frame.data);
  }

  private finished(): boolean {
    return this.stdoutDone && this.processDone && this.ready.length === 0 && this.untimed.length === 0;
  }

  private settle(): void {
    if (!this.stdoutDone || !this.processDone) return;
    this.matchFrames(true);
    if (this.finished()) this.deliver();
  }

  private deliver(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    if (this.failure) {
      this.waiter = undefined;
      waiter.reject(this.failure);
      return;
    }
    const frame = this.ready.shift();
    if (frame || this.finished()) {
      this.waiter = undefined;
      waiter.resolve(frame);
    }
  }

  private fail(error: Error): void {
    if (this.failure || this.finished()) return;
    this.failure = error;
    this.kill();
    this.deliver();
  }

  /** Stops ffmpeg if it still runs, waits for it to exit, and drops every listener and timer. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.signal?.removeEventListener("abort", this.onAbort);
    // drained before the wait: "close" comes only once every pipe has reached its end
    this.stdout.removeAllListeners("data");
    this.stdout.resume();
    if (!this.exited) {
      this.kill();
      await this.waitForExit();
    }
    this.ready.length = 0;
    this.untimed.length = 0;
    this.times.clear();
  }

  private waitForExit(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, KILL_WAIT_MS);
      this.exitWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * The band output (fd 3) of a split decode: grey frames cut from the pipe, each handed to `onFrame` with
 * its time as soon as both are known, in order (as band-decoder.ts does for a decode of its own). Stderr
 * never lags far behind: frames wait for their time without a bound of their own, as there.
 */
class BandOutput {
  private readonly waiting: Uint8Array[] = [];
  private readonly times: number[] = [];
  private index = 0;
  private failed = false;
  private readonly read: (chunk: Buffer) => void;

  constructor(
    private readonly size: { width: number; height: number },
    private readonly origin: number,
    private readonly onFrame: (frame: BandFrame) => void,
    private readonly fail: (error: Error) => void,
  ) {
    this.read = frameReader(size.width * size.height, (frame) => this.waiting.push(frame.slice()));
  }

  onData(chunk: Buffer): void {
    this.read(chunk);
    this.deliver();
  }

  onShowinfo(n: number, ptsTime: string): void {
    // times come in frame order; `n` only guards against a line from some other filter
    if (n !== this.times.length) return;
    this.times.push(Number(ptsTime));
    this.deliver();
  }

  finish(): void {
    this.deliver();
  }

  private deliver(): void {
    while (!this.failed && this.waiting.length > 0 && this.times.length > this.index) {
      const data = this.waiting.shift()!;
      const time = Math.round((this.times[this.index]! - this.origin) * 1000) / 1000;
      try {
        this.onFrame({ index: this.index, time, ...this.size, data });
      } catch (error) {
        this.failed = true;
        this.fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.index++;
    }
  }
}
