import { describe, expect, it } from "vitest";
import {
  HISTOGRAM_BINS,
  colourHistogram,
  computeVisualStats,
  histogramSimilarity,
  isMonochrome,
  toneStats,
} from "../../../src/ingest/keyframes/visual-stats.js";
import { halves, solid, textured, W, H } from "./frames.js";

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

describe("computeVisualStats", () => {
  it("pure red", () => {
    const s = computeVisualStats(solid([255, 0, 0]));
    expect(s.palette).toEqual([{ hex: "#ff0000", share: 1 }]);
    expect(s.saturation).toBe(1);
    expect(s.brightness).toBeCloseTo(0.2126, 6);
    expect(s.contrast).toBe(0);
    // σ = 0, μ = sqrt(255² + 127.5²)
    expect(s.colourfulness).toBeCloseTo(0.3 * Math.hypot(255, 127.5), 6);
  });

  it("grey", () => {
    const s = computeVisualStats(solid([128, 128, 128]));
    expect(s.colourfulness).toBe(0);
    expect(s.saturation).toBe(0);
    expect(s.contrast).toBe(0);
    expect(s.brightness).toBeCloseTo(128 / 255, 6);
    expect(s.palette).toEqual([{ hex: "#808080", share: 1 }]);
  });

  it("half black, half white (both orientations)", () => {
    for (const vertical of [true, false]) {
      const s = computeVisualStats(halves([0, 0, 0], [255, 255, 255], vertical));
      expect(s.contrast).toBeCloseTo(0.5, 6);
      expect(s.brightness).toBeCloseTo(0.5, 6);
      expect(s.colourfulness).toBe(0);
      expect(s.palette).toHaveLength(2);
      expect(s.palette.map((p) => p.share)).toEqual([0.5, 0.5]);
      expect(s.palette.map((p) => p.hex).sort()).toEqual(["#000000", "#ffffff"]);
    }
  });

  it("finds the exact colours and shares of a few flat colours", () => {
    const f = solid([0, 0, 255]);
    // 25% red rows at the top, 25% green at the bottom, 50% blue in between
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const p = (y * W + x) * 3;
        const c = y < H / 4 ? [255, 0, 0] : y >= (3 * H) / 4 ? [0, 255, 0] : [0, 0, 255];
        f.data.set(c, p);
      }
    const s = computeVisualStats(f);
    expect(s.palette).toEqual([
      { hex: "#0000ff", share: 0.5 },
      { hex: "#00ff00", share: 0.25 },
      { hex: "#ff0000", share: 0.25 },
    ]);
  });

  it("gives at most five colours, sorted by share, summing to 1, deterministically", () => {
    const f = textured(0, 42);
    const a = computeVisualStats(f);
    const b = computeVisualStats(f);
    expect(a).toEqual(b);
    expect(a.palette.length).toBeGreaterThan(1);
    expect(a.palette.length).toBeLessThanOrEqual(5);
    for (const p of a.palette) expect(p.hex).toMatch(/^#[0-9a-f]{6}$/);
    for (let i = 1; i < a.palette.length; i++) expect(a.palette[i]!.share).toBeLessThanOrEqual(a.palette[i - 1]!.share);
    expect(sum(a.palette.map((p) => p.share))).toBeCloseTo(1, 5);
    for (const k of ["brightness", "contrast", "saturation"] as const) {
      expect(a[k]).toBeGreaterThanOrEqual(0);
      expect(a[k]).toBeLessThanOrEqual(1);
    }
  });

  it("subsamples large frames and still gets flat colours right", () => {
    const s = computeVisualStats(halves([255, 0, 0], [0, 0, 255], true, 1920, 1080));
    expect(s.palette.map((p) => p.hex).sort()).toEqual(["#0000ff", "#ff0000"]);
    for (const p of s.palette) expect(p.share).toBeCloseTo(0.5, 2);
  });

  it("rejects a buffer that is too short", () => {
    expect(() => computeVisualStats({ width: 10, height: 10, data: new Uint8Array(10) })).toThrow(RangeError);
  });
});

describe("colourHistogram", () => {
  it("is normalised and separates colours", () => {
    const red = colourHistogram(solid([220, 30, 30]));
    const darkerRed = colourHistogram(solid([190, 35, 30]));
    const blue = colourHistogram(solid([30, 40, 220]));
    const grey = colourHistogram(solid([128, 128, 128]));
    expect(red).toHaveLength(HISTOGRAM_BINS);
    expect(sum(red)).toBeCloseTo(1, 5);
    expect(sum(grey)).toBeCloseTo(1, 5);
    expect(histogramSimilarity(red, red)).toBeCloseTo(1, 5);
    expect(histogramSimilarity(red, darkerRed)).toBeGreaterThan(0.7);
    expect(histogramSimilarity(red, blue)).toBeLessThan(0.05);
    expect(histogramSimilarity(grey, red)).toBeLessThan(0.05);
    expect(Number.isNaN(histogramSimilarity(red, new Float32Array(0)))).toBe(true);
  });

  it("sees two framings of the same textured scene as similar", () => {
    const a = textured(0, 1);
    const b = textured(0, 2); // same look, different noise
    expect(histogramSimilarity(colourHistogram(a), colourHistogram(b))).toBeGreaterThan(0.9);
  });
});

describe("toneStats / isMonochrome", () => {
  it("flags greys and single tints, not colourful frames", () => {
    expect(isMonochrome(halves([0, 0, 0], [255, 255, 255]))).toBe(true);
    expect(toneStats(solid([128, 128, 128])).greyness).toBe(1);
    // sepia gradient: one tint, varying brightness
    const sepia = solid([0, 0, 0]);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const v = x / W;
        sepia.data.set([Math.round(112 * v + 40), Math.round(66 * v + 30), Math.round(20 * v + 20)], (y * W + x) * 3);
      }
    expect(toneStats(sepia).chromaSpread).toBeLessThan(40);
    expect(isMonochrome(halves([255, 0, 0], [0, 0, 255]))).toBe(false);
    expect(isMonochrome(textured())).toBe(false);
  });
});
