import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeKeyframeJpeg } from "../../../src/ingest/keyframes/keyframe-writer.js";
import { KeyframePicker } from "../../../src/ingest/keyframes/keyframe-picker.js";
import { solid, textured, W, H } from "./frames.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cinerag-kfw-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeKeyframeJpeg", () => {
  it("writes a JPEG that sharp reads back at the right size, leaving no temp file", async () => {
    const file = path.join(dir, "clip-1", "shot-00000.jpg"); // directory created on demand
    const res = await writeKeyframeJpeg(textured(), file, { quality: 80 });
    expect(res).toEqual({ width: W, height: H, bytes: (await stat(file)).size });
    const meta = await sharp(file).metadata();
    expect(meta.format).toBe("jpeg");
    expect(meta.width).toBe(W);
    expect(meta.height).toBe(H);
    expect(await readdir(path.dirname(file))).toEqual(["shot-00000.jpg"]);
  });

  it("keeps colours (a red frame decodes red) and accepts a picker's KeptFrame on a subarray", async () => {
    const picker = new KeyframePicker();
    const red = solid([255, 0, 0]);
    // a frame whose data is a view into a larger buffer
    const big = new Uint8Array(red.data.length + 64);
    big.set(red.data, 32);
    picker.offer({ ...red, data: big.subarray(32, 32 + red.data.length) });
    const kept = picker.take({ startFrame: 0, endFrame: 0 })!;
    const file = path.join(dir, "red.jpg");
    await writeKeyframeJpeg(kept, file);
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(W);
    expect(data[0]).toBeGreaterThan(240);
    expect(data[1]).toBeLessThan(15);
    expect(data[2]).toBeLessThan(15);
  });

  it("replaces an existing file atomically and cleans up after a failure", async () => {
    const file = path.join(dir, "replace.jpg");
    await writeFile(file, "old");
    await writeKeyframeJpeg(solid([0, 128, 255]), file);
    expect((await sharp(file).metadata()).format).toBe("jpeg");
    const before = (await readdir(dir)).sort();
    await expect(
      writeKeyframeJpeg(
        { index: 0, time: 0, width: W, height: H, data: new Uint8Array(10) },
        path.join(dir, "bad.jpg"),
      ),
    ).rejects.toThrow(RangeError);
    // a destination that is a directory: rename fails, the temp file must go
    await expect(writeKeyframeJpeg(solid([1, 2, 3]), dir)).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(before);
    expect((await readdir(path.dirname(dir))).filter((f) => f.startsWith(`.${path.basename(dir)}`))).toEqual([]);
  });
});
