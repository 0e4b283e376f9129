// Burned-in runs are read while the frames still come (issue #16: the OCR overlaps the decode): RunReader
// starts a run's read as soon as BandRuns closes it, one read at a time, and readRuns takes the reads from
// it in order, giving the same cues as reading every run after the last frame. Synthetic bands (outlined
// strokes, what textCells looks for) and a recording engine stand in for the decoder and PP-OCR here: the
// real engine and decoder are exercised by test/integration/ingest/burned-in-one-decode.test.ts.
import { describe, expect, it } from "vitest";
import { BandRuns, readRuns, RunReader } from "../../../src/ocr/burned-in.reader.js";
import type { BandFrame } from "../../../src/media/media.port.js";
import type { OcrEngine, OcrLine } from "../../../src/ocr/ocr.port.js";
import type { ProbeResult } from "../../../src/media/media.port.js";
import { BandCollection } from "../../../src/ingest/subtitle.stage.js";

const W = 200;
const H = 40;
const FPS = 25;

/** a band with 8 outlined strokes starting at `offset` (text "A": 0, text "B": 8), or none */
function band(index: number, offset: number | undefined): BandFrame {
  const data = new Uint8Array(W * H).fill(100);
  if (offset !== undefined)
    for (let g = 0; g < 8; g++) {
      const x0 = 16 + offset + g * 20;
      for (let y = 7; y < 27; y++) for (let x = x0 - 3; x < x0 + 5; x++) data[y * W + x] = 0;
      for (let y = 10; y < 24; y++) for (let x = x0; x < x0 + 2; x++) data[y * W + x] = 250;
    }
  return { index, time: index / FPS, width: W, height: H, data };
}

/** 20 frames of "A", 5 blank, 20 of "B", 5 blank */
const script: Array<number | undefined> = [
  ...Array<number>(20).fill(0),
  ...Array<undefined>(5).fill(undefined),
  ...Array<number>(20).fill(8),
  ...Array<undefined>(5).fill(undefined),
];

const WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];

/** an engine that reads each image as the next word, noting how many frames had been pushed by then */
function recording(pushed: () => number) {
  const calls: Array<{ at: number; stopBelow: number | undefined }> = [];
  const engine: OcrEngine = {
    name: "recording",
    modelFor: () => ({ engine: "recording", model: "words" }),
    readLine: () => Promise.reject(new Error("not used")),
    readLines: (image, _language, options) => {
      calls.push({ at: pushed(), stopBelow: options?.stopBelow });
      const line: OcrLine = {
        text: WORDS[calls.length - 1]!,
        confidence: 0.95,
        box: { x: 0, y: 0, width: image.width, height: image.height },
      };
      return Promise.resolve([line]);
    },
  };
  return { engine, calls };
}

const opts = { language: undefined, confidenceFloor: 0.8 };
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("RunReader", () => {
  it("reads a run as soon as it closes, while later frames still come, with the floor as stopBelow", async () => {
    let pushed = 0;
    const { engine, calls } = recording(() => pushed);
    const reader = new RunReader(engine, opts);
    const runs = new BandRuns(reader.offer);
    for (const [i, offset] of script.entries()) {
      runs.push(band(i, offset));
      pushed++;
      await tick(); // frames arrive in ticks of their own, as from the decoder's pipe
    }
    const readDuringFrames = calls.length;
    const result = await readRuns(engine, runs.finish(script.length / FPS), { ...opts, reader });
    // "A" closes at frame 20: both its reads (raw crop, then fill) ran before frame 25, long before the end
    expect(readDuringFrames).toBeGreaterThanOrEqual(4);
    expect(calls[0]!.at).toBeLessThanOrEqual(22);
    expect(calls[1]!.at).toBeLessThan(script.length);
    expect(calls.every((c) => c.stopBelow === 0.8)).toBe(true);
    // each run read once (raw + fill): the reads taken from the reader were not repeated
    expect(calls).toHaveLength(4);
    expect(result.cues.map((c) => [c.text, c.startTime, c.endTime])).toEqual([
      ["bravo", 0, 0.8],
      ["delta", 1, 1.8],
    ]);
  });

  it("gives the cues that reading every run after the last frame gives", async () => {
    const streamed = recording(() => 0);
    const reader = new RunReader(streamed.engine, opts);
    const live = new BandRuns(reader.offer);
    const after = new BandRuns();
    for (const [i, offset] of script.entries()) {
      live.push(band(i, offset));
      after.push(band(i, offset));
      await tick();
    }
    const a = await readRuns(streamed.engine, live.finish(2), { ...opts, reader });
    const b = await readRuns(recording(() => 0).engine, after.finish(2), opts);
    expect(a).toEqual(b);
    expect(a.cues).toHaveLength(2);
  });

  it("reads a band collection's runs with the engine for reads during the decode, when there is one", async () => {
    const imageTracks = recording(() => 0);
    const duringDecode = recording(() => 0);
    const probe = { duration: 2 } as ProbeResult;
    const ocr = { engine: imageTracks.engine, duringDecode: duringDecode.engine, confidenceFloor: 0.8 };
    const collection = new BandCollection(probe, { ...ocr, burnedIn: "auto" });
    for (const [i, offset] of script.entries()) collection.band.onFrame(band(i, offset));
    const result = await readRuns(ocr.duringDecode, collection.runs.finish(2), { ...opts, reader: collection.reader });
    expect(result.cues).toHaveLength(2);
    expect(duringDecode.calls).toHaveLength(4);
    expect(imageTracks.calls).toHaveLength(0);
  });

  it("does not read an upright column of bright edges (a pole, a bar), however long it stays", async () => {
    const tall = (index: number): BandFrame => {
      const h = 120;
      const data = new Uint8Array(W * h).fill(100);
      for (let y = 5; y < 115; y++) for (let x = 97; x < 105; x++) data[y * W + x] = x >= 100 && x < 102 ? 250 : 0;
      return { index, time: index / FPS, width: W, height: h, data };
    };
    const { engine, calls } = recording(() => 0);
    const reader = new RunReader(engine, opts);
    const runs = new BandRuns(reader.offer);
    for (let i = 0; i < 30; i++) runs.push(tall(i));
    runs.push(band(30, undefined));
    const result = await readRuns(engine, runs.finish(2), { ...opts, reader });
    expect(result.skippedRuns).toBe(1);
    expect(result.runsRead).toBe(0);
    expect(calls).toHaveLength(0);
  });

  it("keeps a read that fails before readRuns asks for it, and readRuns rejects with it", async () => {
    const failing: OcrEngine = {
      name: "failing",
      modelFor: () => ({ engine: "failing", model: "none" }),
      readLine: () => Promise.reject(new Error("not used")),
      readLines: () => Promise.reject(new Error("the OCR worker stopped: exit 3")),
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const reader = new RunReader(failing, opts);
      const runs = new BandRuns(reader.offer);
      for (const [i, offset] of script.entries()) runs.push(band(i, offset));
      for (let i = 0; i < 5; i++) await tick(); // the reads have failed by now
      await expect(readRuns(failing, runs.finish(2), { ...opts, reader })).rejects.toThrow(/exit 3/);
      await tick();
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
