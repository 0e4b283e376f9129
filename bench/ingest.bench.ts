// npm run bench:ingest — ingest wall time (no models) against one plain ffmpeg decode of the same file,
// in the same run, and peak memory for a short and a long clip. Prints ratios; asserts nothing (the
// machines are noisy: read the numbers). Goal: ratio <= 1.5, and peak memory flat in clip length.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { resolveMediaBinaries } from "../src/media/ffmpeg/binaries.js";

const run = promisify(execFile);
const bins = resolveMediaBinaries();
const here = path.dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), "cinerag-bench-"));

async function makeClip(seconds: number): Promise<string> {
  const out = path.join(work, `clip-${seconds}s-1080p.mp4`);
  // testsrc2 with a hue jump every 4 s: real cuts for the detector, 1080p H.264 for the decoder.
  const source = `testsrc2=s=1920x1080:r=25:d=${seconds},hue=H=floor(t/4)*1.7:s=1+mod(floor(t/4)\\,2)*0.5`;
  await run(bins.ffmpeg, [
    "-y",
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    source,
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "20",
    "-pix_fmt",
    "yuv420p",
    out,
  ]);
  return out;
}

function plainDecodeMs(file: string): number {
  const started = performance.now();
  const r = spawnSync(bins.ffmpeg, ["-v", "error", "-nostdin", "-i", file, "-map", "0:v:0", "-f", "null", "-"], {
    stdio: "ignore",
  });
  if (r.status !== 0) throw new Error("plain decode failed");
  return performance.now() - started;
}

function ingestOnce(file: string): {
  wallMs: number;
  maxRssMb: number;
  shots: number;
  scenes: number;
  processMs: number;
} {
  const dataDir = mkdtempSync(path.join(work, "data-"));
  const started = performance.now();
  const r = spawnSync(process.execPath, [path.join(here, "ingest-child.js"), file, dataDir], { encoding: "utf8" });
  const processMs = performance.now() - started;
  if (r.status !== 0) throw new Error(`ingest failed: ${r.stderr}`);
  // the child's last line: its own measurements (ingest-child.ts)
  const measured = JSON.parse(r.stdout.trim().split("\n").pop()!) as Omit<ReturnType<typeof ingestOnce>, "processMs">;
  return { ...measured, processMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`ffmpeg: ${bins.ffmpeg} (${bins.source})`);
const long = await makeClip(60);
const short = await makeClip(20);
const rounds = 3;
const decode: number[] = [];
const ingest: number[] = [];
const whole: number[] = [];
let last: ReturnType<typeof ingestOnce> | undefined;
for (let i = 0; i < rounds; i++) {
  // Interleaved so that drift in machine load hits both sides alike.
  decode.push(plainDecodeMs(long));
  last = ingestOnce(long);
  ingest.push(last.wallMs);
  whole.push(last.processMs);
}
const shortRun = ingestOnce(short);
const d = median(decode);
const g = median(ingest);
console.log(`60 s 1080p clip: ${last!.shots} shots, ${last!.scenes} scenes`);
console.log(`plain ffmpeg decode      median ${d.toFixed(0)} ms  (${decode.map((x) => x.toFixed(0)).join(", ")})`);
console.log(`cinerag ingest (in-proc) median ${g.toFixed(0)} ms  (${ingest.map((x) => x.toFixed(0)).join(", ")})`);
console.log(`cinerag ingest (process) median ${median(whole).toFixed(0)} ms  incl. node start-up and migrations check`);
console.log(`ratio ingest / decode: ${(g / d).toFixed(2)}  (goal <= 1.5)`);
console.log(
  `peak RSS: 20 s clip ${shortRun.maxRssMb.toFixed(0)} MB, 60 s clip ${last!.maxRssMb.toFixed(0)} MB, ratio ${(last!.maxRssMb / shortRun.maxRssMb).toFixed(2)} (flat = ~1.0)`,
);
rmSync(work, { recursive: true, force: true });
