// Media inputs are local files only. ffmpeg would otherwise accept URLs and protocols (http:, concat:,
// subfile:, pipe:) and a name beginning with "-" as an option; an absolute path avoids both.
import { stat } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors/app-error.js";

const PROTOCOL = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const WINDOWS_DRIVE = /^[a-zA-Z]:[\\/]/;

/** The absolute path of a local file name; refuses URLs, protocols and names with control characters. */
export function localPath(input: string, verb = "ingested"): string {
  if (!input || input.trim() === "" || /[\0\r\n]/.test(input))
    throw new AppError("BAD_INPUT", "no usable file path given");
  if (PROTOCOL.test(input) && !WINDOWS_DRIVE.test(input))
    throw new AppError("BAD_INPUT", `only local files can be ${verb}, not ${input}`);
  return path.resolve(input);
}

/** localPath, plus: the file exists, is a regular file and is not empty. */
export async function assertLocalFile(input: string): Promise<string> {
  const file = localPath(input);
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ELOOP") throw new AppError("BAD_INPUT", `${input} is a symbolic link loop`);
    return undefined;
  });
  if (!info) throw new AppError("NOT_FOUND", `no such file: ${input}`);
  if (info.isDirectory()) throw new AppError("BAD_INPUT", `${input} is a directory, not a media file`);
  if (!info.isFile()) throw new AppError("BAD_INPUT", `${input} is not a regular file`);
  if (info.size === 0) throw new AppError("EMPTY_FILE", `${input} is empty`);
  return file;
}
