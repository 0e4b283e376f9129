import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** SHA-256 of the file's bytes: the identity of a clip, whatever its name or location. */
export async function contentHash(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
