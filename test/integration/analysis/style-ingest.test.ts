// Style metrics against generated clips whose shot lengths, colours and dialogue are known, ingested with
// the real IngestService of createApp (ffmpeg decode, shot detection, keyframes, subtitles) on a temp data dir.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../../src/app.js";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { BINARIES, generateClip, tempDir, type ShotSpec } from "../../fixtures/media.js";
import { tempDataDir, testConfig } from "../graphql/helpers/seed.js";

let dir: string;
let media: string;
let app: App;
let colourId: string;
let greyId: string;

// shots of 2, 4 and 6 s (each angle differs so every boundary is a cut); dialogue known word for word
const colour: ShotSpec[] = [
  { duration: 2, colour: "0xc02020", accent: "0x20c020", angle: "left" },
  { duration: 4, colour: "0x2020c0", accent: "0xe0e020", angle: "right" },
  { duration: 6, colour: "0x20a020", accent: "0xc020c0", angle: "top" },
];
const grey: ShotSpec[] = [
  { duration: 3, colour: "0x303030", accent: "0xd0d0d0", angle: "left" },
  { duration: 3, colour: "0xc0c0c0", accent: "0x202020", angle: "right" },
];
const cues = [
  { start: 0.5, end: 2.5, text: "Where were you?" },
  { start: 3, end: 5, text: "Out by the harbour!" },
  { start: 6, end: 9, text: "Alone, out by the harbour." },
];

beforeAll(async () => {
  dir = await tempDataDir("cinerag-style-");
  media = await tempDir("cinerag-style-media-");
  app = await createApp(testConfig(dir, { CINERAG_OFFLINE: "1", CINERAG_ENRICH: "none" }));
  const a = await generateClip(media, {
    name: "colour",
    shots: colour,
    subtitles: [{ format: "srt", language: "en", cues, placement: "sidecar" }],
  });
  // the fixture's temporal noise is on every plane (chroma too): desaturated afterwards, as black-and-white film is
  const noisy = await generateClip(media, { name: "grey", shots: grey });
  const b = path.join(media, "grey-bw.mkv");
  await promisify(execFile)(BINARIES.ffmpeg, [
    "-y",
    "-v",
    "error",
    "-i",
    noisy,
    "-vf",
    "hue=s=0,format=yuv420p",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    b,
  ]);
  colourId = (await app.ingest.ingest({ file: a })).clip.id;
  greyId = (await app.ingest.ingest({ file: b })).clip.id;
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(media, { recursive: true, force: true });
});

describe("style of generated clips", () => {
  it("measures shot lengths, cutting rate, colour and dialogue pace, comparable across clips", async () => {
    const run = await app.analysis.style.analyse({ clipIds: [colourId, greyId] }, { binSeconds: 6 });
    const byId = new Map(run.result.clips.map((c) => [c.clipId, c]));
    const c = byId.get(colourId)!;
    expect(c.shots.count).toBe(3);
    expect(c.shots.averageLength).toBeCloseTo(4, 1);
    expect(c.shots.medianLength).toBeCloseTo(4, 1);
    expect(c.shots.histogram.filter((b) => b.count > 0).map((b) => b.minLength)).toEqual([2, 4, 6]);
    // cuts at 2 s (bin 0–6) and 6 s (bin 6–12): 1 cut per 6 s = 10 per minute in each
    expect(c.cuttingRate.map((p) => p.cuts)).toEqual([1, 1]);
    expect(c.cuttingRate[0]!.cutsPerMinute).toBeCloseTo(10, 0);
    expect(c.transitions.find((t) => t.kind === "CUT")!.share).toBe(1);
    expect(c.visual.blackAndWhite).toBe(false);
    expect(c.visual.saturation).toBeGreaterThan(0.4);
    expect(c.visual.series).toHaveLength(3);
    // 3 cues, 12 words in 12 s of clip; 7 s of speech
    expect(c.dialogue).toMatchObject({
      cues: 3,
      words: 12,
      sentences: 3,
      wordsPerMinute: 60,
      questions: 1,
      exclamations: 1,
      meanSentenceLength: 4,
    });
    expect(c.dialogue.speechShare).toBeCloseTo(7 / 12, 2);
    expect(c.dialogue.typeTokenRatio).toBeCloseTo(8 / 12, 3);
    const g = byId.get(greyId)!;
    expect(g.visual.blackAndWhite).toBe(true);
    expect(g.shots.count).toBe(2);
    expect(g.dialogue.words).toBe(0);
    // offline without the CLIP model: no look labels, and why
    expect(c.look.available).toBe(false);
    expect(c.look.reason).toMatch(/clip/);
    const comparison = run.result.tables.find((t) => t.name === "comparison")!;
    expect(comparison.rows).toHaveLength(2);
    const col = (name: string) => comparison.columns.indexOf(name);
    const rowOf = (id: string) => comparison.rows.find((r) => r[0] === id)!;
    expect(rowOf(greyId)[col("blackAndWhite")]).toBe(true);
    expect(rowOf(colourId)[col("averageShotLength")]).toBeCloseTo(4, 1);
  });
});
