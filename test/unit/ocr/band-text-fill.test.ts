// The burned-in crop keeps only the text's fill: light pixels that have the dark outline close by. The
// outline and the picture behind it (a bright sky without an outline) become black, as on an image subtitle.
import { describe, expect, it } from "vitest";
import { cropBand, sameLine, textFill } from "../../../src/ocr/burned-in.reader.js";

const W = 60;
const H = 30;

function frame(): { width: number; height: number; data: Uint8Array; index: number; time: number } {
  const data = new Uint8Array(W * H).fill(100); // a mid-grey picture
  // a bright patch of sky, no outline: x 40..55, y 2..12
  for (let y = 2; y < 12; y++) for (let x = 40; x < 56; x++) data[y * W + x] = 230;
  // a glyph stroke: white fill x 10..12, y 10..20, inside a black outline 2 px wide
  for (let y = 8; y < 23; y++) for (let x = 8; x < 15; x++) data[y * W + x] = 0;
  for (let y = 10; y < 21; y++) for (let x = 10; x < 13; x++) data[y * W + x] = 250;
  return { width: W, height: H, data, index: 0, time: 0 };
}

describe("cropBand and textFill", () => {
  it("keeps the outlined fill and blacks out the outline, the grey picture and an unoutlined bright patch", () => {
    const crop = textFill(cropBand(frame(), [0, 0, W, H]));
    expect(crop.width).toBe(W);
    const at = (x: number, y: number) => crop.data[y * crop.width + x]!;
    expect(at(11, 15)).toBe(250); // the fill
    expect(at(9, 15)).toBe(0); // the outline
    expect(at(30, 25)).toBe(0); // the picture
    expect(at(48, 7)).toBe(0); // bright sky, no dark pixel within reach
    const kept = crop.data.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
    expect(kept).toBe(3 * 11);
  });

  it("crops to the box with a margin, within the frame", () => {
    const crop = cropBand(frame(), [10, 10, 13, 21]);
    expect(crop.width).toBe(13 + 8 - 2);
    expect(crop.height).toBe(21 + 8 - 2);
    expect(cropBand(frame(), [50, 20, 60, 30]).height).toBe(H - 12); // the margin stops at the frame
  });
});

describe("sameLine", () => {
  it("takes two reads of one line within OCR noise as the same line", () => {
    expect(sameLine("Where did you learn to dance?", "Where didyou learn to dance?")).toBe(true);
    expect(sameLine("I brought cake, but I ate half.", "Obrought cake, butIate half")).toBe(true);
    expect(sameLine("你不能走，你是唯一的飞行员。", "你不能走，你是唯一的几行员。")).toBe(true);
  });

  it("keeps different lines apart, even short ones", () => {
    expect(sameLine("Try channel 9.", "Too late.")).toBe(false);
    expect(sameLine("Yes.", "No.")).toBe(false);
    expect(sameLine("警察马上就到。", "这里还需要几把椅子。")).toBe(false);
  });
});
