// Tells apart the kinds of gradual change once the detector has a window [A … B] where the picture
// moved from one stable state (A, the frame before) to another (B, the frame after):
//
//  null      A and B have the same layout (pooled-thumbnail correlation ≥ SAME_LAYOUT): one shot
//            whose lighting or exposure changed. Or B is A zoomed (some centred zoom explains B
//            much better than no zoom): a fast zoom, not an edit.
//  FADE      some frame is dark and flat (a fade through black, whatever its shape).
//  WIPE      each region switches from A to B at once, at its own time: per cell, a step
//            (A until k, B after) explains the frames far better than a common linear ramp, and
//            the switch times spread over the transition.
//  DISSOLVE  every region of the middle third is a mix of A and B with one common weight (a
//            linear blend fits with a small residual).
//  null      none of these: motion, not an edit.
//
// Comparisons use 4x4-pooled thumbnails (12x6 cells of ~27 px at 320 wide): the shots' own motion
// (textures, small moving objects) mostly averages out inside a cell, an edit does not.
import { THUMB_H, THUMB_W, zoomedDistance, type FrameFeatures } from "./frame-features.js";

const POOL = 4;
const PW = Math.floor(THUMB_W / POOL);
const PH = Math.floor(THUMB_H / POOL);

/** a frame is black (fade) when it is both dark and flat: dark alone would include night scenes */
export const DARK_MEAN = 0.1;
export const DARK_STD = 0.05;

/** the sweep fit uses only clearly changed cells: a textured cell that barely changes has a random switch time */
const SWEEP_CELL_CHANGE = 0.1;
/** largest blend residual (share of |B - A|) for a dissolve */
const DISSOLVE_RESIDUAL = 0.55;

export type GradualKind = "DISSOLVE" | "FADE" | "WIPE";

export function isDark(f: FrameFeatures): boolean {
  return f.mean < DARK_MEAN && f.std < DARK_STD;
}

export function pooled(f: FrameFeatures, out = new Float32Array(PW * PH)): Float32Array {
  out.fill(0);
  for (let y = 0; y < PH * POOL; y++) {
    for (let x = 0; x < PW * POOL; x++)
      out[Math.floor(y / POOL) * PW + Math.floor(x / POOL)]! += f.thumb[y * THUMB_W + x]!;
  }
  for (let c = 0; c < out.length; c++) out[c] = out[c]! / (POOL * POOL);
  return out;
}

/** residual of the best single-weight blend A + w (B - A) for frame q, as a share of |B - A| */
export function blendError(a: Float32Array, b: Float32Array, q: Float32Array): number {
  let dot = 0;
  let norm = 0;
  for (let c = 0; c < a.length; c++) {
    const ab = b[c]! - a[c]!;
    dot += (q[c]! - a[c]!) * ab;
    norm += ab * ab;
  }
  const weight = norm > 0 ? Math.min(1, Math.max(0, dot / norm)) : 0;
  let res = 0;
  let span = 0;
  for (let c = 0; c < a.length; c++) {
    const ab = b[c]! - a[c]!;
    res += Math.abs(q[c]! - a[c]! - weight * ab);
    span += Math.abs(ab);
  }
  return span > 0 ? res / span : 1;
}

/**
 * When each changed cell crossed half-way from A to B, as a share of the transition (0…1), with
 * the cell's position. A wipe's edge sweeps the picture: crossing times spread over the whole
 * transition and follow the position (a plane in x, y). A dissolve changes every cell together.
 */
function crossingTimes(
  a: Float32Array,
  b: Float32Array,
  frames: Float32Array[],
): Array<{ x: number; y: number; t: number }> {
  const out: Array<{ x: number; y: number; t: number }> = [];
  for (let c = 0; c < a.length; c++) {
    if (Math.abs(b[c]! - a[c]!) < SWEEP_CELL_CHANGE) continue;
    out.push({ x: c % PW, y: Math.floor(c / PW), t: (stepIndex(frames, c, a[c]!, b[c]!) + 0.5) / (frames.length + 1) });
  }
  return out;
}

/**
 * The switch point k that best explains cell c as "A before k, B from k on" (least absolute error).
 * Robust to the texture and motion noise that makes a first-crossing test fire early or late.
 */
function stepIndex(frames: Float32Array[], c: number, a: number, b: number): number {
  return bestStep(frames, c, a, b).k;
}

/** error(k) = sum_{i<k} |q_i - a| + sum_{i>=k} |q_i - b|, minimised over k with a running sum */
function bestStep(frames: Float32Array[], c: number, a: number, b: number): { k: number; err: number } {
  let err = 0;
  for (const f of frames) err += Math.abs(f[c]! - b);
  let best = err;
  let bestK = 0;
  for (let k = 1; k <= frames.length; k++) {
    const q = frames[k - 1]![c]!;
    err += Math.abs(q - a) - Math.abs(q - b);
    if (err < best) [best, bestK] = [err, k];
  }
  return { k: bestK, err: best };
}

/**
 * How much better a per-cell step (A until some frame, B after) explains the changed cells than a
 * common linear ramp from A to B: below 1 a wipe (each region switches at once, at its own
 * time), above 1 a dissolve (every region moves gradually together).
 */
