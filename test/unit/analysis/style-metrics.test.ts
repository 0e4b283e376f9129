// Style metrics on rows whose values are known.
import { describe, expect, it } from "vitest";
import {
  cuttingRate,
  dialogueStats,
  shotLengthStats,
  transitionMix,
  visualStats,
} from "../../../src/analysis/style/style-metrics.js";
import { chooseK } from "../../../src/analysis/theme/cluster.js";
import { classTfIdf } from "../../../src/analysis/theme/ctfidf.js";
import { words } from "../../../src/analysis/text.js";

const shots = (lengths: number[], transitions?: string[]) => {
  let t = 0;
  return lengths.map((l, i) => {
    const s = { startTime: t, endTime: t + l, transition: i === 0 ? "START" : (transitions?.[i] ?? "CUT") };
    t += l;
    return s;
  });
};

describe("style metrics", () => {
  it("shot lengths, histogram, cutting rate and transition mix", () => {
    const s = shots([2, 2, 4, 4, 8, 10, 30], ["START", "CUT", "CUT", "DISSOLVE", "CUT", "FADE", "CUT"]);
    const stats = shotLengthStats(s);
    expect(stats).toMatchObject({ count: 7, averageLength: 8.571, medianLength: 4, minLength: 2, maxLength: 30 });
    // fixed bins [0,1) [1,2) [2,3) [3,4) [4,6) [6,8) [8,12) [12,20) [20,30) [30,∞)
    expect(stats.histogram.filter((b) => b.count > 0).map((b) => [b.minLength, b.count])).toEqual([
      [2, 2],
      [4, 2],
      [8, 2],
      [30, 1],
    ]);
    const rate = cuttingRate(s, 60, 30);
    // cuts at 2, 4, 8, 12, 20 (first bin) and 30 (second bin)
    expect(rate).toEqual([
      { startTime: 0, endTime: 30, cuts: 5, cutsPerMinute: 10 },
      { startTime: 30, endTime: 60, cuts: 1, cutsPerMinute: 2 },
    ]);
    expect(transitionMix(s)).toEqual([
      { kind: "CUT", count: 4, share: 0.6667 },
      { kind: "DISSOLVE", count: 1, share: 0.1667 },
      { kind: "FADE", count: 1, share: 0.1667 },
      { kind: "WIPE", count: 0, share: 0 },
    ]);
  });

  it("visual statistics weighted by shot duration, palette and black-and-white", () => {
    const kf = (time: number, weight: number, colourfulness: number, hex: string) => ({
      id: `k${time}`,
      clipId: "c",
      shotId: "s",
      sceneId: null,
      time,
      path: "",
      brightness: 0.5,
      contrast: 0.2,
      saturation: colourfulness > 10 ? 0.6 : 0.01,
      colourfulness,
      palette: [{ hex, share: 1 }],
      weight,
    });
    const colour = visualStats([kf(1, 3, 60, "#c82828"), kf(5, 1, 2, "#808080")], 10, 5);
    expect(colour).toMatchObject({
      keyframes: 2,
      saturation: 0.4525,
      colourfulness: 45.5,
      monochromeShare: 0.25,
      blackAndWhite: false,
    });
    expect(colour.palette).toEqual([
      { hex: "#c02020", share: 0.75 },
      { hex: "#808080", share: 0.25 },
    ]);
    expect(colour.bins.map((b) => b.keyframes)).toEqual([1, 1]);
    const grey = visualStats([kf(1, 3, 1, "#202020"), kf(5, 1, 2, "#e0e0e0")], 10);
    expect(grey.blackAndWhite).toBe(true);
  });

  it("dialogue pace with questions, exclamations and lexical diversity", () => {
    const cues = [
      { startTime: 0, endTime: 10, text: "Where were you last night?" },
      { startTime: 10, endTime: 15, text: "Out by the harbour. Alone!" },
      { startTime: 40, endTime: 45, text: "Alone again" },
    ];
    const d = dialogueStats(cues, 60, "en", 30);
    expect(d).toMatchObject({
      cues: 3,
      words: 12,
      sentences: 4,
      wordsPerMinute: 12,
      speechShare: 0.3333,
      wordsPerSpeakingMinute: 36,
      questions: 1,
      exclamations: 1,
      meanSentenceLength: 3,
    });
    expect(d.typeTokenRatio).toBeCloseTo(11 / 12, 3);
    expect(d.bins.map((b) => b.words)).toEqual([10, 2]);
  });

  it("counts Chinese and Japanese in words, not characters or lines", () => {
    expect(words("我们明天去北京看电影。", "zh")).toEqual(["我们", "明天", "去", "北京", "看", "电影"]);
    const d = dialogueStats([{ startTime: 0, endTime: 6, text: "我们明天去北京看电影。你去吗？" }], 60, "zh-Hans");
    expect(d.words).toBe(9);
    expect(d.sentences).toBe(2);
    expect(d.questions).toBe(1);
  });
});

describe("theme building blocks", () => {
  it("chooses k by silhouette and names clusters by class-based TF-IDF", () => {
    // three tight groups of 2-D unit vectors
    const at = (deg: number) => new Float32Array([Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180), 0]);
    const points = [
      at(0),
      at(3),
      at(6),
      at(90),
      at(93),
      at(96),
      new Float32Array([0, 0, 1]),
      new Float32Array([0.05, 0, 0.9987]),
    ];
    const choice = chooseK(points, 2, 5);
    expect(choice.best.k).toBe(3);
    expect(choice.candidates.map((c) => c.k)).toEqual([2, 3, 4, 5]);
    expect(new Set(choice.best.labels.slice(0, 3)).size).toBe(1);
    expect(choice.best.labels[0]).not.toBe(choice.best.labels[3]);
    const kw = classTfIdf(
      [
        ["The ship sails at dawn", "The ship leaves the harbour"],
        ["The war is over", "Soldiers of the war"],
      ],
      2,
    );
    expect(kw[0]!.map((k) => k.term)).toContain("ship");
    expect(kw[1]![0]!.term).toBe("war");
  });
});
