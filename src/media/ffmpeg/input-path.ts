// Media inputs are local files only. ffmpeg would otherwise accept URLs and protocols (http:, concat:,
// subfile:, pipe:) and a name beginning with "-" as an option; an absolute path avoids both.
import { stat } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors/app-error.js";

const PROTOCOL = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

export async function assertLocalFile(input: string): Promise<string> {
  if (!input || input.trim() === "") throw new AppError("BAD_INPUT", "no file path given");
  if (PROTOCOL.test(input) && !/^[a-zA-Z]:[\\/]/.test(input)) {
    throw new AppError("BAD_INPUT", `only local files can be ingested, not ${input}`);
  }
  const file = path.resolve(input);
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new AppError("NOT_FOUND", `no such file: ${input}`);
  if (info.isDirectory()) throw new AppError("BAD_INPUT", `${input} is a directory, not a media file`);
  if (!info.isFile()) throw new AppError("BAD_INPUT", `${input} is not a regular file`);
  if (info.size === 0) throw new AppError("EMPTY_FILE", `${input} is empty`);
  return file;
}
