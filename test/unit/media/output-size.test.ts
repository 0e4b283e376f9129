// The decode size fits a box on both axes (issue 15 item 4: a 16x4000 clip became 320x80000 frames).
import { expect, it } from "vitest";
import { outputSize } from "../../../src/media/ffmpeg/frame-decoder.js";

const video = (width: number, height: number) => ({
  streamIndex: 0,
  width,
  height,
  frameRate: 25,
  variableFrameRate: false,
});

it("keeps landscape at the decode width and fits tall or wide frames inside width x 2*width", () => {
  expect(outputSize(video(1920, 1080), 320)).toEqual({ width: 320, height: 180 });
  expect(outputSize(video(1080, 1920), 320)).toEqual({ width: 320, height: 568 });
  expect(outputSize(video(16, 4000), 320)).toEqual({ width: 2, height: 640 });
  expect(outputSize(video(4000, 16), 320)).toEqual({ width: 320, height: 2 });
  for (const [w, h] of [
    [16, 4000],
    [4000, 16],
    [3, 7],
    [7680, 4320],
  ] as const) {
    const size = outputSize(video(w, h), 320);
    expect(size.width).toBeLessThanOrEqual(320);
    expect(size.height).toBeLessThanOrEqual(640);
    expect((size.width % 2) + (size.height % 2)).toBe(0);
  }
});
