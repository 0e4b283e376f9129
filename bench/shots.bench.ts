// npm run bench:shots [-- --errors] [--only tuning,validation,heldout] [--keep] [--clips DIR] [--peer "CMD {}"]
// [--generate-only]:
// shot-boundary precision, recall and F1 of our detector (src/ingest/shots) on a wider generated set
// (bench/shot-set.clips.ts: 90 tuning, 15 validation and 18 fresh held-out clips; only the tuning
// clips are ever looked at one by one), beside ffmpeg's scene score (select='gt(scene,T)', T = 0.3
// as in the unit test, and 0.4 as in ffmpeg's documentation) on the same clips. A reported boundary
// matches a true one when it lies inside its extent ±2 frames (a gradual one by the middle of its
// span), each true boundary matched at most once.
// --errors prints each tuning clip's truth and what was found (never a validation or held-out one).
// --clips DIR keeps the clips in DIR and reuses those already there (the specs are deterministic).
// --no-ffmpeg leaves out ffmpeg's scene score (its rows then read 0).
// --generate-only builds the selected clips and checks their frame counts, and scores nothing.
// Speed: the detector's time per frame (features and decisions, decoding excluded) beside ffmpeg's
// own scene-score pass over the same clips (decode included), timed in the same run.
import { execFile, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { resolveMediaBinaries } from "../src/media/ffmpeg/binaries.js";
import { decodeFrames } from "../src/media/ffmpeg/frame-decoder.js";
import { ShotDetector } from "../src/ingest/shots/shot-detector.js";
import type { ShotBoundary } from "../src/ingest/ingest.types.js";
import { mapInParallel } from "../test/fixtures/parallel.js";
import { peerCommand } from "./peer-command.js";
import { generateSetClip, SHOT_SET, W, type GeneratedSetClip, type SetTruth } from "./shot-set.clips.js";

const run = promisify(execFile);
const bins = resolveMediaBinaries();
const argv = process.argv.slice(2);
const showErrors = argv.includes("--errors");
const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1]!.split(",") : undefined;
const clipDir = argv.includes("--clips") ? argv[argv.indexOf("--clips") + 1] : undefined;
const keep = argv.includes("--keep") || clipDir !== undefined;
const generateOnly = argv.includes("--generate-only");
const withFfmpeg = !argv.includes("--no-ffmpeg");
/**
 * --peer "CMD {}": another detector scored on the same clips; the command prints the times (s) of the
 * boundaries it found as a JSON array (e.g. a wrapper of PySceneDetect's detect()).
 */
const peer = peerCommand(argv.includes("--peer") ? argv[argv.indexOf("--peer") + 1] : undefined);
const SPLITS = ["tuning", "validation", "heldout"] as const;
type Split = (typeof SPLITS)[number];
const splits: readonly Split[] = SPLITS.filter((s) => !only || only.includes(s));
if (only?.some((s) => !SPLITS.some((x) => x === s))) {
  console.error(`--only takes a comma-separated list of ${SPLITS.join(", ")}`);
  process.exit(2);
}

interface Count {
  tp: number;
  fp: number;
  fn: number;
}
const zero = (): Count => ({ tp: 0, fp: 0, fn: 0 });
const addTo = (a: Count, b: Count) => ((a.tp += b.tp), (a.fp += b.fp), (a.fn += b.fn));
const p = (c: Count) => c.tp / Math.max(1, c.tp + c.fp);
const r = (c: Count) => c.tp / Math.max(1, c.tp + c.fn);
const f1 = (c: Count) => (2 * c.tp) / Math.max(1, 2 * c.tp + c.fp + c.fn);
const fmt = (c: Count) =>
  `P=${p(c).toFixed(3)} R=${r(c).toFixed(3)} F1=${f1(c).toFixed(3)} (tp ${c.tp} fp ${c.fp} fn ${c.fn})`;

/** matches truth to found positions; returns the counts and the missed truths / spurious finds */
function score(truth: SetTruth[], found: number[]): Count & { missed: SetTruth[]; spurious: number[] } {
  const used = new Set<number>();
  const missed: SetTruth[] = [];
  for (const t of truth) {
    const i = found.findIndex((at, j) => !used.has(j) && at >= t.startFrame - 2 && at <= t.frame + 2);
    if (i < 0) missed.push(t);
    else used.add(i);
  }
  const spurious = found.filter((_, j) => !used.has(j));
  return { tp: truth.length - missed.length, fp: spurious.length, fn: missed.length, missed, spurious };
}

/** the peer's boundaries on a clip, as frame positions */
async function peerCuts(clip: GeneratedSetClip): Promise<number[]> {
  const { stdout } = await run(peer!.command, peer!.args(clip.path), { maxBuffer: 1 << 24 });
  const times: unknown = JSON.parse(stdout.trim().split("\n").pop()!);
  if (!Array.isArray(times)) throw new Error(`--peer printed no JSON array of times for ${clip.clip.name}`);
  return times.map((t) => Math.round(Number(t) * clip.clip.fps));
}

