// OCR of image subtitle tracks inside the subtitle stage: real ffmpeg, real spumux-rendered VobSub tracks,
// the real PP-OCR engine (wrapped only to count its calls) and an in-memory checkpoint store standing in
// for the clip row's checkpoints (the pipeline's store is exercised by the e2e ingest tests).
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FfmpegMediaTools } from "../../../src/media/ffmpeg/ffmpeg.media-tools.js";
import { collectTracks, ocrImageTracks, type StageCheckpoints } from "../../../src/ingest/subtitle.stage.js";
import { PpOcrEngine } from "../../../src/ocr/ppocr.engine.js";
import { readBitmapEvents } from "../../../src/ocr/image-subtitles.reader.js";
import type { OcrEngine } from "../../../src/ocr/ocr.port.js";
import { mulberry32 } from "../../../src/util/prng.js";
import { tempDir } from "../../fixtures/media.js";
import { cuesFromLines, ocrToolsMissing, testLines, vobSubClip } from "../../fixtures/ocr/ocr-fixtures.js";

const missing = ocrToolsMissing();
const media = new FfmpegMediaTools({ timeoutMs: 120_000 });
const real = new PpOcrEngine({ threads: 1 });
let reads = 0;
const counting: OcrEngine = {
  name: real.name,
  modelFor: (l) => real.modelFor(l),
  readLine: (i, l) => real.readLine(i, l),
  readLines: (i, l, o) => {
    reads++;
    return real.readLines(i, l, o);
  },
};
let dir: string;
let clip: string;

beforeAll(async () => {
  if (missing) return;
  dir = await tempDir();
  const lines = (await testLines("en", "tuning")).slice(30, 32);
  clip = await vobSubClip(dir, "two", 5, [
    { language: "eng", cues: cuesFromLines(lines) },
    { language: "ara", cues: cuesFromLines(lines) },
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)(
  `image subtitle tracks in the subtitle stage${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    it("reads each track once, resumes from its checkpoint, and reports a language it cannot read", async () => {
      const probe = await media.probe(clip);
      const tracks = await collectTracks(media, probe, []);
      expect(tracks.map((t) => [t.imageBased, t.skipped])).toEqual([
        [true, true],
        [true, true],
      ]);
      const saved = new Map<string, unknown>();
      const checkpoints: StageCheckpoints = {
        get: <T>(name: string) => Promise.resolve(saved.get(name) as T | undefined),
        save: (name, value) => Promise.resolve(void saved.set(name, structuredClone(value))),
      };
      const ocr = { engine: counting, confidenceFloor: 0.8, burnedIn: "off" as const };
      const first = await ocrImageTracks(media, probe, tracks, ocr, checkpoints);
      expect(first[0]).toMatchObject({ source: "IMAGE_OCR", language: "en", skipped: false });
      expect(first[0]!.cues).toHaveLength(2);
      expect(first[1]).toMatchObject({ source: "IMAGE_OCR", language: "ar", skipped: true, cues: [] });
      expect(first[1]!.warnings.join()).toMatch(/no OCR model reads language "ar"/);
      const readsAfterFirst = reads;
      expect(readsAfterFirst).toBe(2);

      const again = await ocrImageTracks(media, probe, tracks, ocr, checkpoints);
      expect(reads).toBe(readsAfterFirst);
      expect(again).toEqual(first);
    });

    it("drops and counts bitmaps of noise or nothing instead of storing garbage cues", async () => {
      const random = mulberry32(7);
      const noise = Uint8Array.from({ length: 300 * 40 }, () => (random() < 0.3 ? 255 : 0));
      const result = await readBitmapEvents(
        real,
        [
          { startTime: 1, endTime: 2, width: 300, height: 40, data: noise },
          { startTime: 3, endTime: 4, width: 2, height: 2, data: new Uint8Array(4) },
          { startTime: 5, endTime: 6, width: 200, height: 40, data: new Uint8Array(200 * 40) },
        ],
        { language: "en" },
      );
      expect(result.cues).toEqual([]);
      expect(result.dropped).toBe(3);
      expect(result.warnings.join()).toMatch(/3 of 3 events dropped/);
    });
  },
);
