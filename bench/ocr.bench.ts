// npm run bench:ocr [-- --split tuning] [--only image|burned|cost] [--lang en|zh] [--errors]: OCR of image subtitle tracks (VobSub rendered by spumux) and of
// burned-in subtitles (libass) on the held-out half of our test lines (test/fixtures/ocr), English and
// Chinese. Prints the character error rate against the floors, the timing error, false
// positives on clips without text, and seconds per film-minute; the baseline in the same run is
// Debian's tesseract 5 CLI reading the same bitmaps (skipped when it is not installed).
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { resolveMediaBinaries } from "../src/media/ffmpeg/binaries.js";
import { extractBitmapSubtitles } from "../src/media/ffmpeg/bitmap-subtitle-extractor.js";
import { probeMedia } from "../src/media/ffmpeg/probe.js";
import { PpOcrEngine } from "../src/ocr/ppocr.engine.js";
import { readBitmapEvents, joinLines } from "../src/ocr/image-subtitles.reader.js";
import { cer } from "../test/fixtures/ocr/cer.js";
import {
  burnedInClip,
  cuesFromLines,
  testLines,
  vobSubClip,
  type BurnedInSpec,
  type OcrLanguage,
} from "../test/fixtures/ocr/ocr-fixtures.js";
import { decodeBand } from "../src/media/ffmpeg/band-decoder.js";
import { BAND_SHARE, BAND_WIDTH, BandRuns, readRuns } from "../src/ocr/burned-in.reader.js";
import { OCR_CONFIDENCE_FLOOR } from "../src/ocr/image-subtitles.reader.js";
import type { CueSpec } from "../test/fixtures/media.js";
import type { BitmapEvent } from "../src/media/media.port.js";

const run = promisify(execFile);
const split = process.argv.includes("--split")
  ? (process.argv[process.argv.indexOf("--split") + 1] as "tuning")
  : "heldout";
const FRAME = 1 / 25;
const FLOORS = { image: { en: 0.02, zh: 0.05 }, burned: { en: 0.05, zh: 0.08 } };
const bins = resolveMediaBinaries();
const engine = new PpOcrEngine({ threads: 2 });

interface Matched {
  truth: string;
  read: string;
  startError: number;
  endError: number;
}

/** each spec cue paired with the read cue that starts nearest (within 0.5 s); unmatched: read "" */
function match(
  spec: CueSpec[],
  read: Array<{ startTime: number; endTime: number; text: string }>,
): { pairs: Matched[]; spurious: number } {
  const used = new Set<number>();
  const pairs = spec.map((c) => {
    const i = read.findIndex((r, k) => !used.has(k) && Math.abs(r.startTime - c.start) < 0.5);
    if (i < 0) return { truth: joinLines(c.text.split("\n")), read: "", startError: NaN, endError: NaN };
    used.add(i);
    const r = read[i]!;
    return {
      truth: joinLines(c.text.split("\n")),
      read: r.text,
      startError: Math.abs(r.startTime - c.start),
      endError: Math.abs(r.endTime - c.end),
    };
  });
  return { pairs, spurious: read.length - used.size };
}

function timing(pairs: Matched[]): string {
  const errors = pairs.flatMap((p) => [p.startError, p.endError]).filter((e) => Number.isFinite(e));
  const max = Math.max(0, ...errors);
  return `timing error max ${(max * 1000).toFixed(0)} ms (${(max / FRAME).toFixed(2)} frames), mean ${((errors.reduce((a, b) => a + b, 0) / Math.max(1, errors.length)) * 1000).toFixed(1)} ms`;
}

async function tesseractRead(events: BitmapEvent[], language: OcrLanguage, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const [i, e] of events.entries()) {
    const file = path.join(dir, `t-${i}.png`);
    // tesseract wants dark text on light ground, at a decent size
    await sharp(e.data, { raw: { width: e.width, height: e.height, channels: 1 } })
      .negate()
      .resize({ height: e.height * 2 })
      .png()
      .toFile(file);
    const { stdout } = await run("tesseract", [file, "-", "-l", language === "zh" ? "chi_sim" : "eng", "--psm", "6"]);
    const lines = stdout
      .split("\n")
      .map((l) => (language === "zh" ? l.replace(/\s+/g, "") : l.trim()))
      .filter(Boolean);
    out.push(joinLines(lines));
  }
  return out;
}

