import { describe, expect, it } from "vitest";
import {
  analyseSceneBoundaries,
  assignCuesToScenes,
  groupScenes,
  type SceneCue,
} from "../../../src/ingest/scenes/scene-grouper.js";
import { colourHistogram } from "../../../src/ingest/keyframes/visual-stats.js";
import type { SceneRecord, ShotRecord, TransitionKind } from "../../../src/ingest/ingest.types.js";

// Looks, as real keyframe histograms of flat-ish frames.
const W = 64;
const H = 36;
function look(rgb: [number, number, number], accent: [number, number, number]): Float32Array {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set(x < W * 0.7 ? rgb : accent, (y * W + x) * 3);
  return colourHistogram({ width: W, height: H, data });
}
const LOOK = {
  A: look([200, 120, 90], [60, 50, 40]), // warm interior, speaker A
  B: look([190, 125, 95], [40, 60, 90]), // same room, reverse angle
  C: look([40, 90, 200], [220, 220, 230]), // blue exterior
  D: look([35, 100, 190], [20, 30, 40]),
  G: look([40, 160, 60], [200, 200, 120]), // green park
  X: look([250, 240, 20], [0, 0, 0]), // a yellow insert
};
type Look = keyof typeof LOOK;

interface ShotSpec {
  dur: number;
  look: Look | null;
  transition?: TransitionKind;
  /** gradual transitions: seconds of transition before the shot starts */
  trans?: number;
}

function build(specs: ShotSpec[], fps = 25): { shots: ShotRecord[]; histograms: Float32Array[]; duration: number } {
  const shots: ShotRecord[] = [];
  const histograms: Float32Array[] = [];
  let t = 0;
  specs.forEach((s, index) => {
    const transStart = t;
    if (s.trans) t += s.trans;
    const start = t;
    t += s.dur;
    shots.push({
      index,
      startTime: start,
      endTime: t,
      startFrame: Math.round(start * fps),
      endFrame: Math.round(t * fps) - 1,
      transition: index === 0 ? "START" : (s.transition ?? "CUT"),
      ...(s.trans ? { transitionStart: transStart } : {}),
    });
    if (index > 0 && s.trans) shots[index - 1]!.endTime = transStart;
    histograms.push(s.look ? LOOK[s.look] : new Float32Array(0));
  });
  return { shots, histograms, duration: t };
}

/** a line every `every` seconds lasting `len`, from `from` to `to` */
function dialogue(from: number, to: number, every = 2.5, len = 2, label = "line"): SceneCue[] {
  const cues: SceneCue[] = [];
  for (let t = from; t + len <= to + 1e-9; t += every)
    cues.push({ startTime: t, endTime: t + len, text: `${label} ${t}` });
  return cues;
}

function checkTiling(scenes: SceneRecord[], shots: ShotRecord[], duration: number): void {
  expect(scenes.length).toBeGreaterThan(0);
  expect(scenes[0]!.startTime).toBe(0);
  expect(scenes.at(-1)!.endTime).toBe(Math.round(duration * 1000) / 1000);
  expect(scenes[0]!.firstShot).toBe(shots[0]!.index);
  expect(scenes.at(-1)!.lastShot).toBe(shots.at(-1)!.index);
  scenes.forEach((s, i) => {
    expect(s.index).toBe(i);
    expect(s.endTime).toBeGreaterThanOrEqual(s.startTime);
    expect(s.lastShot).toBeGreaterThanOrEqual(s.firstShot);
    if (i > 0) {
      expect(s.startTime).toBe(scenes[i - 1]!.endTime);
      expect(s.firstShot).toBe(scenes[i - 1]!.lastShot + 1);
    }
  });
}

const seq = (looks: string, dur: number): ShotSpec[] => [...looks].map((l) => ({ dur, look: l as Look }));

