// One decode for frames and subtitle band (issue #16, ingest): `decodeFrames` with `band` must give exactly
// what the two separate decodes give (the frame decoder's frames, band-decoder.ts's band), byte for byte
// and time for time, with real ffmpeg on generated clips (a start offset and a variable frame rate included).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { decodeFrames } from "../../../src/media/ffmpeg/frame-decoder.js";
import { decodeBand } from "../../../src/media/ffmpeg/band-decoder.js";
import type { BandFrame, Frame } from "../../../src/media/media.port.js";
import { probeForTest, SHOT_BINARIES } from "../../fixtures/shot-clips.js";

const run = promisify(execFile);
let dir: string;
let offsetClip: string;
let vfrClip: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cinerag-split-"));
  offsetClip = path.join(dir, "offset.mp4");
  vfrClip = path.join(dir, "vfr.mkv");
  const x264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"];
  await run(SHOT_BINARIES.ffmpeg, [
    ...["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=2"],
    ...[...x264, "-output_ts_offset", "3", offsetClip],
  ]);
  // frames at uneven times: every frame's PTS is set by the expression, the container keeps them
  await run(SHOT_BINARIES.ffmpeg, [
    ...["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2,setpts='N/25/TB+if(gt(N,20),0.3/TB,0)'"],
    ...[...x264, "-vsync", "0", vfrClip],
  ]);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// pixels compared by digest: deep equality over megabytes of typed arrays is very slow in the matcher
const digest = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
const copyFrame = (f: Frame) => ({
  index: f.index,
  time: f.time,
  width: f.width,
  height: f.height,
  data: digest(f.data),
});
const copyBand = (f: BandFrame) => ({ ...f, data: digest(f.data) });
type Copied = ReturnType<typeof copyBand>;

async function both(file: string, width: number, bandWidth: number) {
  const probe = probeForTest(SHOT_BINARIES, file);
  const alone: ReturnType<typeof copyFrame>[] = [];
  for await (const f of decodeFrames(SHOT_BINARIES, probe, { width })) alone.push(copyFrame(f));
  const bandAlone: Copied[] = [];
  await decodeBand(SHOT_BINARIES, probe, { width: bandWidth, band: 0.3, onFrame: (f) => bandAlone.push(copyBand(f)) });
  const split: ReturnType<typeof copyFrame>[] = [];
  const bandSplit: Copied[] = [];
  const band = { width: bandWidth, band: 0.3, onFrame: (f: BandFrame) => bandSplit.push(copyBand(f)) };
  for await (const f of decodeFrames(SHOT_BINARIES, probe, { width, band })) split.push(copyFrame(f));
  return { alone, bandAlone, split, bandSplit };
}

it("gives the same frames and the same band as two separate decodes (start offset)", async () => {
  const r = await both(offsetClip, 320, 480);
  expect(r.alone).toHaveLength(50);
  expect(r.bandAlone).toHaveLength(50);
  expect(r.alone[0]!.time).toBe(0);
  expect(r.bandSplit[0]).toMatchObject({ width: 480, height: 82 });
  expect(r.split).toEqual(r.alone);
  expect(r.bandSplit).toEqual(r.bandAlone);
}, 60_000);

it("gives the same frames and band times on a variable-frame-rate clip", async () => {
  const r = await both(vfrClip, 160, 320);
  const times = r.alone.map((f) => f.time);
  // the jump of 0.3 s after frame 20 is in the times (not frame numbers)
  expect(times[21]! - times[20]!).toBeGreaterThan(0.25);
  expect(r.split).toEqual(r.alone);
  expect(r.bandSplit).toEqual(r.bandAlone);
  expect(r.bandSplit.map((f) => f.time)).toEqual(times);
}, 60_000);

it("fails the decode, with ffmpeg stopped, when the band's consumer throws", async () => {
  const probe = probeForTest(SHOT_BINARIES, offsetClip);
  const band = {
    width: 320,
    band: 0.3,
    onFrame: (f: BandFrame) => {
      if (f.index === 3) throw new Error("band consumer broke");
    },
  };
  const consume = async () => {
    for await (const _ of decodeFrames(SHOT_BINARIES, probe, { width: 160, band })) {
      // frames are read until the band's error ends the decode
    }
  };
  await expect(consume()).rejects.toThrow("band consumer broke");
}, 60_000);
