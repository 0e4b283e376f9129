// PpOcrEngine.readLines with `stopBelow` stops at the first line read below it and returns that line last:
// its callers drop any read whose least sure line is under their floor, so the lines after it would be
// recognised for nothing (a band of texture gave 13 "lines", 125 ms each). Detection and recognition are
// replaced by fixed answers here: the loop is what is tested; the models are tested in test/integration/ocr.
import { describe, expect, it } from "vitest";
import type { Box, GreyImage, OcrLine } from "../../../src/ocr/ocr.port.js";
import { PpOcrEngine } from "../../../src/ocr/ppocr.engine.js";

class Scripted extends PpOcrEngine {
  recognised = 0;
  constructor(private readonly confidences: number[]) {
    super();
  }
  override detect(): Promise<Box[]> {
    return Promise.resolve(this.confidences.map((_, i) => ({ x: 0, y: i * 10, width: 40, height: 10 })));
  }
  override readLine(): Promise<Omit<OcrLine, "box">> {
    const confidence = this.confidences[this.recognised++]!;
    return Promise.resolve({
      text: confidence < 0 ? " " : `line ${this.recognised}`,
      confidence: Math.abs(confidence),
    });
  }
}

const image: GreyImage = { width: 40, height: 60, data: new Uint8Array(40 * 60) };

describe("readLines with stopBelow", () => {
  it("stops at the first line below the floor and returns it last", async () => {
    const engine = new Scripted([0.95, 0.9, 0.3, 0.99, 0.97, 0.96]);
    const lines = await engine.readLines(image, "en", { stopBelow: 0.8 });
    expect(lines.map((l) => l.confidence)).toEqual([0.95, 0.9, 0.3]);
    expect(engine.recognised).toBe(3);
  });

  it("reads every line without it, and when none is below", async () => {
    const all = new Scripted([0.95, 0.3, 0.99]);
    expect(await all.readLines(image, "en")).toHaveLength(3);
    const sure = new Scripted([0.95, 0.85, 0.99]);
    expect(await sure.readLines(image, "en", { stopBelow: 0.8 })).toHaveLength(3);
  });

  it("does not stop at an empty read (it is no line)", async () => {
    const engine = new Scripted([0.9, -0.1, 0.95]); // the middle box reads as a space
    const lines = await engine.readLines(image, "en", { stopBelow: 0.8 });
    expect(lines.map((l) => l.text)).toEqual(["line 1", "line 3"]);
  });
});
