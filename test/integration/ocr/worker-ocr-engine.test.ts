// PP-OCR on a worker thread (src/ocr/worker.ocr-engine.ts): it reads what the engine on the calling thread
// reads, from the band of a real burned-in clip (ffmpeg with libass, the real PP-OCR models); a worker that
// dies fails the reads it held and the next read starts another; an idle worker does not keep a process
// alive (a real child process that never closes the engine exits by itself).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FfmpegMediaTools } from "../../../src/media/ffmpeg/ffmpeg.media-tools.js";
import { BAND_SHARE, BAND_WIDTH, BandRuns } from "../../../src/ocr/burned-in.reader.js";
import type { GreyImage } from "../../../src/ocr/ocr.port.js";
import { PpOcrEngine } from "../../../src/ocr/ppocr.engine.js";
import { ocrWorkerScript, WorkerOcrEngine } from "../../../src/ocr/worker.ocr-engine.js";
import { tempDir } from "../../fixtures/media.js";
import { burnedInClip, cuesFromLines, ocrToolsMissing, testLines } from "../../fixtures/ocr/ocr-fixtures.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../..", import.meta.url));
const missing = ocrToolsMissing() ?? (ocrWorkerScript() ? undefined : "no build (npm run build) holds the worker");
let dir: string;
const images: GreyImage[] = [];
const engines: WorkerOcrEngine[] = [];

beforeAll(async () => {
  if (missing) return;
  dir = await tempDir();
  const spec = cuesFromLines((await testLines("en", "tuning")).slice(10, 12));
  const file = await burnedInClip(dir, "burned", { cues: spec, duration: 5 });
  const media = new FfmpegMediaTools({ timeoutMs: 120_000 });
  const probe = await media.probe(file);
  const runs = new BandRuns();
  await media.decodeBand(probe, { width: BAND_WIDTH, band: BAND_SHARE, onFrame: (f) => runs.push(f) });
  for (const r of runs.finish(probe.duration)) if (r.frames >= 8 && r.image) images.push(r.image);
}, 120_000);

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)(`PP-OCR on a worker thread${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("reads the lines the engine on this thread reads, and leaves the caller's image as it was", async () => {
    expect(images.length).toBe(2);
    const here = new PpOcrEngine({ threads: 1 });
    const worker = new WorkerOcrEngine({ threads: 1 });
    engines.push(worker);
    for (const image of images) {
      const before = Buffer.from(image.data);
      const [a, b] = await Promise.all([worker.readLines(image, "en"), here.readLines(image, "en")]);
      expect(a.length).toBeGreaterThan(0);
      expect(a).toEqual(b);
      expect(Buffer.from(image.data).equals(before)).toBe(true);
      expect(await worker.readLine(image, "en")).toEqual(await here.readLine(image, "en"));
    }
    expect(worker.modelFor("zh")).toEqual(here.modelFor("zh"));
    expect(worker.modelFor("ar")).toBeUndefined();
  });

  it("fails the reads a dying worker held, and starts another for the next read", async () => {
    // a worker script that exits at its first message unless a marker says it has died once already
    const marker = path.join(dir, "died-once");
    const script = path.join(dir, "dying.worker.mjs");
    await writeFile(
      script,
      `import { parentPort } from "node:worker_threads";
       import { existsSync, writeFileSync } from "node:fs";
       parentPort.on("message", (m) => {
         if (!existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ""); process.exit(3); }
         parentPort.postMessage({ id: m.id, result: [] });
       });`,
    );
    const engine = new WorkerOcrEngine({}, pathToFileURL(script));
    engines.push(engine);
    const image = images[0]!;
    const [first, second] = await Promise.allSettled([engine.readLines(image, "en"), engine.readLines(image, "en")]);
    for (const read of [first, second]) {
      expect(read.status).toBe("rejected");
      expect((read as PromiseRejectedResult).reason).toMatchObject({ code: "MODEL_UNAVAILABLE" });
      expect(String((read as PromiseRejectedResult).reason)).toMatch(/OCR worker stopped: exit 3/);
    }
    expect(existsSync(marker)).toBe(true);
    await expect(engine.readLines(image, "en")).resolves.toEqual([]);
  });

  it("does not keep a process alive once its reads are answered", async () => {
    const module = pathToFileURL(path.join(root, "dist/src/ocr/worker.ocr-engine.js")).href;
    const program = `
      const { WorkerOcrEngine } = await import(${JSON.stringify(module)});
      const engine = new WorkerOcrEngine({ threads: 1 });
      const lines = await engine.readLines({ width: 64, height: 32, data: new Uint8Array(64 * 32) }, "en");
      console.log("read", lines.length);`;
    // the engine is never closed: the process ends only if the idle worker lets it
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", program], {
      cwd: root,
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe("read 0");
  });
});