const position = (b: ShotBoundary) => (b.startFrame !== undefined ? (b.startFrame + b.frame) / 2 : b.frame);

function probe(file: string) {
  const res = spawnSync(bins.ffprobe, ["-v", "error", "-print_format", "json", "-show_streams", file], {
    encoding: "utf8",
  });
  const v = (JSON.parse(res.stdout) as { streams: Array<Record<string, string | number>> }).streams[0]!;
  const [a, b] = String(v.avg_frame_rate).split("/").map(Number);
  return {
    path: file,
    startTime: 0,
    video: {
      streamIndex: Number(v.index),
      width: Number(v.width),
      height: Number(v.height),
      frameRate: (a ?? 0) / (b || 1),
      variableFrameRate: false,
    },
  };
}

async function detect(clip: GeneratedSetClip): Promise<{ found: ShotBoundary[]; frames: number; ms: number }> {
  const detector = new ShotDetector();
  const found: ShotBoundary[] = [];
  let frames = 0;
  let ms = 0;
  for await (const frame of decodeFrames(bins, probe(clip.path), { width: W })) {
    const t0 = performance.now();
    found.push(...detector.push(frame));
    ms += performance.now() - t0;
    frames++;
  }
  found.push(...detector.flush());
  return { found, frames, ms };
}

/** ffmpeg's scene score, one pass: the score of every frame, thresholded afterwards */
async function sceneScores(file: string): Promise<Map<number, number>> {
  const { stderr } = await run(
    bins.ffmpeg,
    [
      "-nostdin",
      "-hide_banner",
      "-i",
      file,
      "-vf",
      "select='gte(scene,0)',metadata=print:key=lavfi.scene_score",
      "-f",
      "null",
      "-",
    ],
    { maxBuffer: 1 << 26 },
  );
  const scores = new Map<number, number>();
  let frame = -1;
  for (const line of stderr.split("\n")) {
    const f = /frame:(\d+)/.exec(line);
    if (f) frame = Number(f[1]);
    const s = /lavfi\.scene_score=([\d.]+)/.exec(line);
    if (s && frame >= 0) scores.set(frame, Number(s[1]));
  }
  return scores;
}

const describeTruth = (t: SetTruth) => (t.name === "cut" ? `C${t.frame}` : `${t.name}:${t.startFrame}-${t.frame}`);
const describeFound = (b: ShotBoundary) =>
  `${b.kind[0]}${b.startFrame !== undefined ? `${b.startFrame}-` : ""}${b.frame}`;

const perSplit = <T>(make: () => T): Record<Split, T> => ({ tuning: make(), validation: make(), heldout: make() });

/** builds the clips, then only checks that each has the frames its layout says */
function checkGenerated(clips: GeneratedSetClip[]): void {
  let bad = 0;
  for (const g of clips) {
    const res = spawnSync(
      bins.ffprobe,
      ["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", g.path],
      { encoding: "utf8" },
    );
    const frames = Number(res.stdout.trim());
    if (frames !== g.frameCount) bad++;
    console.log(
      `${g.clip.name.padEnd(18)} ${g.clip.split.padEnd(10)} ${frames} frames${frames === g.frameCount ? "" : ` (expected ${g.frameCount})`}`,
    );
  }
  console.log(`${clips.length} clips generated, ${bad} with the wrong frame count`);
}

