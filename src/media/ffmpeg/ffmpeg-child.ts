// The child-process plumbing the streaming ffmpeg readers share (audio, subtitle band, bitmap subtitles): spawn
// with stdout and stderr piped, settle once, kill the child on any error, a time limit and cancellation; and
// cutting stdout into fixed-size frames and stderr into lines.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";

export type FfmpegChild = ChildProcessByStdio<null, Readable, Readable>;

/** Ends the run: with an error, the child is killed and the run rejects; without, it resolves. Only the first call counts. */
export type Finish = (error?: Error) => void;

export interface FfmpegRunOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  /** what a run that takes longer than timeoutMs rejects with */
  timeoutError: () => Error;
  /** what a cancelled run rejects with */
  abortError: () => Error;
}

/**
 * Runs ffmpeg with `args`. `wire` attaches the child's handlers (each calls `finish` when the run is over) and
 * returns what computes the result, called once, when the run ends without an error.
 */
export function runFfmpeg<T>(
  ffmpeg: string,
  args: string[],
  opts: FfmpegRunOptions,
  wire: (child: FfmpegChild, finish: Finish) => () => T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ["ignore", "pipe", "pipe"] });
    let settled = false;
    const finish: Finish = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      if (error) {
        child.kill("SIGKILL");
        reject(error);
        return;
      }
      try {
        resolve(result());
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    };
    const onAbort = () => finish(opts.abortError());
    const result = wire(child, finish);
    const timer = setTimeout(() => finish(opts.timeoutError()), opts.timeoutMs);
    opts.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Cuts a byte stream into frames of `frameBytes`; `onFrame` gets one reused buffer (copy what you keep). */
export function frameReader(frameBytes: number, onFrame: (frame: Uint8Array) => void): (chunk: Buffer) => void {
  // one frame buffer filled from the pipe's chunks (frames may be MBs, chunks 64 KB)
  const frame = new Uint8Array(frameBytes);
  let filled = 0;
  return (chunk) => {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled < frameBytes) break;
      filled = 0;
      onFrame(frame);
    }
  };
}

/** Splits a text stream into lines (\n, \r\n or \r); an unfinished last line waits for the next chunk. */
export function lineReader(onLine: (line: string) => void): (chunk: Buffer) => void {
  let rest = "";
  return (chunk) => {
    const lines = (rest + chunk.toString()).split(/\r?\n|\r/);
    rest = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  };
}