async function imageTrack(language: OcrLanguage, dir: string) {
  const lines = await testLines(language, split);
  const cues = cuesFromLines(lines, { pairEvery: 4 });
  const duration = Math.ceil(cues[cues.length - 1]!.end + 1);
  const clip = await vobSubClip(dir, `vob-${language}`, duration, [
    { language: language === "zh" ? "chi" : "eng", cues, cjk: language === "zh" },
  ]);
  const probe = await probeMedia(bins.ffprobe, clip, 600_000);
  const stream = probe.streams.find((s) => s.type === "subtitle")!;
  const t0 = performance.now();
  const bitmaps = await extractBitmapSubtitles(bins, probe, stream.index);
  const t1 = performance.now();
  const read = await readBitmapEvents(engine, bitmaps.events, { language });
  const t2 = performance.now();
  const { pairs, spurious } = match(cues, read.cues);
  const value = cer(pairs);
  const minutes = duration / 60;
  console.log(
    `image track ${language} (${split}, ${lines.length} lines, ${cues.length} events): CER ${(value * 100).toFixed(2)}% (floor ${FLOORS.image[language] * 100}%) ${value <= FLOORS.image[language] ? "OK" : "ABOVE FLOOR"}; ` +
      `${read.cues.length} cues, ${read.dropped} dropped, ${spurious} spurious; ${timing(pairs)}; ` +
      `${((t2 - t0) / 1000 / minutes).toFixed(2)} s per film-minute (decode ${((t1 - t0) / 1000).toFixed(1)} s, OCR ${((t2 - t1) / 1000).toFixed(1)} s for ${duration} s)`,
  );
  for (const p of pairs.filter((p) => p.read !== p.truth).slice(0, process.argv.includes("--errors") ? 100 : 0))
    console.log(`   ${p.truth}  →  ${p.read}`);
  if (spawnSync("tesseract", ["--version"], { stdio: "ignore" }).status === 0) {
    const t3 = performance.now();
    const texts = await tesseractRead(bitmaps.events, language, dir);
    const t4 = performance.now();
    const base = match(
      cues,
      bitmaps.events.map((e, i) => ({ startTime: e.startTime, endTime: e.endTime, text: texts[i]! })),
    );
    const baseCer = cer(base.pairs);
    console.log(
      `  baseline tesseract 5 CLI on the same bitmaps: CER ${(baseCer * 100).toFixed(2)}%, ${((t4 - t3) / 1000 / minutes).toFixed(2)} s per film-minute; ` +
        `PP-OCR/tesseract CER ratio ${(value / Math.max(baseCer, 1e-9)).toFixed(2)}, time ratio ${((t2 - t1) / (t4 - t3)).toFixed(2)}`,
    );
  } else console.log("  baseline: tesseract not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)");
}

/** the burned-in pass as the ingest runs it: one band decode, OCR of the stable runs */
async function burnedInPass(clip: string) {
  const probe = await probeMedia(bins.ffprobe, clip, 600_000);
  const runs = new BandRuns();
  const t0 = performance.now();
  await decodeBand(bins, probe, { width: BAND_WIDTH, band: BAND_SHARE, onFrame: (f) => runs.push(f) });
  const t1 = performance.now();
  const read = await readRuns(engine, runs.finish(probe.duration), {
    language: undefined,
    confidenceFloor: OCR_CONFIDENCE_FLOOR,
  });
  const t2 = performance.now();
  return { probe, read, decode: (t1 - t0) / 1000, ocr: (t2 - t1) / 1000 };
}

async function burnedIn(language: OcrLanguage, dir: string) {
  const lines = await testLines(language, split);
  const cues = cuesFromLines(lines, { pairEvery: 4 });
  const duration = Math.ceil(cues[cues.length - 1]!.end + 1);
  // half the lines near the bottom with a thin outline, half higher with a thick one, on a moving picture
  const half = Math.floor(cues.length / 2);
  const clips = await Promise.all([
    burnedInClip(dir, `burn-${language}-a`, {
      cues: cues.slice(0, half),
      duration,
      cjk: language === "zh",
      style: "Outline=1.5,MarginV=12",
      topText: "GRAND HOTEL",
    }),
    burnedInClip(dir, `burn-${language}-b`, {
      cues: cues.slice(half),
      duration,
      cjk: language === "zh",
      style: "Outline=3,MarginV=30",
      background: "plasma",
    }),
  ]);
  const all: Matched[] = [];
  let spurious = 0;
  let seconds = 0;
  let decode = 0;
  let dropped = 0;
  let read = 0;
  for (const [i, clip] of clips.entries()) {
    const pass = await burnedInPass(clip);
    const m = match(i === 0 ? cues.slice(0, half) : cues.slice(half), pass.read.cues);
    all.push(...m.pairs);
    spurious += m.spurious;
    seconds += pass.decode + pass.ocr;
    decode += pass.decode;
    dropped += pass.read.dropped;
    read += pass.read.runsRead;
  }
  const value = cer(all);
  const minutes = (2 * duration) / 60;
  console.log(
    `burned-in ${language} (${split}, ${lines.length} lines, ${cues.length} events, 960x540): CER ${(value * 100).toFixed(2)}% (floor ${FLOORS.burned[language] * 100}%) ${value <= FLOORS.burned[language] ? "OK" : "ABOVE FLOOR"}; ` +
      `${all.filter((p) => p.read !== "").length} matched, ${spurious} spurious, ${read} runs OCR'd, ${dropped} dropped; ${timing(all)}; ` +
      `${(seconds / minutes).toFixed(2)} s per film-minute = ${(seconds / (minutes * 60)).toFixed(2)}x real time (decode ${decode.toFixed(1)} s of ${seconds.toFixed(1)} s)`,
  );
  for (const p of all.filter((p) => p.read !== p.truth).slice(0, process.argv.includes("--errors") ? 100 : 0))
    console.log(`   ${p.truth}  →  ${p.read}`);
  for (const p of all
    .filter((p) => p.startError > 0.1 || p.endError > 0.1)
    .slice(0, process.argv.includes("--errors") ? 100 : 0))
    console.log(
      `   timing: start ${(p.startError * 1000).toFixed(0)} ms, end ${(p.endError * 1000).toFixed(0)} ms: ${p.truth}`,
    );
}

