// Reads a subtitle file's bytes safely: the real path (symlinks resolved) must lie inside the read scope
// (the media roots, for files read on behalf of an API request), only a regular file is read (a FIFO
// or device would block or never end), the size is checked before reading, and the read stops at the
// limit and at an abort. A symlink swapped in after the check is not followed (O_NOFOLLOW on the real path).
import { constants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import { resolve } from "node:path";
import { AppError } from "../../errors/app-error.js";
import { SubtitleFileError } from "./subtitle-file.error.js";
import { tooManyBytes, type SubtitleLimits } from "./limits.js";

/** Where files may be read from: MediaRootGuard fits (its resolve returns the real path or throws). */
export interface SubtitleReadScope {
  resolve(path: string, what?: string): Promise<string>;
}

const CHUNK = 1024 * 1024;
/** the MPEG-PS pack header a VobSub `.sub` starts with */
const VOBSUB_MAGIC = [0x00, 0x00, 0x01, 0xba];

export interface ReadSubtitleOptions {
  limits: SubtitleLimits;
  scope?: SubtitleReadScope;
  signal?: AbortSignal;
}

/** The real path of `path`, with a one-line refusal naming what is wrong (missing, a loop, no access). */
export async function realSubtitlePath(path: string, scope?: SubtitleReadScope): Promise<string> {
  // the scope resolves the path itself, so its refusal names the path given, never a link's target
  if (scope) return scope.resolve(resolve(path), "subtitle file");
  try {
    return await realpath(path);
  } catch (error) {
    throw fsError(path, error);
  }
}

export async function readSubtitleBytes(path: string, options: ReadSubtitleOptions): Promise<Buffer> {
  options.signal?.throwIfAborted();
  const real = await realSubtitlePath(path, options.scope);
  let handle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    throw fsError(path, error);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new SubtitleFileError(`not a subtitle file (a directory): ${path}`);
    if (!info.isFile()) throw new SubtitleFileError(`not a regular file (a FIFO, socket or device): ${path}`);
    if (info.size === 0) throw new SubtitleFileError(`subtitle file is empty: ${path}`);
    const head = Buffer.alloc(Math.min(4, info.size));
    await handle.read(head, 0, head.length, 0);
    if (VOBSUB_MAGIC.every((b, i) => head[i] === b))
      throw new SubtitleFileError(`image-based VobSub subtitles (read with their .idx as pictures), not text: ${path}`);
    if (info.size > options.limits.maxFileBytes) throw tooManyBytes(`subtitle file ${path}`, info.size, options.limits);
    return await readBounded(handle, info.size, path, options);
  } finally {
    await handle.close();
  }
}

async function readBounded(
  handle: Awaited<ReturnType<typeof open>>,
  size: number,
  path: string,
  options: ReadSubtitleOptions,
): Promise<Buffer> {
  // The file may grow after the stat: never read past the limit.
  const max = options.limits.maxFileBytes;
  const buffer = Buffer.alloc(Math.min(size, max) + 1);
  let filled = 0;
  while (filled < buffer.length) {
    options.signal?.throwIfAborted();
    const { bytesRead } = await handle.read(buffer, filled, Math.min(CHUNK, buffer.length - filled), filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  if (filled > max) throw tooManyBytes(`subtitle file ${path}`, filled, options.limits);
  return buffer.subarray(0, filled);
}

function fsError(path: string, error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return new SubtitleFileError(`subtitle file not found: ${path}`);
    case "ELOOP":
      return new SubtitleFileError(`subtitle file is a symbolic link loop: ${path}`);
    case "ENOTDIR":
      return new SubtitleFileError(`subtitle file not found (a part of the path is not a folder): ${path}`);
    case "EACCES":
    case "EPERM":
      return new SubtitleFileError(`no permission to read subtitle file: ${path}`);
    case "ENAMETOOLONG":
      return new SubtitleFileError(`subtitle file name too long: ${path.slice(0, 200)}…`);
    default:
      return new SubtitleFileError(`cannot read subtitle file ${path} (${code ?? "unknown error"})`);
  }
}
