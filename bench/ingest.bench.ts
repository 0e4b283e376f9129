// npm run bench:ingest [-- --rounds N --peer "CMD {}"] — ingest (no models) against one plain ffmpeg decode of the same
// file, audio included (`ffmpeg -i clip -f null -`), measured in the same run and interleaved round by
// round, on two clips: 60 s of 1080p testsrc2 with hue cuts, and 60 s of 720p made of 12 different lavfi
// sources joined by hard cuts. Prints wall AND CPU (user + sys of the child process and everything it
// ran: /proc/self/stat cutime + cstime of this process) ratios, min / median / max over the rounds; the
// fixed start cost (ingest of a 2 s clip, by phase, and through the CLI); peak memory for a short and a
// long clip. Asserts nothing (the machines are noisy: read the numbers). Goals (issue #16): wall ratio
// <= 1.2 on the 720p clip, memory flat in clip length, fixed start cost halved.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { resolveMediaBinaries } from "../src/media/ffmpeg/binaries.js";
import { peerCommand } from "./peer-command.js";

const run = promisify(execFile);
const bins = resolveMediaBinaries();
const here = path.dirname(fileURLToPath(import.meta.url));
const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const rounds = Number(option("--rounds") ?? 3);
/** --clips DIR: generated clips are kept there and reused by the next run (profiling, A/B runs) */
const clipDir = option("--clips");
const work = mkdtempSync(path.join(tmpdir(), "cinerag-bench-"));
const clips = clipDir ?? work;
/**
 * variants of the ingest compared in the same run: name → the child script and configuration variables.
 * `--baseline PATH` adds another build's dist/bench/ingest-child.js (e.g. of main) as "before".
 */
const variants: Record<string, { child: string; variables: Record<string, string> }> = {};
const baseline = option("--baseline");
/** --peer "CMD {}": a peer detector run on the same clips, interleaved (e.g. "scenedetect -i {} detect-adaptive") */
const peer = peerCommand(option("--peer"));
if (baseline) variants.before = { child: path.resolve(baseline), variables: {} };
variants.ingest = { child: path.join(here, "ingest-child.js"), variables: {} };

const x264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"];
const aac = ["-c:a", "aac", "-b:a", "128k"];
const tone = (seconds: number) => ["-f", "lavfi", "-i", `sine=f=440:sample_rate=48000:d=${seconds}`];

/** clips are written under a temporary name and renamed when complete: a kept clip is never half-written */
const part = (file: string) => `${file}.part.mp4`;
const done = (file: string) => {
  renameSync(part(file), file);
  return file;
};

/** `tint` turns the hues: clips of other bytes, for ingests into a data directory that must not dedupe them */
async function makeTestsrcClip(seconds: number, tint = 0): Promise<string> {
  const out = path.join(clips, `clip-${seconds}s-1080p${tint ? `-tint${tint}` : ""}.mp4`);
  if (existsSync(out)) return out;
  // testsrc2 with a hue jump every 4 s: real cuts for the detector, 1080p H.264 for the decoder.
  const source = `testsrc2=s=1920x1080:r=25:d=${seconds},hue=H=floor(t/4)*1.7+${tint}:s=1+mod(floor(t/4)\\,2)*0.5`;
  await run(bins.ffmpeg, [
    "-y",
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    source,
    ...tone(seconds),
    ...x264,
    ...aac,
    part(out),
  ]);
  return done(out);
}

/**
 * 12 different lavfi sources (every one present in ffmpeg 4.1 too), `seconds / 12` each, joined by hard
 * cuts with the concat filter, 1280x720 at 25 fps, with a sine tone as its audio track.
 */
const SOURCES = [
  "testsrc2=s=1280x720",
  "smptehdbars=s=1280x720,noise=alls=12:allf=t",
  "mandelbrot=s=320x180",
  "life=s=320x180:mold=10:ratio=0.3:life_color=#00ff00:death_color=#300000,scale=1280:720:flags=neighbor",
  "cellauto=s=320x180:rule=110,scale=1280:720:flags=neighbor",
  "rgbtestsrc=s=1280x720",
  "testsrc=s=2560x1440,crop=1280:720:x='t*160':y='t*60'",
  "color=c=0x305070:s=1280x720,noise=alls=40:allf=t",
  "yuvtestsrc=s=1280x720",
  "smptebars=s=1280x720",
  "testsrc2=s=1280x720,hue=H=2.5:s=1.6,vflip",
  "color=c=0xd08020:s=1280x720,drawbox=x='mod(t*400\\,1000)':y=200:w=280:h=280:color=0x2040c0:t=fill",
];

