// npm run bench:shots [-- --errors] [--only tuning|heldout] [--keep]: shot-boundary precision, recall
// and F1 of our detector (src/ingest/shots) on a wider generated set (bench/shot-set.clips.ts: 45
// clips, 30 tuning, 15 held out and never tuned on), beside ffmpeg's scene score
// (select='gt(scene,T)', T = 0.3 as in the unit test, and 0.4 as in ffmpeg's documentation) on the
// same clips. A reported boundary matches a true one when it lies inside its extent ±2 frames (a
// gradual one by the middle of its span), each true boundary matched at most once.
// --errors prints each tuning clip's truth and what was found (never the held-out ones).
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { resolveMediaBinaries } from "../src/media/ffmpeg/binaries.js";
import { decodeFrames } from "../src/media/ffmpeg/frame-decoder.js";
import { ShotDetector } from "../src/ingest/shots/shot-detector.js";
import type { ShotBoundary } from "../src/ingest/ingest.types.js";
import { mapInParallel } from "../test/fixtures/parallel.js";
import { generateSetClip, SHOT_SET, W, type GeneratedSetClip, type SetTruth } from "./shot-set.clips.js";

const run = promisify(execFile);
const bins = resolveMediaBinaries();
const argv = process.argv.slice(2);
const showErrors = argv.includes("--errors");
const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : undefined;
const keep = argv.includes("--keep");

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

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "cinerag-bench-shots-"));
  const specs = SHOT_SET.filter((c) => !only || c.split === only);
  const t0 = performance.now();
  const clips: GeneratedSetClip[] = await mapInParallel(specs, 2, (spec) => generateSetClip(bins, dir, spec));
  const genS = (performance.now() - t0) / 1000;
  const ours = { tuning: zero(), heldout: zero() };
  const scene3 = { tuning: zero(), heldout: zero() };
  const scene4 = { tuning: zero(), heldout: zero() };
  const byName = new Map<string, Count>();
  /** recall on hard cuts alone: [ours, scene > 0.3, scene > 0.4] found, of `cuts` */
  const cutHits = { tuning: [0, 0, 0], heldout: [0, 0, 0] };
  const cuts = { tuning: 0, heldout: 0 };
  const cutsFound = (truth: SetTruth[], missed: SetTruth[]) =>
    truth.filter((t) => t.kind === "CUT" && !missed.includes(t)).length;
  const flashHits: string[] = [];
  let frameTotal = 0;
  let ms = 0;
  for (const g of clips) {
    const d = await detect(g);
    if (d.frames !== g.frameCount)
      console.log(`! ${g.clip.name}: decoded ${d.frames} frames, expected ${g.frameCount}`);
    frameTotal += d.frames;
    ms += d.ms;
    const s = score(g.truth, d.found.map(position));
    addTo(ours[g.clip.split], s);
    for (const t of g.clip.split === "tuning" ? g.truth : []) {
      const c = byName.get(t.name) ?? zero();
      if (s.missed.includes(t)) c.fn++;
      else c.tp++;
      byName.set(t.name, c);
    }
    for (const b of d.found)
      if (g.flashFrames.some((f) => Math.abs(f - position(b)) <= 3))
        flashHits.push(g.clip.split === "tuning" ? `${g.clip.name}:${describeFound(b)}` : "(held out)");
    const scores = await sceneScores(g.path);
    const above = (t: number) => [...scores].filter(([, v]) => v > t).map(([f]) => f);
    const [s3, s4] = [score(g.truth, above(0.3)), score(g.truth, above(0.4))];
    addTo(scene3[g.clip.split], s3);
    addTo(scene4[g.clip.split], s4);
    cuts[g.clip.split] += g.truth.filter((t) => t.kind === "CUT").length;
    [s, s3, s4].forEach((x, k) => (cutHits[g.clip.split][k]! += cutsFound(g.truth, x.missed)));
    const line = `${g.clip.name.padEnd(16)} crf ${g.clip.crf} noise ${String(g.clip.noise).padEnd(2)} ${g.clip.split.padEnd(7)} F1=${f1(s).toFixed(2)}`;
    if (showErrors && g.clip.split === "tuning")
      console.log(
        `${line}\n    truth ${g.truth.map(describeTruth).join(" ")}\n    found ${d.found.map(describeFound).join(" ")}` +
          (s.missed.length || s.spurious.length
            ? `\n    missed ${s.missed.map(describeTruth).join(" ")}  spurious ${s.spurious.join(" ")}`
            : ""),
      );
  }
  const truths = (split: string) => clips.filter((c) => c.clip.split === split).reduce((n, c) => n + c.truth.length, 0);
  const out = [
    `shot set: ${clips.length} clips (${clips.filter((c) => c.clip.split === "tuning").length} tuning, ${clips.filter((c) => c.clip.split === "heldout").length} held out), ${frameTotal} frames, generated in ${genS.toFixed(1)} s`,
    `boundaries: tuning ${truths("tuning")}, held out ${truths("heldout")}`,
  ];
  for (const split of ["tuning", "heldout"] as const) {
    if (only && only !== split) continue;
    out.push(
      `${split.padEnd(8)} cinerag            ${fmt(ours[split])}`,
      `${split.padEnd(8)} ffmpeg scene>0.3   ${fmt(scene3[split])}`,
      `${split.padEnd(8)} ffmpeg scene>0.4   ${fmt(scene4[split])}`,
      `${split.padEnd(8)} recall on hard cuts alone (${cuts[split]}): ` +
        ["cinerag", "ffmpeg >0.3", "ffmpeg >0.4"]
          .map((who, k) => `${who} ${(cutHits[split][k]! / Math.max(1, cuts[split])).toFixed(3)}`)
          .join(", "),
    );
  }
  if (showErrors) {
    // recall per transition, like the rows above, for the tuning clips only: the held-out ones stay unseen
    out.push("tuning recall by transition:");
    out.push(
      "  " +
        [...byName]
          .sort()
          .map(([n, c]) => `${n} ${c.tp}/${c.tp + c.fn}`)
          .join(", "),
    );
  }
  out.push(
    `boundaries reported at a flash: ${flashHits.length}${flashHits.length ? ` (${flashHits.join(" ")})` : ""}`,
    `detector ${(ms / Math.max(1, frameTotal)).toFixed(3)} ms/frame; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(out.join("\n"));
  if (keep) console.log(`clips kept in ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
