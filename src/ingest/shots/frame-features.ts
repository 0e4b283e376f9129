// The small per-frame summary the shot detector works on, computed in one pass over a sparse
// sample of the decoded RGB frame (every 2nd pixel of every 2nd row: 1/4 of the pixels, plenty for
// statistics at this resolution and ~4x cheaper).
//
//  - `thumb`: a THUMB_W x THUMB_H luma thumbnail (cell means). Layout-sensitive: two shots with the
//    same colours but different content differ here. Coarse enough that noise, film grain and
//    small moving details average out; fine enough (about 7 px cells at 320 wide) that a global
//    shift search can follow a fast pan (see `motionDistance`).
//  - `hist`: a 64-bin RGB histogram (2 bits per channel), normalised. Position-free, so camera
//    and object motion barely move it while a change of shot usually moves it a lot.
//  - `quad`: the same histogram per quadrant (2x2). Still position-tolerant inside a quadrant, but
//    it sees a change of layout in colour that neither the global histogram (same colours, same
//    amounts) nor the luma thumbnail (colours of equal brightness) sees: a cut between two angles
//    of one place. Free: every sample goes into its quadrant's histogram, the global one is their sum.
//  - `mean` / `std`: global luma mean and standard deviation in [0, 1]. Black frames of a fade
//    are dark *and* flat (low std), flashes are bright; both are read from these.
import type { Frame } from "../../media/media.port.js";

export const THUMB_W = 48;
export const THUMB_H = 27;
export const HIST_BINS = 64;

export interface FrameFeatures {
  index: number;
  time: number;
  thumb: Float32Array;
  hist: Float32Array;
  /** 4 x HIST_BINS: top-left, top-right, bottom-left, bottom-right */
  quad: Float32Array;
  mean: number;
  std: number;
}

/** Precomputed sample positions → thumbnail cells, per frame size (cheap to rebuild on change). */
class SampleGrid {
  readonly xs: Int32Array;
  readonly ys: Int32Array;
  readonly cellOfX: Int32Array;
  readonly cellOfY: Int32Array;
  readonly cellCount: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const step = width >= 96 ? 2 : 1;
    this.xs = Int32Array.from({ length: Math.ceil(width / step) }, (_, i) => i * step);
    this.ys = Int32Array.from({ length: Math.ceil(height / step) }, (_, i) => i * step);
    this.cellOfX = this.xs.map((x) => Math.min(THUMB_W - 1, Math.floor((x * THUMB_W) / width)));
    this.cellOfY = this.ys.map((y) => Math.min(THUMB_H - 1, Math.floor((y * THUMB_H) / height)));
    this.cellCount = new Float32Array(THUMB_W * THUMB_H);
    for (const cy of this.cellOfY) for (const cx of this.cellOfX) this.cellCount[cy * THUMB_W + cx]! += 1;
  }
}

export class FeatureExtractor {
  private grid?: SampleGrid;

  extract(frame: Frame, out?: FrameFeatures): FrameFeatures {
    if (this.grid?.width !== frame.width || this.grid.height !== frame.height)
      this.grid = new SampleGrid(frame.width, frame.height);
    const f = out ?? newFeatures();
    f.index = frame.index;
    f.time = frame.time;
    accumulate(this.grid, frame, f);
    return f;
  }
}

function accumulate(grid: SampleGrid, frame: Frame, f: FrameFeatures): void {
  f.thumb.fill(0);
  f.quad.fill(0);
  const rowBytes = frame.width * 3;
  let sum = 0;
  let sumSq = 0;
  for (let j = 0; j < grid.ys.length; j++) {
    const row = grid.ys[j]! * rowBytes;
    const cellRow = grid.cellOfY[j]! * THUMB_W;
    const histRow = (j & 1) === 0;
    const quadRow = grid.cellOfY[j]! < THUMB_H / 2 ? 0 : 2 * HIST_BINS;
    for (let i = 0; i < grid.xs.length; i++) {
      const o = row + grid.xs[i]! * 3;
      const r = frame.data[o]!;
      const g = frame.data[o + 1]!;
      const b = frame.data[o + 2]!;
      const y = (r * 77 + g * 150 + b * 29) >> 8;
      f.thumb[cellRow + grid.cellOfX[i]!]! += y;
      if (histRow && (i & 1) === 0)
        softBin(f.quad, quadRow + (grid.cellOfX[i]! < THUMB_W / 2 ? 0 : HIST_BINS), r, g, b);
      sum += y;
      sumSq += y * y;
    }
  }
  normalise(grid, f, sum, sumSq);
}

