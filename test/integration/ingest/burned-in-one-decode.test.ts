// Burned-in subtitles are read from the frame pass's own decode (issue #16, ingest: one decode, not two).
// The result is what the separate band decode gave before: the same BURNED_IN cues, shots and scenes as an
// ingest that is cancelled after its frames were checkpointed and resumed (that one reads the band with a
// decode of its own, the path the single pass replaced). Real app, SQLite, ffmpeg with libass, PP-OCR.
import path from "node:path";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../../src/app.js";
import { loadConfig } from "../../../src/config.js";
import type { IngestResult } from "../../../src/ingest/ingest.service.js";
import { tempDir } from "../../fixtures/media.js";
import { burnedInClip, cuesFromLines, ocrToolsMissing, testLines } from "../../fixtures/ocr/ocr-fixtures.js";

const missing = ocrToolsMissing();
let dir: string;
let file: string;
const apps: App[] = [];

async function open(name: string): Promise<App> {
  const app = await createApp(loadConfig({ CINERAG_DATA_DIR: path.join(dir, name), CINERAG_ENRICH: "none" }), {
    defaultLogLevel: "silent",
  });
  apps.push(app);
  return app;
}

/** what must not differ between the two paths */
const essence = (r: IngestResult) => ({
  tracks: r.tracks.map((t) => ({ source: t.source, language: t.language, cues: t.cues })),
  shots: r.shots,
  keyframes: r.keyframes.map((k) => ({ ...k, path: path.basename(k.path) })),
  scenes: r.scenes.map((s) => ({ start: s.startTime, end: s.endTime, text: s.text })),
});

beforeAll(async () => {
  if (missing) return;
  dir = await tempDir();
  const spec = cuesFromLines((await testLines("en", "tuning")).slice(4, 7), { pairEvery: 3 });
  file = await burnedInClip(dir, "burned", { cues: spec, duration: 6 });
}, 120_000);

afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)(
  `one decode for frames and burned-in text${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    it("reads the same burned-in track in the frame pass as a resumed ingest reads with a decode of its own", async () => {
      const single = await (await open("single")).ingest.ingest({ file });
      expect(single.tracks.map((t) => t.source)).toEqual(["BURNED_IN"]);
      expect(single.tracks[0]!.cues.length).toBeGreaterThanOrEqual(2);

      // cancelled once the frames are checkpointed, while the burned-in text is being read
      const app = await open("resumed");
      const controller = new AbortController();
      const stopped = app.ingest.ingest({
        file,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage === "ocr" && p.message === "reading burned-in subtitles") controller.abort();
        },
      });
      await expect(stopped).rejects.toMatchObject({ code: "CANCELLED" });
      const resumed = await app.ingest.ingest({ file });
      expect(resumed.alreadyIngested).toBe(false);
      expect(essence(resumed)).toEqual(essence(single));
    }, 240_000);
  },
);