async function main(): Promise<void> {
  const dir = clipDir ?? (await mkdtemp(path.join(tmpdir(), "cinerag-bench-shots-")));
  if (clipDir) await mkdir(clipDir, { recursive: true });
  const specs = SHOT_SET.filter((c) => splits.includes(c.split));
  const t0 = performance.now();
  const clips: GeneratedSetClip[] = await mapInParallel(specs, 2, (spec) =>
    generateSetClip(bins, dir, spec, clipDir !== undefined),
  );
  const genS = (performance.now() - t0) / 1000;
  if (generateOnly) {
    checkGenerated(clips);
    return finish(dir);
  }
  const ours = perSplit(zero);
  const scene3 = perSplit(zero);
  const scene4 = perSplit(zero);
  const peers = perSplit(zero);
  let peerMs = 0;
  const byName = new Map<string, Count>();
  /** recall on hard cuts alone: [ours, scene > 0.3, scene > 0.4] found, of `cuts` */
  const cutHits = perSplit(() => [0, 0, 0]);
  const cuts = perSplit(() => 0);
  const cutsFound = (truth: SetTruth[], missed: SetTruth[]) =>
    truth.filter((t) => t.kind === "CUT" && !missed.includes(t)).length;
  const flashHits: string[] = [];
  let frameTotal = 0;
  let ms = 0;
  let sceneMs = 0;
  for (const g of clips) {
    const split = g.clip.split;
    const d = await detect(g);
    if (d.frames !== g.frameCount)
      console.log(`! ${g.clip.name}: decoded ${d.frames} frames, expected ${g.frameCount}`);
    frameTotal += d.frames;
    ms += d.ms;
    const s = score(g.truth, d.found.map(position));
    addTo(ours[split], s);
    for (const t of split === "tuning" ? g.truth : []) {
      const c = byName.get(t.name) ?? zero();
      if (s.missed.includes(t)) c.fn++;
      else c.tp++;
      byName.set(t.name, c);
    }
    for (const b of d.found)
      if (g.flashFrames.some((f) => Math.abs(f - position(b)) <= 3))
        flashHits.push(split === "tuning" ? `${g.clip.name}:${describeFound(b)}` : `(${split})`);
    const t1 = performance.now();
    const scores = withFfmpeg ? await sceneScores(g.path) : new Map<number, number>();
    sceneMs += performance.now() - t1;
    const above = (t: number) => [...scores].filter(([, v]) => v > t).map(([f]) => f);
    const [s3, s4] = [score(g.truth, above(0.3)), score(g.truth, above(0.4))];
    addTo(scene3[split], s3);
    addTo(scene4[split], s4);
    if (peer) {
      const t2 = performance.now();
      addTo(peers[split], score(g.truth, await peerCuts(g)));
      peerMs += performance.now() - t2;
    }
    cuts[split] += g.truth.filter((t) => t.kind === "CUT").length;
    [s, s3, s4].forEach((x, k) => (cutHits[split][k]! += cutsFound(g.truth, x.missed)));
    const line = `${g.clip.name.padEnd(16)} crf ${g.clip.crf} noise ${String(g.clip.noise).padEnd(2)} ${split.padEnd(7)} F1=${f1(s).toFixed(2)}`;
    if (showErrors && split === "tuning")
      console.log(
        `${line}\n    truth ${g.truth.map(describeTruth).join(" ")}\n    found ${d.found.map(describeFound).join(" ")}` +
          (s.missed.length || s.spurious.length
            ? `\n    missed ${s.missed.map(describeTruth).join(" ")}  spurious ${s.spurious.join(" ")}`
            : ""),
      );
  }
  const inSplit = (split: Split) => clips.filter((c) => c.clip.split === split);
  const truths = (split: Split) => inSplit(split).reduce((n, c) => n + c.truth.length, 0);
  const out = [
    `shot set: ${clips.length} clips (${splits.map((s) => `${inSplit(s).length} ${s}`).join(", ")}), ${frameTotal} frames, generated in ${genS.toFixed(1)} s`,
    `boundaries: ${splits.map((s) => `${s} ${truths(s)}`).join(", ")}`,
  ];
  for (const split of splits) {
    out.push(
      `${split.padEnd(10)} cinerag            ${fmt(ours[split])}`,
      `${split.padEnd(10)} ffmpeg scene>0.3   ${fmt(scene3[split])}`,
      `${split.padEnd(10)} ffmpeg scene>0.4   ${fmt(scene4[split])}`,
      ...(peer ? [`${split.padEnd(10)} peer ${peer.name.padEnd(13)} ${fmt(peers[split])}`] : []),
      `${split.padEnd(10)} recall on hard cuts alone (${cuts[split]}): ` +
        ["cinerag", "ffmpeg >0.3", "ffmpeg >0.4"]
          .map((who, k) => `${who} ${(cutHits[split][k]! / Math.max(1, cuts[split])).toFixed(3)}`)
          .join(", "),
    );
  }
  if (showErrors) {
    // recall per transition, like the rows above, for the tuning clips only: the others stay unseen
    out.push("tuning recall by transition:");
    out.push(
      "  " +
        [...byName]
          .sort()
          .map(([n, c]) => `${n} ${c.tp}/${c.tp + c.fn}`)
          .join(", "),
    );
  }
  const perFrame = ms / Math.max(1, frameTotal);
  const scenePerFrame = sceneMs / Math.max(1, frameTotal);
  out.push(
    `boundaries reported at a flash: ${flashHits.length}${flashHits.length ? ` (${flashHits.join(" ")})` : ""}`,
    `detector ${perFrame.toFixed(3)} ms/frame (${Math.round(1000 / Math.max(1e-9, perFrame))} frames/s), ` +
      `ffmpeg's scene pass ${scenePerFrame.toFixed(3)} ms/frame with its decode: ratio ${(perFrame / Math.max(1e-9, scenePerFrame)).toFixed(2)}`,
    ...(peer ? [`peer ${(peerMs / Math.max(1, frameTotal)).toFixed(3)} ms/frame with its decode and start-up`] : []),
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(out.join("\n"));
  await finish(dir);
}

async function finish(dir: string): Promise<void> {
  if (keep) console.log(`clips kept in ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