function normalise(grid: SampleGrid, f: FrameFeatures, sum: number, sumSq: number): void {
  const n = grid.xs.length * grid.ys.length;
  for (let c = 0; c < f.thumb.length; c++) f.thumb[c] = f.thumb[c]! / (grid.cellCount[c]! * 255);
  f.hist.fill(0);
  let total = 0;
  for (let q = 0; q < 4; q++) {
    let inQuad = 0;
    for (let k = 0; k < HIST_BINS; k++) inQuad += f.quad[q * HIST_BINS + k]!;
    for (let k = 0; k < HIST_BINS; k++) {
      f.hist[k]! += f.quad[q * HIST_BINS + k]!;
      f.quad[q * HIST_BINS + k] = inQuad > 0 ? f.quad[q * HIST_BINS + k]! / inQuad : 0;
    }
    total += inQuad;
  }
  for (let k = 0; k < HIST_BINS; k++) f.hist[k] = f.hist[k]! / total;
  const mean = sum / n;
  f.mean = mean / 255;
  f.std = Math.sqrt(Math.max(0, sumSq / n - mean * mean)) / 255;
}

/** per channel value: lower bin (0-2) and the weight of the bin above it (bin centres 32, 96, 160, 224) */
const BIN_LO = new Uint8Array(256);
const BIN_W = new Float32Array(256);
for (let v = 0; v < 256; v++) {
  const x = Math.min(3, Math.max(0, (v - 32) / 64));
  BIN_LO[v] = Math.min(2, Math.floor(x));
  BIN_W[v] = x - BIN_LO[v]!;
}

/**
 * Trilinear soft binning into the 4x4x4 histogram. Hard bins make flat areas jump from one bin to
 * the next all at once when a dissolve or a fade shifts their colour by a few levels; shared
 * weights make the histogram move smoothly with the colour. Unrolled, with lookup tables: this
 * runs for every sampled pixel.
 */
function softBin(hist: Float32Array, offset: number, r: number, g: number, b: number): void {
  const ri = BIN_LO[r]! << 4;
  const gi = BIN_LO[g]! << 2;
  const bi = BIN_LO[b]!;
  const rw = BIN_W[r]!;
  const gw = BIN_W[g]!;
  const bw = BIN_W[b]!;
  const base = offset + (ri | gi | bi);
  const w00 = (1 - rw) * (1 - gw);
  const w01 = (1 - rw) * gw;
  const w10 = rw * (1 - gw);
  const w11 = rw * gw;
  hist[base]! += w00 * (1 - bw);
  hist[base + 1]! += w00 * bw;
  hist[base + 4]! += w01 * (1 - bw);
  hist[base + 5]! += w01 * bw;
  hist[base + 16]! += w10 * (1 - bw);
  hist[base + 17]! += w10 * bw;
  hist[base + 20]! += w11 * (1 - bw);
  hist[base + 21]! += w11 * bw;
}

/** Half the L1 distance of two normalised histograms: 0 = same colours, 1 = no colour in common. */
export function histogramDistance(a: FrameFeatures, b: FrameFeatures): number {
  let d = 0;
  for (let k = 0; k < HIST_BINS; k++) d += Math.abs(a.hist[k]! - b.hist[k]!);
  return d / 2;
}

/** Mean over the quadrants of their histogram distances: colour changes that moved across the picture. */
export function quadrantDistance(a: FrameFeatures, b: FrameFeatures): number {
  let d = 0;
  for (let k = 0; k < 4 * HIST_BINS; k++) d += Math.abs(a.quad[k]! - b.quad[k]!);
  return d / 8;
}

export function newFeatures(): FrameFeatures {
  return {
    index: 0,
    time: 0,
    thumb: new Float32Array(THUMB_W * THUMB_H),
    hist: new Float32Array(HIST_BINS),
    quad: new Float32Array(4 * HIST_BINS),
    mean: 0,
    std: 0,
  };
}

