// Writes a keyframe (packed RGB24) as a JPEG, atomically: the JPEG is encoded in memory, written to a
// temporary name in the destination directory, flushed to disk, then renamed over the final name. A
// crash or an encoder error never leaves a half-written file under the final name (a stray
// `.<name>.<pid>.<random>.tmp` can survive a hard crash; it is never mistaken for a keyframe).
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import type { Frame } from "../../media/media.port.js";
import type { KeptFrame } from "./keyframe-picker.js";

export interface KeyframeWriteOptions {
  /** JPEG quality 1..100 (default 85) */
  quality?: number;
}

export interface WrittenKeyframe {
  width: number;
  height: number;
  /** size of the JPEG file */
  bytes: number;
}

export async function writeKeyframeJpeg(
  frame: Frame | KeptFrame,
  filePath: string,
  opts: KeyframeWriteOptions = {},
): Promise<WrittenKeyframe> {
  const { width, height, data } = frame;
  const size = width * height * 3;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`invalid frame size ${width}x${height}`);
  }
  if (data.length < size)
    throw new RangeError(`frame data has ${data.length} bytes, expected ${size} for ${width}x${height} RGB24`);
  const quality = Math.max(1, Math.min(100, Math.round(opts.quality ?? 85)));

  const jpeg = await sharp(Buffer.from(data.buffer, data.byteOffset, size), { raw: { width, height, channels: 3 } })
    .jpeg({ quality, mozjpeg: false, chromaSubsampling: "4:2:0" })
    .toBuffer();

  const dir = path.dirname(filePath);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(filePath)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(jpeg);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, filePath);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  return { width, height, bytes: jpeg.byteLength };
}