async function makeMultiSourceClip(seconds: number): Promise<string> {
  const out = path.join(clips, `clip-${seconds}s-720p-12-sources.mp4`);
  if (existsSync(out)) return out;
  const each = seconds / SOURCES.length;
  const parts = SOURCES.map((s, i) => {
    const [head, ...rest] = s.split(",");
    // `trim`, not `d=`: mandelbrot, life and cellauto have no duration option
    const chain = [`${head}:r=25`, `trim=duration=${each}`, ...rest, "scale=1280:720", "setsar=1", "format=yuv420p"];
    return `${chain.join(",")}[v${i}]`;
  });
  const graph = `${parts.join(";")};${SOURCES.map((_, i) => `[v${i}]`).join("")}concat=n=${SOURCES.length}:v=1:a=0[v]`;
  await run(bins.ffmpeg, [
    "-y",
    "-v",
    "error",
    ...tone(seconds),
    "-filter_complex",
    graph,
    "-map",
    "[v]",
    "-map",
    "0:a",
    ...x264,
    ...aac,
    part(out),
  ]);
  return done(out);
}

/** CPU seconds (user + sys) of the waited-for children of this process so far: they include grandchildren. */
function childCpuMs(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // after the command: field 3 is state; cutime and cstime are fields 16 and 17, in clock ticks (100 Hz)
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

interface Measured {
  wallMs: number;
  cpuMs: number;
}

function timed(command: string, args: string[]): Measured & { stdout: string } {
  const cpu0 = childCpuMs();
  const started = performance.now();
  const r = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  const wallMs = performance.now() - started;
  if (r.status !== 0) throw new Error(`${path.basename(command)} ${args.join(" ")} failed: ${r.stderr}`);
  return { wallMs, cpuMs: childCpuMs() - cpu0, stdout: r.stdout };
}

/** One plain decode of every stream (video and audio), as `ffmpeg -i clip -f null -`. */
function plainDecode(file: string): Measured {
  return timed(bins.ffmpeg, ["-v", "error", "-nostdin", "-i", file, "-f", "null", "-"]);
}

interface ChildReport {
  wallMs: number;
  maxRssMb: number;
  shots: number;
  scenes: number;
  keyframes: number;
  phases: Record<string, Measured>;
}

/** One ingest in a fresh process: the process's wall and CPU, and what the child measured itself. */
function ingestOnce(file: string, variant = variants.ingest!, into?: string): Measured & { child: ChildReport } {
  const dataDir = into ?? mkdtempSync(path.join(work, "data-"));
  const r = timed(process.execPath, [variant.child, file, dataDir, JSON.stringify(variant.variables)]);
  // a given data directory keeps the clip: the same file again would be "already ingested"
  if (!into) rmSync(dataDir, { recursive: true, force: true });
  // the child's last line: its own measurements (ingest-child.ts)
  return { wallMs: r.wallMs, cpuMs: r.cpuMs, child: JSON.parse(r.stdout.trim().split("\n").pop()!) as ChildReport };
}

/** `cinerag ingest <file> --json` as a user runs it: the whole command, start-up included. */
function cliIngest(file: string, bin: string): Measured {
  const dataDir = mkdtempSync(path.join(work, "cli-"));
  const r = timed("/usr/bin/env", [
    `CINERAG_DATA_DIR=${dataDir}`,
    "CINERAG_ENRICH=none",
    // the first-start model pull is the network's time, not the start-up's
    "CINERAG_OFFLINE=1",
    process.execPath,
    bin,
    "ingest",
    "--json",
    file,
  ]);
  rmSync(dataDir, { recursive: true, force: true });
  return r;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const spread = (xs: number[], digits = 0) => {
  const s = sorted(xs);
  return `median ${median(xs).toFixed(digits)}  (min ${s[0]!.toFixed(digits)}, max ${s[s.length - 1]!.toFixed(digits)})`;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

function peerRun(file: string): Measured {
  return timed(peer!.command, peer!.args(file));
}

function compare(name: string, file: string): void {
  const decode: Measured[] = [];
  const peers: Measured[] = [];
  const ingest: Record<string, (Measured & { child: ChildReport })[]> = {};
  for (let i = 0; i < rounds; i++) {
    // Interleaved so that drift in machine load hits every side alike.
    decode.push(plainDecode(file));
    for (const [name, variant] of Object.entries(variants)) (ingest[name] ??= []).push(ingestOnce(file, variant));
    if (peer) peers.push(peerRun(file));
  }
  const first = Object.values(ingest)[0]![0]!.child;
  console.log(`\n${name}: ${first.shots} shots, ${first.keyframes} keyframes, ${first.scenes} scenes (load ${load()})`);
  const row = (label: string, xs: Measured[]) => {
    console.log(`  ${label.padEnd(30)} wall ${spread(xs.map((x) => x.wallMs))} ms`);
    console.log(`  ${"".padEnd(30)} cpu  ${spread(xs.map((x) => x.cpuMs))} ms`);
  };
  row("plain ffmpeg decode (+audio)", decode);
  if (peer) row(`peer: ${peer.name}`, peers);
  for (const [variant, runs] of Object.entries(ingest)) {
    row(
      `${variant}: ingest stage only`,
      runs.map((r) => r.child.phases.ingest!),
    );
    row(`${variant}: whole process`, runs);
    const wall = runs.map((r, i) => r.child.phases.ingest!.wallMs / decode[i]!.wallMs);
    // the ingest stage's CPU is the child process's own CPU during it plus its ffmpeg children, which
    // the whole-process figure holds: take the process's CPU less its start-up and close phases
    const stageCpu = runs.map(
      (r) => r.cpuMs - ["boot", "import", "open", "close"].reduce((s, p) => s + (r.child.phases[p]?.cpuMs ?? 0), 0),
    );
    const cpu = stageCpu.map((c, i) => c / decode[i]!.cpuMs);
    const whole = runs.map((r, i) => r.wallMs / decode[i]!.wallMs);
    console.log(`  ${variant}: ratio ingest / decode, wall ${spread(wall, 2)}   (goal <= 1.2)`);
    console.log(`  ${variant}: ratio ingest / decode, cpu  ${spread(cpu, 2)}`);
    console.log(`  ${variant}: ratio whole process / decode, wall ${spread(whole, 2)}`);
    if (peer) {
      const vsPeer = runs.map((r, i) => r.wallMs / peers[i]!.wallMs);
      console.log(`  ${variant}: ratio whole process / peer, wall ${spread(vsPeer, 2)}   (goal <= 1.5)`);
    }
    console.log(`  ${variant}: peak RSS ${spread(runs.map((r) => r.child.maxRssMb))} MB`);
  }
}

if (clipDir) mkdirSync(clipDir, { recursive: true });
console.log(`ffmpeg: ${bins.ffmpeg} (${bins.source}); ${rounds} rounds; load ${load()}`);
const [multi, testsrc, mid, tiny, ...tinted] = await Promise.all([
  makeMultiSourceClip(60),
  makeTestsrcClip(60),
  makeTestsrcClip(20),
  makeTestsrcClip(2),
  ...Array.from({ length: rounds }, (_, i) => makeTestsrcClip(2, i + 1)),
]);
compare("60 s 720p, 12 sources with hard cuts", multi);
compare("60 s 1080p testsrc2", testsrc);

// Fixed start cost: a 2 s clip, by phase (child's own clock), into a new data directory (migrations run)
// and into one that holds a clip already (the usual case: the migration check only); and the whole CLI.
for (const [name, variant] of Object.entries(variants)) {
  const fresh = Array.from({ length: rounds }, () => ingestOnce(tiny, variant));
  const warmDir = mkdtempSync(path.join(work, "warm-"));
  ingestOnce(mid, variant, warmDir);
  const warm = tinted.map((clip) => ingestOnce(clip, variant, warmDir));
  const bin = path.resolve(path.dirname(variant.child), "..", "..", "bin", "cinerag.js");
  const cli = Array.from({ length: rounds }, () => cliIngest(tiny, bin));
  for (const [label, runs] of [
    ["new data dir", fresh],
    ["existing data dir", warm],
  ] as const) {
    console.log(`\n${name}: fixed start cost, 2 s clip, ${label} (load ${load()})`);
    for (const p of ["boot", "import", "open", "ingest", "close"]) {
      const xs = runs.map((r) => r.child.phases[p]!);
      console.log(
        `  ${p.padEnd(8)} wall ${spread(xs.map((x) => x.wallMs))} ms   cpu ${spread(xs.map((x) => x.cpuMs))} ms (node only)`,
      );
    }
    console.log(
      `  whole process   wall ${spread(runs.map((r) => r.wallMs))} ms   cpu ${spread(runs.map((r) => r.cpuMs))} ms (with ffmpeg)`,
    );
  }
  console.log(
    `  cinerag ingest --json (CLI, new data dir, offline)  wall ${spread(cli.map((r) => r.wallMs))} ms   cpu ${spread(cli.map((r) => r.cpuMs))} ms`,
  );
}

// Memory: peak RSS of the node process for 20 s and 60 s of the same source.
const shortRss = ingestOnce(mid).child.maxRssMb;
const longRss = ingestOnce(testsrc).child.maxRssMb;
console.log(
  `\npeak RSS: 20 s clip ${shortRss.toFixed(0)} MB, 60 s clip ${longRss.toFixed(0)} MB, ratio ${(longRss / shortRss).toFixed(2)} (flat = ~1.0)`,
);
rmSync(work, { recursive: true, force: true });