/** Mean absolute luma difference of the thumbnails with `b` shifted by (dx, dy), over the overlap. */
export function shiftedDistance(a: Float32Array, b: Float32Array, dx: number, dy: number): number {
  let d = 0;
  const x0 = Math.max(0, -dx);
  const x1 = Math.min(THUMB_W, THUMB_W - dx);
  const y0 = Math.max(0, -dy);
  const y1 = Math.min(THUMB_H, THUMB_H - dy);
  for (let y = y0; y < y1; y++) {
    const ra = y * THUMB_W;
    const rb = (y + dy) * THUMB_W + dx;
    for (let x = x0; x < x1; x++) d += Math.abs(a[ra + x]! - b[rb + x]!);
  }
  return d / ((x1 - x0) * (y1 - y0));
}

/** Largest global shift searched, in thumbnail cells (≈ 7 px each at 320 wide: pans up to ~35 px/frame). */
export const MAX_SHIFT = 5;

/**
 * Motion-compensated thumbnail distance: the smallest mean difference over global shifts of up to
 * MAX_SHIFT cells. A pan or a tilt only moves the picture, so some shift lines it up again and the
 * distance stays small; a new shot does not line up at any shift. Coarse-to-fine to stay cheap:
 * every 2nd shift first, then the 8 neighbours of the best one.
 */
export function motionDistance(a: Float32Array, b: Float32Array): number {
  let best = shiftedDistance(a, b, 0, 0);
  let bx = 0;
  let by = 0;
  for (let dy = -MAX_SHIFT + 1; dy <= MAX_SHIFT - 1; dy += 2) {
    for (let dx = -MAX_SHIFT; dx <= MAX_SHIFT; dx += 2) {
      const d = shiftedDistance(a, b, dx, dy);
      if (d < best) [best, bx, by] = [d, dx, dy];
    }
  }
  for (let dy = by - 1; dy <= by + 1; dy++) {
    for (let dx = bx - 1; dx <= bx + 1; dx++) {
      if ((dx === bx && dy === by) || Math.abs(dx) > MAX_SHIFT || Math.abs(dy) > MAX_SHIFT) continue;
      best = Math.min(best, shiftedDistance(a, b, dx, dy));
    }
  }
  return best;
}

/** zoom factors tried by `zoomDistance` (about ±10 % a frame: a fast zoom) */
const ZOOMS = [0.92, 0.96, 1.04, 1.08];

/** Mean difference between `a` and `b` magnified by `scale` about the centre (bilinear), over the overlap. */
export function zoomedDistance(a: Float32Array, b: Float32Array, scale: number): number {
  const cx = (THUMB_W - 1) / 2;
  const cy = (THUMB_H - 1) / 2;
  let d = 0;
  let n = 0;
  for (let y = 0; y < THUMB_H; y++) {
    const sy = cy + (y - cy) / scale;
    if (sy < 0 || sy > THUMB_H - 1) continue;
    const y0 = Math.min(THUMB_H - 2, Math.floor(sy));
    const fy = sy - y0;
    for (let x = 0; x < THUMB_W; x++) {
      const sx = cx + (x - cx) / scale;
      if (sx < 0 || sx > THUMB_W - 1) continue;
      const x0 = Math.min(THUMB_W - 2, Math.floor(sx));
      const fx = sx - x0;
      const o = y0 * THUMB_W + x0;
      const top = b[o]! + fx * (b[o + 1]! - b[o]!);
      const bottom = b[o + THUMB_W]! + fx * (b[o + THUMB_W + 1]! - b[o + THUMB_W]!);
      d += Math.abs(a[y * THUMB_W + x]! - (top + fy * (bottom - top)));
      n++;
    }
  }
  return n > 0 ? d / n : 1;
}

/** Motion-compensated distance allowing a global shift or a centred zoom (pans, tilts, zooms). */
export function cameraDistance(a: Float32Array, b: Float32Array): number {
  let best = motionDistance(a, b);
  // a still picture or one a shift already explains needs no zoom search
  if (best < 0.01) return best;
  for (const z of ZOOMS) best = Math.min(best, zoomedDistance(a, b, z));
  return best;
}

/** Plain (unshifted) thumbnail distance. */
export function thumbDistance(a: FrameFeatures, b: FrameFeatures): number {
  return shiftedDistance(a.thumb, b.thumb, 0, 0);
}
