// Visual statistics of one (downscaled, packed RGB24) frame: what a keyframe record stores, plus a
// compact colour histogram used to compare shots when grouping them into scenes.
//
// Everything works on the gamma-encoded 8-bit values as decoded (no linearisation): brightness is
// Rec.709 luma Y' = 0.2126 R' + 0.7152 G' + 0.0722 B', the usual "video" definition.
//
// Cost: one pass over (a grid subsample of) the pixels. Frames up to ~65 000 pixels (320x180 is
// 57 600) are read in full; larger frames are read on a regular grid so that about that many pixels
// are visited. The palette is k-means over a 16x16x16 RGB quantisation of those pixels (each occupied
// cell weighted by its pixel count and placed at the exact mean colour of its pixels), so a frame of a
// few flat colours yields exactly those colours and their exact shares.
import type { Frame } from "../../media/media.port.js";
import type { PaletteColour, VisualStats } from "../ingest.types.js";
import { mulberry32 } from "../../util/prng.js";

/** Pixels visited per frame before the statistics switch to a grid subsample. */
const STATS_PIXEL_BUDGET = 65_536;
/** Pixels visited by the histogram (it only feeds a coarse similarity). */
const HISTOGRAM_PIXEL_BUDGET = 16_384;

const PALETTE_SIZE = 5;
const KMEANS_ITERATIONS = 12;
const KMEANS_SEED = 0x5eed_c01;

function checkFrame(frame: Pick<Frame, "width" | "height" | "data">): void {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`invalid frame size ${width}x${height}`);
  }
  if (data.length < width * height * 3) {
    throw new RangeError(
      `frame data has ${data.length} bytes, expected ${width * height * 3} for ${width}x${height} RGB24`,
    );
  }
}

/** Grid step (in both directions) so that about `budget` pixels are visited. */
function gridStep(width: number, height: number, budget: number): number {
  const pixels = width * height;
  return pixels <= budget ? 1 : Math.ceil(Math.sqrt(pixels / budget));
}

/** Offset of the first sampled row/column so that the grid is centred in the frame. */
function gridOffset(size: number, step: number): number {
  if (step === 1) return 0;
  const count = Math.ceil(size / step);
  return Math.min(size - 1, Math.floor((size - (count - 1) * step - 1) / 2));
}

const hex2 = (v: number) =>
  Math.max(0, Math.min(255, Math.round(v)))
    .toString(16)
    .padStart(2, "0");
export const toHex = (r: number, g: number, b: number): string => `#${hex2(r)}${hex2(g)}${hex2(b)}`;

// Scratch space reused between calls (single-threaded; nothing escapes a call).
const QBINS = 4096;
const qCount = new Uint32Array(QBINS);
const qSumR = new Float64Array(QBINS);
const qSumG = new Float64Array(QBINS);
const qSumB = new Float64Array(QBINS);

export function computeVisualStats(frame: Frame | Pick<Frame, "width" | "height" | "data">): VisualStats {
  checkFrame(frame);
  const { width, height, data } = frame;
  const step = gridStep(width, height, STATS_PIXEL_BUDGET);
  const x0 = gridOffset(width, step);
  const y0 = gridOffset(height, step);

  qCount.fill(0);
  qSumR.fill(0);
  qSumG.fill(0);
  qSumB.fill(0);

  let n = 0;
  let sumY = 0;
  let sumY2 = 0;
  let sumS = 0;
  let sumRg = 0;
  let sumRg2 = 0;
  let sumYb = 0;
  let sumYb2 = 0;
  const rowStride = width * 3;
  const pxStride = step * 3;
  // Sums are taken relative to the first sampled pixel (a shift) so that the variances of flat frames
  // come out exactly 0 instead of suffering cancellation in E[x²] - E[x]².
  const first = y0 * rowStride + x0 * 3;
  const kY = 0.2126 * data[first]! + 0.7152 * data[first + 1]! + 0.0722 * data[first + 2]!;
  const kRg = data[first]! - data[first + 1]!;
  const kYb = 0.5 * (data[first]! + data[first + 1]!) - data[first + 2]!;
  for (let y = y0; y < height; y += step) {
    const rowEnd = y * rowStride + rowStride;
    for (let p = y * rowStride + x0 * 3; p < rowEnd; p += pxStride) {
      const r = data[p]!;
      const g = data[p + 1]!;
      const b = data[p + 2]!;
      const luma = 0.2126 * r + 0.7152 * g + 0.0722 * b - kY;
      sumY += luma;
      sumY2 += luma * luma;
      const max = r > g ? (r > b ? r : b) : g > b ? g : b;
      const min = r < g ? (r < b ? r : b) : g < b ? g : b;
      if (max > 0) sumS += (max - min) / max;
      const rg = r - g - kRg;
      const yb = 0.5 * (r + g) - b - kYb;
      sumRg += rg;
      sumRg2 += rg * rg;
      sumYb += yb;
      sumYb2 += yb * yb;
      const q = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
      qCount[q]!++;
      qSumR[q]! += r;
      qSumG[q]! += g;
      qSumB[q]! += b;
      n++;
    }
  }

  const dY = sumY / n;
  const varY = Math.max(0, sumY2 / n - dY * dY);
  const meanY = kY + dY;
  const dRg = sumRg / n;
  const dYb = sumYb / n;
  const varRg = Math.max(0, sumRg2 / n - dRg * dRg);
  const varYb = Math.max(0, sumYb2 / n - dYb * dYb);
  const meanRg = kRg + dRg;
  const meanYb = kYb + dYb;
  // Hasler & Süsstrunk (2003): M = σ_rgyb + 0.3 μ_rgyb on the 0..255 scale.
  const colourfulness = Math.sqrt(varRg + varYb) + 0.3 * Math.sqrt(meanRg * meanRg + meanYb * meanYb);

  return {
    brightness: clamp01(meanY / 255),
    contrast: clamp01(Math.sqrt(varY) / 255),
    saturation: clamp01(sumS / n),
    colourfulness: cleanZero(colourfulness),
    palette: paletteFromQuantised(n),
  };
}

