// Synthetic RGB24 frames for the keyframe tests.
import type { Frame } from "../../../src/media/media.port.js";

export const W = 320;
export const H = 180;

export function solid(rgb: [number, number, number], index = 0, w = W, h = H): Frame {
  const data = new Uint8Array(w * h * 3);
  for (let p = 0; p < data.length; p += 3) {
    data[p] = rgb[0];
    data[p + 1] = rgb[1];
    data[p + 2] = rgb[2];
  }
  return { index, time: index / 25, width: w, height: h, data };
}

/** left half `a`, right half `b` (or top/bottom) */
export function halves(a: [number, number, number], b: [number, number, number], vertical = true, w = W, h = H): Frame {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const c = (vertical ? x < w / 2 : y < h / 2) ? a : b;
      const p = (y * w + x) * 3;
      data[p] = c[0];
      data[p + 1] = c[1];
      data[p + 2] = c[2];
    }
  return { index: 0, time: 0, width: w, height: h, data };
}

/** a detailed, well-exposed picture: fine checker texture over a colour gradient (deterministic) */
export function textured(index = 0, seed = 1, w = W, h = H): Frame {
  const data = new Uint8Array(w * h * 3);
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 3;
      const check = ((x >> 1) + (y >> 1)) & 1 ? 60 : -60;
      const n = (rnd() - 0.5) * 30;
      data[p] = clamp(100 + (x * 80) / w + check + n);
      data[p + 1] = clamp(120 + (y * 60) / h + check + n);
      data[p + 2] = clamp(110 + check + n);
    }
  return { index, time: index / 25, width: w, height: h, data };
}

/** box blur of a frame (radius r), i.e. out of focus / motion blurred */
export function blurred(f: Frame, r = 3): Frame {
  const { width: w, height: h, data } = f;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < 3; ch++) {
        let sum = 0;
        let n = 0;
        for (let dy = -r; dy <= r; dy++)
          for (let dx = -r; dx <= r; dx++) {
            const xx = Math.min(w - 1, Math.max(0, x + dx));
            const yy = Math.min(h - 1, Math.max(0, y + dy));
            sum += data[(yy * w + xx) * 3 + ch]!;
            n++;
          }
        out[(y * w + x) * 3 + ch] = Math.round(sum / n);
      }
  return { ...f, data: out };
}

export function withIndex(f: Frame, index: number): Frame {
  return { ...f, index, time: index / 25 };
}

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
