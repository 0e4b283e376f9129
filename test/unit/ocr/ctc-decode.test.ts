// Greedy CTC decoding of the PP-OCR recogniser's output, with the space found in a gap where the blank won
// but the space class stood out (the recogniser lost spaces between words of outlined, burned-in text).
import { describe, expect, it } from "vitest";
import { ctcDecode } from "../../../src/ocr/ppocr.engine.js";

const KEYS = ["<blank>", "a", "b", "你", "好", " "];

/** one row per step: [class, its probability, and optionally the space's probability] */
function probs(steps: Array<[number, number, number?]>): Float32Array {
  const out = new Float32Array(steps.length * KEYS.length);
  steps.forEach(([c, p, space], t) => {
    out[t * KEYS.length + c] = p;
    if (space !== undefined) out[t * KEYS.length + 5] = space;
  });
  return out;
}

describe("ctcDecode", () => {
  it("collapses repeats, drops blanks and averages the kept steps' confidence", () => {
    const r = ctcDecode(
      probs([
        [1, 0.9],
        [1, 0.8],
        [0, 0.9],
        [2, 0.7],
        [0, 0.9],
        [2, 0.5],
      ]),
      6,
      KEYS.length,
      KEYS,
    );
    expect(r.text).toBe("abb");
    expect(r.confidence).toBeCloseTo((0.9 + 0.7 + 0.5) / 3, 6);
  });

  it("reads a space in a gap between Latin letters where the space class stands out", () => {
    const steps: Array<[number, number, number?]> = [
      [1, 0.9],
      [0, 0.8, 0.12],
      [0, 0.9, 0.02],
      [2, 0.9],
    ];
    expect(ctcDecode(probs(steps), 4, KEYS.length, KEYS).text).toBe("a b");
    const faint: Array<[number, number, number?]> = [
      [1, 0.9],
      [0, 0.8, 0.01],
      [2, 0.9],
    ];
    expect(ctcDecode(probs(faint), 3, KEYS.length, KEYS).text).toBe("ab");
  });

  it("never puts a found space between CJK characters, and keeps a space the recogniser read", () => {
    const cjk: Array<[number, number, number?]> = [
      [3, 0.9],
      [0, 0.8, 0.3],
      [4, 0.9],
    ];
    expect(ctcDecode(probs(cjk), 3, KEYS.length, KEYS).text).toBe("你好");
    const read: Array<[number, number, number?]> = [
      [1, 0.9],
      [5, 0.6],
      [0, 0.8, 0.3],
      [2, 0.9],
    ];
    expect(ctcDecode(probs(read), 4, KEYS.length, KEYS).text).toBe("a b");
  });
});