const clamp01 = (v: number) => (v < 1e-12 ? 0 : v > 1 ? 1 : v);
const cleanZero = (v: number) => (Math.abs(v) < 1e-9 ? 0 : v);

/** Weighted k-means (k-means++ seeding with a fixed seed) over the occupied quantisation cells. */
function paletteFromQuantised(total: number): PaletteColour[] {
  // Gather occupied cells.
  let m = 0;
  for (let q = 0; q < QBINS; q++) if (qCount[q]! > 0) m++;
  const cr = new Float64Array(m);
  const cg = new Float64Array(m);
  const cb = new Float64Array(m);
  const cw = new Float64Array(m);
  for (let q = 0, i = 0; q < QBINS; q++) {
    const c = qCount[q]!;
    if (c === 0) continue;
    cr[i] = qSumR[q]! / c;
    cg[i] = qSumG[q]! / c;
    cb[i] = qSumB[q]! / c;
    cw[i] = c;
    i++;
  }

  // k-means++ seeding, weighted by pixel count. Stops early when every cell coincides with a centre
  // (fewer distinct colours than PALETTE_SIZE).
  const rand = mulberry32(KMEANS_SEED);
  const kr: number[] = [];
  const kg: number[] = [];
  const kb: number[] = [];
  const dist = new Float64Array(m).fill(Infinity);
  {
    let pick = 0;
    let best = -1;
    for (let i = 0; i < m; i++) {
      // heaviest cell first
      if (cw[i]! > best) {
        best = cw[i]!;
        pick = i;
      }
    }
    while (kr.length < PALETTE_SIZE) {
      kr.push(cr[pick]!);
      kg.push(cg[pick]!);
      kb.push(cb[pick]!);
      const k = kr.length - 1;
      let sum = 0;
      for (let i = 0; i < m; i++) {
        const dr = cr[i]! - kr[k]!;
        const dg = cg[i]! - kg[k]!;
        const db = cb[i]! - kb[k]!;
        const d = dr * dr + dg * dg + db * db;
        if (d < dist[i]!) dist[i] = d;
        sum += dist[i]! * cw[i]!;
      }
      if (sum <= 1e-9) break;
      let target = rand() * sum;
      pick = -1;
      for (let i = 0; i < m; i++) {
        if (dist[i]! <= 0) continue;
        pick = i; // the last cell with a positive distance, should rounding leave target > 0
        target -= dist[i]! * cw[i]!;
        if (target <= 0) break;
      }
      if (pick < 0) break;
    }
  }

  const k = kr.length;
  const assign = new Int32Array(m).fill(-1);
  const sr = new Float64Array(k);
  const sg = new Float64Array(k);
  const sb = new Float64Array(k);
  const sw = new Float64Array(k);
  for (let iter = 0; iter < KMEANS_ITERATIONS; iter++) {
    let changed = false;
    sr.fill(0);
    sg.fill(0);
    sb.fill(0);
    sw.fill(0);
    for (let i = 0; i < m; i++) {
      let bestJ = 0;
      let bestD = Infinity;
      for (let j = 0; j < k; j++) {
        const dr = cr[i]! - kr[j]!;
        const dg = cg[i]! - kg[j]!;
        const db = cb[i]! - kb[j]!;
        const d = dr * dr + dg * dg + db * db;
        if (d < bestD) {
          bestD = d;
          bestJ = j;
        }
      }
      if (assign[i] !== bestJ) {
        assign[i] = bestJ;
        changed = true;
      }
      const w = cw[i]!;
      sr[bestJ]! += cr[i]! * w;
      sg[bestJ]! += cg[i]! * w;
      sb[bestJ]! += cb[i]! * w;
      sw[bestJ]! += w;
    }
    for (let j = 0; j < k; j++) {
      if (sw[j]! > 0) {
        kr[j] = sr[j]! / sw[j]!;
        kg[j] = sg[j]! / sw[j]!;
        kb[j] = sb[j]! / sw[j]!;
      }
    }
    if (!changed) break;
  }

  // Clusters that round to the same colour are one palette entry.
  const byHex = new Map<string, number>();
  for (let j = 0; j < k; j++) {
    if (sw[j]! <= 0) continue;
    const hex = toHex(kr[j]!, kg[j]!, kb[j]!);
    byHex.set(hex, (byHex.get(hex) ?? 0) + sw[j]!);
  }
  return [...byHex]
    .map(([hex, w]) => ({ hex, share: Math.round((w / total) * 1e6) / 1e6 }))
    .sort((a, b) => b.share - a.share || (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------
// Colour histogram for shot-to-shot similarity.
//
// HSV with soft (linear) binning so that a small change of lighting or white balance moves weight
// gradually between neighbouring bins instead of flipping it:
//   - chromatic part: 12 hue (circular) x 2 saturation x 3 value bins = 72;
//   - achromatic part: 6 value bins for greys, near-blacks and washed-out pixels.
// A pixel's weight is split between the two parts by how chromatic it is (a smooth ramp of saturation
// between 0.10 and 0.25 and of value between 0.08 and 0.20), so there is no hard grey/colour edge either.
// The histogram sums to 1; compare two with `histogramSimilarity` (intersection, in [0, 1]).

const HUE_BINS = 12;
const SAT_BINS = 2;
const VAL_BINS = 3;
const GREY_BINS = 6;
const CHROMA_BINS = HUE_BINS * SAT_BINS * VAL_BINS;
export const HISTOGRAM_BINS = CHROMA_BINS + GREY_BINS;

const ramp = (x: number, lo: number, hi: number) => (x <= lo ? 0 : x >= hi ? 1 : (x - lo) / (hi - lo));

export function colourHistogram(frame: Frame | Pick<Frame, "width" | "height" | "data">): Float32Array {
  checkFrame(frame);
  const { width, height, data } = frame;
  const acc = new Float64Array(HISTOGRAM_BINS);
  const step = gridStep(width, height, HISTOGRAM_PIXEL_BUDGET);
  const x0 = gridOffset(width, step);
  const y0 = gridOffset(height, step);
  const rowStride = width * 3;
  const pxStride = step * 3;
  let total = 0;
  for (let y = y0; y < height; y += step) {
    const rowEnd = y * rowStride + rowStride;
    for (let p = y * rowStride + x0 * 3; p < rowEnd; p += pxStride) {
      const r = data[p]!;
      const g = data[p + 1]!;
      const b = data[p + 2]!;
      const max = r > g ? (r > b ? r : b) : g > b ? g : b;
      const min = r < g ? (r < b ? r : b) : g < b ? g : b;
      const v = max / 255;
      const c = max - min;
      const s = max > 0 ? c / max : 0;
      total++;
      const chromatic = ramp(s, 0.1, 0.25) * ramp(v, 0.08, 0.2);
      const grey = 1 - chromatic;
      if (grey > 0) {
        // soft value bin for the achromatic part
        const pv = v * GREY_BINS - 0.5;
        const i0 = Math.floor(pv);
        const f = pv - i0;
        addClamped(acc, CHROMA_BINS, GREY_BINS, i0, grey * (1 - f));
        addClamped(acc, CHROMA_BINS, GREY_BINS, i0 + 1, grey * f);
      }
      if (chromatic > 0) {
        let h: number; // hue in [0, 6)
        if (max === r) h = (g - b) / c;
        else if (max === g) h = (b - r) / c + 2;
        else h = (r - g) / c + 4;
        if (h < 0) h += 6;
        const ph = (h / 6) * HUE_BINS - 0.5;
        const h0f = Math.floor(ph);
        const fh = ph - h0f;
        const h0 = (h0f + HUE_BINS) % HUE_BINS;
        const h1 = (h0 + 1) % HUE_BINS;
        const ps = s * SAT_BINS - 0.5;
        const s0 = Math.floor(ps);
        const fs = ps - s0;
        const pvv = v * VAL_BINS - 0.5;
        const v0 = Math.floor(pvv);
        const fv = pvv - v0;
        for (let dh = 0; dh < 2; dh++) {
          const hi = dh === 0 ? h0 : h1;
          const wh = chromatic * (dh === 0 ? 1 - fh : fh);
          for (let ds = 0; ds < 2; ds++) {
            const si = Math.min(SAT_BINS - 1, Math.max(0, s0 + ds));
            const ws = wh * (ds === 0 ? 1 - fs : fs);
            if (ws === 0) continue;
            for (let dv = 0; dv < 2; dv++) {
              const vi = Math.min(VAL_BINS - 1, Math.max(0, v0 + dv));
              const w = ws * (dv === 0 ? 1 - fv : fv);
              if (w !== 0) acc[(hi * SAT_BINS + si) * VAL_BINS + vi]! += w;
            }
          }
        }
      }
    }
  }
  const out = new Float32Array(HISTOGRAM_BINS);
  if (total > 0) for (let i = 0; i < HISTOGRAM_BINS; i++) out[i] = acc[i]! / total;
  return out;
}

function addClamped(acc: Float64Array, base: number, bins: number, i: number, w: number): void {
  if (w === 0) return;
  acc[base + Math.min(bins - 1, Math.max(0, i))]! += w;
}

/**
 * Histogram intersection of two normalised histograms: 1 = identical colour distributions,
 * 0 = no colour in common. Returns NaN when either histogram is missing or empty (unknown).
 */
export function histogramSimilarity(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): number {
  if (!a || !b || a.length === 0 || a.length !== b.length) return Number.NaN;
  let inter = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    inter += x < y ? x : y;
    sa += x;
    sb += y;
  }
  const norm = Math.max(sa, sb);
  return norm > 0 ? Math.min(1, inter / norm) : Number.NaN;
}

// ---------------------------------------------------------------------------------------------------
// Greyness / monochrome.

export interface ToneStats {
  /** share of pixels with (almost) no chroma: max - min < 16 of 255 */
  greyness: number;
  /** spread of the opponent colour channels (σ_rgyb of Hasler & Süsstrunk, 0..255 scale) */
  chromaSpread: number;
  /**
   * true for black-and-white or single-tint (sepia, cyanotype, night-vision green) images: the
   * opponent colour channels barely vary, whatever their mean (the tint).
   */
  monochrome: boolean;
}

export function toneStats(
  frame: Frame | Pick<Frame, "width" | "height" | "data">,
  options: { maxChromaSpread?: number } = {},
): ToneStats {
  checkFrame(frame);
  const { width, height, data } = frame;
  const step = gridStep(width, height, HISTOGRAM_PIXEL_BUDGET);
  const x0 = gridOffset(width, step);
  const y0 = gridOffset(height, step);
  let n = 0;
  let grey = 0;
  let sRg = 0;
  let sRg2 = 0;
  let sYb = 0;
  let sYb2 = 0;
  const rowStride = width * 3;
  for (let y = y0; y < height; y += step) {
    const rowEnd = y * rowStride + rowStride;
    for (let p = y * rowStride + x0 * 3; p < rowEnd; p += step * 3) {
      const r = data[p]!;
      const g = data[p + 1]!;
      const b = data[p + 2]!;
      const max = r > g ? (r > b ? r : b) : g > b ? g : b;
      const min = r < g ? (r < b ? r : b) : g < b ? g : b;
      if (max - min < 16) grey++;
      const rg = r - g;
      const yb = 0.5 * (r + g) - b;
      sRg += rg;
      sRg2 += rg * rg;
      sYb += yb;
      sYb2 += yb * yb;
      n++;
    }
  }
  const mRg = sRg / n;
  const mYb = sYb / n;
  const chromaSpread = Math.sqrt(Math.max(0, sRg2 / n - mRg * mRg) + Math.max(0, sYb2 / n - mYb * mYb));
  return { greyness: grey / n, chromaSpread, monochrome: chromaSpread <= (options.maxChromaSpread ?? 6) };
}

export const isMonochrome = (frame: Frame | Pick<Frame, "width" | "height" | "data">): boolean =>
  toneStats(frame).monochrome;
