import { describe, expect, it } from "vitest";
import { KeyframePicker, frameScore } from "../../../src/ingest/keyframes/keyframe-picker.js";
import type { Frame } from "../../../src/media/media.port.js";
import { blurred, solid, textured, withIndex, W, H } from "./frames.js";

const SIZE = W * H * 3;

describe("frameScore", () => {
  it("ranks a sharp, well-exposed frame above its blurred version and above black / white frames", () => {
    const sharp = textured();
    const soft = blurred(sharp);
    const black = solid([2, 2, 2]);
    const white = solid([254, 254, 254]);
    const s = frameScore(sharp).score;
    expect(s).toBeGreaterThan(frameScore(soft).score * 3);
    expect(frameScore(soft).score).toBeGreaterThan(frameScore(black).score);
    expect(frameScore(soft).score).toBeGreaterThan(frameScore(white).score);
    // noise in the dark must not make a near-black frame attractive
    const darkNoise = textured(0, 7);
    for (let p = 0; p < darkNoise.data.length; p++) darkNoise.data[p] = darkNoise.data[p]! >> 5;
    expect(frameScore(darkNoise).score).toBeLessThan(frameScore(soft).score);
  });
});

describe("KeyframePicker", () => {
  it("keeps memory bounded over a 10 000-frame shot and copies only what it keeps", () => {
    const picker = new KeyframePicker();
    const base = textured();
    const shared = new Uint8Array(SIZE); // the decoder reuses its buffer
    let maxFrames = 0;
    let maxBytes = 0;
    for (let i = 0; i < 10_000; i++) {
      shared.set(base.data);
      // stamp the frame index into the first pixel so we can check the copy later
      shared[0] = i & 0xff;
      shared[1] = (i >> 8) & 0xff;
      picker.offer({ index: i, time: i / 25, width: W, height: H, data: shared });
      maxFrames = Math.max(maxFrames, picker.retainedFrames);
      maxBytes = Math.max(maxBytes, picker.retainedBytes);
    }
    expect(maxFrames).toBeLessThanOrEqual(16 + 8);
    expect(maxBytes).toBeLessThanOrEqual(2 * (16 + 8) * SIZE);
    expect(picker.stride).toBeGreaterThanOrEqual(512);
    const kept = picker.take({ startFrame: 0, endFrame: 9_999 })!;
    expect(kept).toBeDefined();
    expect(kept.index).toBeGreaterThanOrEqual(2_000);
    expect(kept.index).toBeLessThanOrEqual(8_000);
    expect(kept.data[0]! | (kept.data[1]! << 8)).toBe(kept.index & 0xffff);
    expect(picker.retainedFrames).toBe(0);
  });

  it("picks a sharp frame from the middle over blurred, black and edge frames", () => {
    const sharp = textured(0, 3);
    const soft = blurred(sharp, 4);
    const black = solid([0, 0, 0]);
    const frames: Frame[] = [];
    for (let i = 0; i < 100; i++) {
      if (i < 12)
        frames.push(withIndex(black, i)); // fade-in from black
      else if (i >= 44 && i <= 56)
        frames.push(withIndex(sharp, i)); // the moment the camera settles
      else if (i >= 90)
        frames.push(withIndex(textured(0, 11), i)); // sharp, but at the edge
      else frames.push(withIndex(soft, i));
    }
    const picker = new KeyframePicker();
    for (const f of frames) picker.offer(f);
    const kept = picker.take({ startFrame: 0, endFrame: 99 })!;
    expect(kept.index).toBeGreaterThanOrEqual(44);
    expect(kept.index).toBeLessThanOrEqual(56);
    expect(kept.sharpness).toBeGreaterThan(frameScore(soft).sharpness * 3);
  });

  it("prefers a blurred frame to a black one, and falls back to the shot's edge when its middle is black", () => {
    const soft = blurred(textured(), 3);
    const black = solid([0, 0, 0]);
    const picker = new KeyframePicker();
    for (let i = 0; i < 50; i++) picker.offer(withIndex(i < 5 || i > 44 ? soft : black, i));
    const kept = picker.take({ startFrame: 0, endFrame: 49 })!;
    expect(kept.index < 5 || kept.index > 44).toBe(true);
  });

  it("respects boundaries reported late: frames after the shot stay, transition frames are dropped", () => {
    const a = textured(0, 1);
    const b = solid([0, 0, 0]);
    for (let p = 0; p < b.data.length; p += 3) {
      // shot B: a blue, detailed picture
      const px = p / 3;
      const v = ((px % W) >> 1) + (Math.floor(px / W) >> 1);
      b.data[p] = 20;
      b.data[p + 1] = 40;
      b.data[p + 2] = v & 1 ? 230 : 140;
    }
    const dissolve = solid([128, 128, 128]);
    const isB = (f: Frame) => f.data[2]! >= 140 && f.data[0] === 20;
    const picker = new KeyframePicker();
    // shot A 0..99, dissolve 100..109 (transition), shot B 110..159, shot C 160..163, shot D 164..199
    const frameAt = (i: number) =>
      i < 100 ? a : i < 110 ? dissolve : i < 160 ? b : i < 164 ? textured(0, 5) : textured(0, 9);
    for (let i = 0; i < 140; i++) picker.offer(withIndex(frameAt(i), i));
    // the detector reports A only now (40 frames late: the dissolve had to finish)
    const ka = picker.take({ startFrame: 0, endFrame: 99 })!;
    expect(ka.index).toBeGreaterThanOrEqual(20);
    expect(ka.index).toBeLessThanOrEqual(79);
    expect(isB(ka)).toBe(false);
    for (let i = 140; i < 162; i++) picker.offer(withIndex(frameAt(i), i));
    const kb = picker.take({ startFrame: 110, endFrame: 159 })!;
    expect(kb.index).toBeGreaterThanOrEqual(110);
    expect(kb.index).toBeLessThanOrEqual(159);
    expect(isB(kb)).toBe(true);
    // a 4-frame shot reported after the next shot has started still gets a keyframe
    for (let i = 162; i < 170; i++) picker.offer(withIndex(frameAt(i), i));
    const kc = picker.take({ startFrame: 160, endFrame: 163 })!;
    expect(kc.index).toBeGreaterThanOrEqual(160);
    expect(kc.index).toBeLessThanOrEqual(163);
    for (let i = 170; i < 200; i++) picker.offer(withIndex(frameAt(i), i));
    const kd = picker.take({ startFrame: 164, endFrame: 199 })!;
    expect(kd.index).toBeGreaterThanOrEqual(164);
    // the frames handed out are owned by the caller: later offers never overwrite them
    expect(isB(kb)).toBe(true);
    expect(ka.data).not.toBe(kb.data);
  });

  it("gives the transition frames to nobody and returns undefined for a shot with no frame offered", () => {
    const picker = new KeyframePicker();
    for (let i = 0; i < 30; i++) picker.offer(withIndex(textured(0, i + 1), i));
    expect(picker.take({ startFrame: 0, endFrame: 9 })!.index).toBeLessThanOrEqual(9);
    const k = picker.take({ startFrame: 20, endFrame: 29 })!; // 10..19 was a transition
    expect(k.index).toBeGreaterThanOrEqual(20);
    expect(picker.take({ startFrame: 30, endFrame: 40 })).toBeUndefined();
  });
});