async function falsePositives(dir: string) {
  const backgrounds: Array<NonNullable<BurnedInSpec["background"]>> = [
    "gradients",
    "life",
    "mandelbrot",
    "cellauto",
    "plasma",
  ];
  const found: string[] = [];
  for (const background of backgrounds) {
    const clip = await burnedInClip(dir, `plain-${background}`, {
      cues: [],
      duration: 10,
      background,
      topText: background === "life" ? "" : "EXIT",
    });
    const pass = await burnedInPass(clip);
    // the ingest makes a track only from two reads or more
    found.push(
      `${background}: ${pass.read.cues.length} reads${pass.read.cues.length >= 2 ? " → TRACK (false positive)" : ""}`,
    );
  }
  console.log(`clips without burned-in text (5): ${found.join("; ")}`);
}

/**
 * Cost on a generated 10-minute clip at a film's pace (a line every 4.5 s, tuning lines over and over: this
 * figure is time, not accuracy), extrapolated to a 90-minute film.
 */
async function cost(language: OcrLanguage, dir: string) {
  const lines = await testLines(language, "tuning");
  const looped = Array.from({ length: 140 }, (_, i) => lines[i % lines.length]!);
  const cues = cuesFromLines(looped, { seconds: 2, gap: 2.3, pairEvery: 4 }).filter((c) => c.end < 598);
  const duration = 600;
  const vob = await vobSubClip(dir, `cost-vob-${language}`, duration, [
    { language: language === "zh" ? "chi" : "eng", cues, cjk: language === "zh" },
  ]);
  const probe = await probeMedia(bins.ffprobe, vob, 600_000);
  const stream = probe.streams.find((s) => s.type === "subtitle")!;
  const t0 = performance.now();
  const bitmaps = await extractBitmapSubtitles(bins, probe, stream.index);
  await readBitmapEvents(engine, bitmaps.events, { language });
  const image = (performance.now() - t0) / 1000;
  const burned = await burnedInPass(
    await burnedInClip(dir, `cost-burn-${language}`, { cues, duration, cjk: language === "zh" }),
  );
  const burnedSeconds = burned.decode + burned.ocr;
  console.log(
    `cost, ${language}, 10-minute clip, ${cues.length} lines: image track ${(image / 10).toFixed(2)} s per film-minute ` +
      `(${(((image / 10) * 90) / 60).toFixed(1)} min for a 90-minute film); burned-in ${(burnedSeconds / 10).toFixed(2)} s per ` +
      `film-minute = ${(burnedSeconds / 600).toFixed(2)}x real time (${(((burnedSeconds / 10) * 90) / 60).toFixed(1)} min for 90 minutes; ` +
      `decode ${burned.decode.toFixed(1)} s, OCR ${burned.ocr.toFixed(1)} s)`,
  );
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), "cinerag-bench-ocr-"));
  try {
    await writeFile(path.join(dir, "README"), "bench:ocr scratch\n");
    const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
    const lang = process.argv.includes("--lang") ? process.argv[process.argv.indexOf("--lang") + 1] : undefined;
    const languages = (["en", "zh"] as const).filter((l) => lang === undefined || l === lang);
    if (only === "cost") {
      for (const language of languages) await cost(language, dir);
      return;
    }
    if (only !== "burned") for (const language of languages) await imageTrack(language, dir);
    if (only !== "image") {
      for (const language of languages) await burnedIn(language, dir);
      await falsePositives(dir);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