export function stepToRampError(a: Float32Array, b: Float32Array, frames: Float32Array[]): number {
  let step = 0;
  let ramp = 0;
  const n = frames.length;
  for (let c = 0; c < a.length; c++) {
    if (Math.abs(b[c]! - a[c]!) < SWEEP_CELL_CHANGE) continue;
    step += bestStep(frames, c, a[c]!, b[c]!).err;
    for (let i = 0; i < n; i++) ramp += Math.abs(frames[i]![c]! - (a[c]! + ((b[c]! - a[c]!) * (i + 1)) / (n + 1)));
  }
  return ramp > 0 ? step / ramp : 1;
}

/** zoom factors tried between A and B (a fast zoom can double the magnification in half a second) */
const ZOOM_RANGE = [0.45, 0.55, 0.65, 0.75, 0.85, 1.18, 1.35, 1.55, 1.8, 2.2];
/** B is A zoomed when some zoom brings their distance below this share of the plain distance
 * (measured: real zooms 0.2-0.4, unrelated shots 0.6-1) */
const ZOOM_SHARE = 0.45;

/** B is (mostly) A magnified or shrunk about the centre: a zoom, not an edit. */
export function zoomExplains(before: FrameFeatures, after: FrameFeatures): boolean {
  const plain = zoomedDistance(before.thumb, after.thumb, 1);
  return ZOOM_RANGE.some((z) => zoomedDistance(before.thumb, after.thumb, z) < ZOOM_SHARE * plain);
}

/** Pearson correlation of two pooled thumbnails: the same layout (same shot, other lighting) is near 1. */
export function layoutCorrelation(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let ma = 0,
    mb = 0;
  for (let c = 0; c < n; c++) [ma, mb] = [ma + a[c]! / n, mb + b[c]! / n];
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let c = 0; c < n; c++) {
    const [x, y] = [a[c]! - ma, b[c]! - mb];
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** spread (standard deviation) of the crossing times and the R² of a plane fit t = k0 + k1 x + k2 y */
export function sweepFit(points: Array<{ x: number; y: number; t: number }>): { spread: number; r2: number } {
  const n = points.length;
  if (n < 6) return { spread: 0, r2: 0 };
  const mean = (f: (p: { x: number; y: number; t: number }) => number) => points.reduce((s, p) => s + f(p), 0) / n;
  const mx = mean((p) => p.x);
  const my = mean((p) => p.y);
  const mt = mean((p) => p.t);
  let sxx = 0,
    syy = 0,
    sxy = 0,
    sxt = 0,
    syt = 0,
    stt = 0;
  for (const p of points) {
    const [x, y, t] = [p.x - mx, p.y - my, p.t - mt];
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
    sxt += x * t;
    syt += y * t;
    stt += t * t;
  }
  const det = sxx * syy - sxy * sxy;
  if (stt === 0 || det === 0) return { spread: Math.sqrt(stt / n), r2: 0 };
  const k1 = (sxt * syy - syt * sxy) / det;
  const k2 = (syt * sxx - sxt * sxy) / det;
  return { spread: Math.sqrt(stt / n), r2: (k1 * sxt + k2 * syt) / stt };
}

/** crossing times spread at least this much for a wipe (a uniform sweep gives ~0.29, a dissolve ~0) */
const WIPE_SPREAD = 0.15;
/** …and follow the position this well (a straight sweep) */
const WIPE_R2 = 0.6;
/** …or switch cell by cell: steps explain the cells this much better than a common ramp
 * (measured on the test set: wipes 0.34-0.5, up to ~0.8 over busy textures; dissolves 1.1-3.2) */
const WIPE_STEP_RATIO = 0.85;
/** A and B this alike in layout are one shot under changing light (or exposure), not two shots */
const SAME_LAYOUT = 0.85;

/**
 * Classifies the gradual change from `before` to `after` through `middle` (the frames in between,
 * oldest first): FADE if anything is black; WIPE if cells switch one after another along a sweep;
 * DISSOLVE if the middle third is a blend of A and B; otherwise null (motion, not an edit). A and
 * B with the same layout (correlation ≥ SAME_LAYOUT) are one shot whose lighting changed: null.
 */
export function classifyGradual(
  before: FrameFeatures,
  after: FrameFeatures,
  middle: FrameFeatures[],
): GradualKind | null {
  if (middle.some(isDark) || isDark(before) || isDark(after)) return "FADE";
  if (middle.length === 0) return null;
  const a = pooled(before);
  const b = pooled(after);
  if (layoutCorrelation(a, b) >= SAME_LAYOUT || zoomExplains(before, after)) return null;
  const frames = middle.map((f) => pooled(f));
  const sweep = sweepFit(crossingTimes(a, b, frames));
  const stepRatio = stepToRampError(a, b, frames);
  if (sweep.spread >= WIPE_SPREAD && (stepRatio <= WIPE_STEP_RATIO || sweep.r2 >= WIPE_R2)) return "WIPE";
  return blendResidual(a, b, frames) <= DISSOLVE_RESIDUAL ? "DISSOLVE" : null;
}

/** mean blend residual over the middle third (near its ends every kind looks like A or B) */
function blendResidual(a: Float32Array, b: Float32Array, frames: Float32Array[]): number {
  const lo = Math.floor(frames.length / 3);
  const hi = Math.max(lo + 1, Math.ceil((frames.length * 2) / 3));
  let residual = 0;
  for (let i = lo; i < hi; i++) residual += blendError(a, b, frames[i]!);
  return residual / (hi - lo);
}