describe("groupScenes", () => {
  it("keeps an A/B/A/B dialogue exchange in one scene", () => {
    const { shots, histograms, duration } = build(seq("ABABABAB", 4));
    // with dialogue
    const withCues = groupScenes({ shots, histograms, cues: dialogue(0.5, 31), duration });
    expect(withCues).toHaveLength(1);
    checkTiling(withCues, shots, duration);
    // shot/reverse-shot with wildly different backgrounds, no subtitles: the window links A to A
    const alt = build(seq("ACACACAC", 4));
    expect(groupScenes({ ...alt, cues: [] })).toHaveLength(1);
  });

  it("splits at a location change during a dialogue silence", () => {
    const { shots, histograms, duration } = build([...seq("ABABAB", 5), ...seq("CDCDC", 5)]);
    const cues = [...dialogue(0.5, 28), ...dialogue(33, 54)];
    const scenes = groupScenes({ shots, histograms, cues, duration });
    checkTiling(scenes, shots, duration);
    expect(scenes.map((s) => [s.startTime, s.firstShot, s.lastShot])).toEqual([
      [0, 0, 5],
      [30, 6, 10],
    ]);
    const b = analyseSceneBoundaries({ shots, histograms, cues, duration });
    expect(b[5]!.reason).toBe("change");
    expect(b[0]!.reason).toBe("dialogue");
  });

  it("keeps a location change together while dialogue runs across it (sound bridge)", () => {
    const { shots, histograms, duration } = build([...seq("ABAB", 5), ...seq("CDC", 5)]);
    const scenes = groupScenes({ shots, histograms, cues: dialogue(0.5, 34), duration });
    expect(scenes).toHaveLength(1);
  });

  it("splits at a fade even when the two sides look alike and dialogue continues", () => {
    const { shots, histograms, duration } = build([
      ...seq("ABA", 5),
      { dur: 5, look: "A", transition: "FADE", trans: 2 },
      ...seq("BA", 5),
    ]);
    const scenes = groupScenes({ shots, histograms, cues: dialogue(0.5, 31, 1.5, 1.4), duration });
    checkTiling(scenes, shots, duration);
    expect(scenes).toHaveLength(2);
    expect(scenes[1]!.firstShot).toBe(3);
    expect(scenes[1]!.startTime).toBe(16); // middle of the 15..17 s fade
  });

  it("merges very short scenes into a neighbour", () => {
    // 20 s in the room, a 1-s yellow insert, 20 s outside; no dialogue
    const { shots, histograms, duration } = build([...seq("ABAB", 5), { dur: 1, look: "X" }, ...seq("CDCD", 5)]);
    const scenes = groupScenes({ shots, histograms, cues: [], duration });
    checkTiling(scenes, shots, duration);
    expect(scenes).toHaveLength(2);
    for (const s of scenes) expect(s.endTime - s.startTime).toBeGreaterThanOrEqual(3);
    // the insert goes with one side, the room/exterior change stays a boundary
    expect([4, 5]).toContain(scenes[1]!.firstShot);
  });

  it("splits a long scene at its weakest links so no scene exceeds the maximum", () => {
    const { shots, histograms, duration } = build(seq("AB".repeat(20), 10)); // 400 s in one room
    // continuous dialogue, with a 1.5-s pause at 120 s and at 260 s (still one conversation)
    const cues = dialogue(0, 400, 2, 2.2).filter(
      (c) => !(c.startTime < 120.75 && c.endTime > 119.25) && !(c.startTime < 260.75 && c.endTime > 259.25),
    );
    const scenes = groupScenes({ shots, histograms, cues, duration }, { maxSceneSeconds: 180 });
    checkTiling(scenes, shots, duration);
    expect(scenes.map((s) => s.startTime)).toEqual([0, 120, 260]);
    for (const s of scenes) expect(s.endTime - s.startTime).toBeLessThanOrEqual(180);
    // default cap also applies
    expect(groupScenes({ shots, histograms, cues: dialogue(0, 400, 2, 2.2), duration }).length).toBeGreaterThanOrEqual(
      3,
    );
  });

  it("assigns each cue to the scene containing its midpoint, text in time order", () => {
    // a fade (cut to black) at 20 s, so the cue running across it does not hold the scenes together
    const { shots, histograms, duration } = build([
      ...seq("ABAB", 5),
      { dur: 5, look: "G", transition: "FADE" },
      ...seq("GG", 5),
    ]);
    const cues: SceneCue[] = [
      { startTime: 12, endTime: 14, text: "second" },
      { startTime: 3, endTime: 5, text: "first" },
      { startTime: 6, endTime: 7, text: "   " }, // empty: ignored
      { startTime: 16.5, endTime: 22.5, text: "straddles, midpoint 19.5" },
      { startTime: 27, endTime: 29, text: "outside" },
      { startTime: 34.5, endTime: 36, text: "runs past the end" },
    ];
    const scenes = groupScenes({ shots, histograms, cues, duration });
    expect(scenes).toHaveLength(2);
    expect(scenes[1]!.startTime).toBe(20);
    expect(scenes[0]!.text).toBe("first\nsecond\nstraddles, midpoint 19.5");
    expect(scenes[1]!.text).toBe("outside\nruns past the end");
    expect(assignCuesToScenes(scenes, cues)).toEqual([0, 0, 0, 0, 1, 1]);
  });

  it("tiles the clip on arbitrary inputs (random property check)", () => {
    let s = 12345;
    const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
    const looks = Object.keys(LOOK) as Look[];
    const kinds: TransitionKind[] = ["CUT", "CUT", "CUT", "DISSOLVE", "FADE", "WIPE"];
    for (let run = 0; run < 60; run++) {
      const n = 1 + Math.floor(rnd() * 60);
      const specs: ShotSpec[] = [];
      for (let i = 0; i < n; i++) {
        const transition = kinds[Math.floor(rnd() * kinds.length)]!;
        specs.push({
          dur: 0.2 + rnd() * (rnd() < 0.1 ? 120 : 8),
          look: rnd() < 0.1 ? null : looks[Math.floor(rnd() * looks.length)]!,
          transition,
          ...(transition !== "CUT" && rnd() < 0.7 ? { trans: rnd() * 2 } : {}),
        });
      }
      const { shots, histograms, duration } = build(specs);
      const cues: SceneCue[] = [];
      for (let t = rnd() * 5; t < duration; t += 0.5 + rnd() * 6)
        cues.push({ startTime: t, endTime: t + 0.5 + rnd() * 3, text: `c${t}` });
      const extra = rnd() < 0.3 ? rnd() * 3 : 0; // probe duration a little past the last frame
      const scenes = groupScenes({ shots, histograms, cues, duration: duration + extra }, { maxSceneSeconds: 60 });
      checkTiling(scenes, shots, duration + extra);
      for (const sc of scenes) {
        const len = sc.endTime - sc.startTime;
        if (scenes.length > 1) expect(len).toBeGreaterThan(0);
        if (sc.firstShot !== sc.lastShot && len > 60) {
          // only possible when no internal cut leaves both parts non-empty
          throw new Error(`scene ${sc.index} is ${len} s long over several shots`);
        }
      }
      const texts = scenes.flatMap((sc) => (sc.text ? sc.text.split("\n") : []));
      expect(texts).toHaveLength(cues.length);
    }
  });

  it("handles degenerate input: no shots, one shot, unknown histograms", () => {
    expect(
      groupScenes({ shots: [], histograms: [], cues: [{ startTime: 1, endTime: 2, text: "hi" }], duration: 10 }),
    ).toEqual([{ index: 0, startTime: 0, endTime: 10, firstShot: 0, lastShot: -1, text: "hi" }]);
    const one = build([{ dur: 7, look: "A" }]);
    expect(groupScenes({ ...one, cues: [] })).toEqual([
      { index: 0, startTime: 0, endTime: 7, firstShot: 0, lastShot: 0, text: "" },
    ]);
    // no keyframes at all and no dialogue: nothing to split on except the length cap
    const blind = build(seq("AAAAAA", 10));
    expect(groupScenes({ ...blind, histograms: [], cues: [] })).toHaveLength(1);
    // histograms as plain arrays (what the frame stage keeps) work too
    const plain = build([...seq("ABAB", 5), ...seq("CDCD", 5)]);
    const scenes = groupScenes({ ...plain, histograms: plain.histograms.map((h) => Array.from(h)), cues: [] });
    expect(scenes.map((x) => x.firstShot)).toEqual([0, 4]);
  });
});
