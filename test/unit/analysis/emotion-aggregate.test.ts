// Emotion aggregation with deterministic scores (KeywordEmotionClassifier, a test double).
import { describe, expect, it } from "vitest";
import {
  arc,
  distribution,
  peaks,
  sceneEmotions,
  speakerEmotions,
  type ScoredCue,
} from "../../../src/analysis/emotion/emotion-aggregate.js";
import { KeywordEmotionClassifier } from "./doubles.js";

async function cues(lines: Array<[number, string, string | null, string]>): Promise<ScoredCue[]> {
  const scores = await new KeywordEmotionClassifier().classify(lines.map((l) => l[1]));
  return lines.map(([start, text, speaker, scene], i) => ({
    cueId: `c${i}`,
    clipId: "clip",
    sceneId: scene,
    startTime: start,
    endTime: start + 2,
    text,
    speaker,
    scores: scores[i]!,
    source: "COMPUTED",
  }));
}

describe("emotion aggregation", () => {
  it("averages distributions per scene, per speaker and per clip", async () => {
    const c = await cues([
      [1, "I am furious", "ANN", "s1"],
      [4, "Nothing to say", "BOB", "s1"],
      [11, "So happy today", "ANN", "s2"],
      [14, "happy again", null, "s2"],
    ]);
    const d = distribution(c);
    expect(d.scores).toMatchObject({ anger: 0.2, joy: 0.4, neutral: 0.4 });
    expect(d.dominant).toBe("neutral"); // 0.4 joy ties 0.4 neutral: a tie with neutral is neutral
    const scenes = sceneEmotions(
      [
        { id: "s1", clipId: "clip", startTime: 0, endTime: 10 },
        { id: "s2", clipId: "clip", startTime: 10, endTime: 20 },
        { id: "s3", clipId: "clip", startTime: 20, endTime: 30 },
      ],
      c,
    );
    expect(scenes.map((s) => [s.cueCount, s.dominant, s.scores.anger, s.scores.joy])).toEqual([
      [2, "neutral", 0.4, 0], // anger 0.4, neutral 0.6
      [2, "joy", 0, 0.8],
      [0, null, 0, 0],
    ]);
    const speakers = speakerEmotions(c);
    expect(speakers.map((s) => [s.speaker, s.cueCount, s.scores.anger, s.scores.joy])).toEqual([
      ["ANN", 2, 0.4, 0.4],
      ["BOB", 1, 0, 0],
    ]);
  });

  it("builds an arc per minute with empty bins and per scene", async () => {
    const c = await cues([
      [5, "scared of the dark", null, "s1"],
      [70, "wow look at that", null, "s2"],
      [75, "so sad", null, "s2"],
    ]);
    const perMinute = arc({ id: "clip", duration: 150 }, [], c, { kind: "BIN", seconds: 60 });
    expect(perMinute.map((p) => [p.startTime, p.endTime, p.cueCount, p.dominant])).toEqual([
      [0, 60, 1, "fear"],
      [60, 120, 2, "sadness"], // a tie (0.4 each) goes to the earlier emotion of EMOTIONS,
      [120, 150, 0, null],
    ]);
    expect(perMinute[1]!.scores).toMatchObject({ surprise: 0.4, sadness: 0.4, neutral: 0.2 });
    const perScene = arc(
      { id: "clip", duration: 150 },
      [
        { id: "s1", startTime: 0, endTime: 60 },
        { id: "s2", startTime: 60, endTime: 150 },
      ],
      c,
      { kind: "SCENE" },
    );
    expect(perScene.map((p) => [p.sceneId, p.cueCount])).toEqual([
      ["s1", 1],
      ["s2", 2],
    ]);
  });

  it("finds the peaks of each emotion with the cues behind them", async () => {
    const c = await cues([
      [1, "furious!", null, "s1"],
      [3, "calm", null, "s1"],
      [9, "still furious", "ANN", "s2"],
      [12, "so happy", null, "s2"],
    ]);
    const p = peaks(c, 1);
    expect(p.map((x) => [x.emotion, x.cueId, x.score, x.text])).toEqual([
      ["anger", "c0", 0.8, "furious!"],
      ["joy", "c3", 0.8, "so happy"],
    ]);
    expect(peaks(c, 1, 0.9)).toEqual([]);
  });
});
