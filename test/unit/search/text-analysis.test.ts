import { describe, expect, it } from "vitest";
import { reciprocalRankFusion } from "../../../src/search/rrf.js";
import {
  fragmentsFromMarked,
  MARK_CLOSE,
  MARK_OPEN,
  queryTerms,
  segmentForIndex,
  toFtsQuery,
  unsegment,
} from "../../../src/search/text-analysis.js";
import { HashingEmbedder } from "../../../src/models/hashing.embedder.js";

describe("text analysis", () => {
  it("sets CJK characters apart and can undo it", () => {
    const s = segmentForIndex("我们在北京 meet");
    expect(s).toContain("\u200B北\u200B");
    expect(unsegment(s)).toBe("我们在北京 meet");
  });

  it("turns CJK runs into bigram phrases and words into quoted terms", () => {
    expect(queryTerms("東京タワー")).toEqual(["東 京", "京 タ", "タ ワ", "ワ ー"]);
    expect(queryTerms("猫")).toEqual(["猫"]);
    expect(queryTerms('AND "x" -y*')).toEqual(["AND", "x", "y"]);
    expect(toFtsQuery('she said: "hi"')).toBe('"said" OR "hi"'); // "she": a function word, dropped
    expect(toFtsQuery("harbour at night")).toBe('"harbour" OR "night"');
    expect(toFtsQuery("to be or not to be")).toBe('"to" OR "be" OR "or" OR "not"'); // nothing else: all kept
    expect(toFtsQuery("*:-()")).toBeNull();
  });

  it("cuts fragments around marks", () => {
    const long = `${"word ".repeat(50)}${MARK_OPEN}knife${MARK_CLOSE}${" word".repeat(50)}`;
    const [f] = fragmentsFromMarked(long, {
      preTag: "<b>",
      postTag: "</b>",
      encoder: "none",
      fragmentSize: 40,
      maxFragments: 3,
    });
    expect(f!.text).toContain("<b>knife</b>");
    expect(f!.text.length).toBeLessThan(60);
  });
});

describe("reciprocalRankFusion", () => {
  const hit = (id: string) => ({ sceneId: id, clipId: "c", score: 1, matchedBy: [], highlights: [] });
  it("sums 1/(k + rank) and records both sources", () => {
    const fused = reciprocalRankFusion(
      [
        { matchedBy: "KEYWORD", hits: [hit("a"), hit("b")] },
        { matchedBy: "SEMANTIC", hits: [hit("b"), hit("c")] },
      ],
      10,
    );
    expect(fused.map((h) => h.sceneId)).toEqual(["b", "a", "c"]);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61);
    expect(fused[0]!.matchedBy).toEqual(["KEYWORD", "SEMANTIC"]);
    expect(fused[2]!.matchedBy).toEqual(["SEMANTIC"]);
  });
});

describe("HashingEmbedder", () => {
  it("is deterministic, unit length, and puts texts sharing words near", async () => {
    const e = new HashingEmbedder({ dimension: 128 });
    const [a, b, c, a2] = await e.embed(
      ["the investigation continues", "investigators continue", "a bowl of soup", "the investigation continues"],
      "passage",
    );
    const cos = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(Array.from(a!)).toEqual(Array.from(a2!));
    expect(cos(a!, a!)).toBeCloseTo(1, 5);
    expect(cos(a!, b!)).toBeGreaterThan(cos(a!, c!) + 0.2);
  });
});
