// The emotion fallback (no model): the grown English lexicon with its rules, and the Chinese seed lexicon.
import { describe, expect, it } from "vitest";
import { FallbackEmotionClassifier } from "../../../src/models/emotion-fallback/fallback.emotion-classifier.js";
import { topEmotion } from "../../../src/models/emotion-mapping.js";
import { emotionAccuracy } from "../../../bench/fallback.bench.js";
import { LexiconEmotionClassifier } from "../../../src/models/lexicon/lexicon.emotion-classifier.js";

const c = new FallbackEmotionClassifier();
const top = (t: string) => topEmotion(c.score(t));

describe("FallbackEmotionClassifier", () => {
  it("reads negation, intensifiers and both languages", () => {
    expect(top("I am so happy today")).toBe("joy");
    expect(top("I'm not happy at all")).not.toBe("joy");
    expect(top("I'm not afraid of you")).not.toBe("fear");
    expect(top("The train leaves at seven.")).toBe("neutral");
    expect(top("我好害怕")).toBe("fear");
    expect(top("我不开心")).not.toBe("joy");
    expect(top("火车七点开。")).toBe("neutral");
  });

  it("returns a distribution for any input, empty included", () => {
    for (const t of ["", "!!!", "xqzv", "。"]) {
      const s = c.score(t);
      expect(Object.values(s).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(topEmotion(s)).toBe("neutral");
    }
  });

  it("beats the previous lexicon on the validation lines of both languages", async () => {
    for (const language of ["en", "zh"] as const) {
      const now = await emotionAccuracy(c, language, "validation");
      const before = await emotionAccuracy(new LexiconEmotionClassifier(), language, "validation");
      expect(now.n).toBeGreaterThanOrEqual(100);
      expect(now.accuracy).toBeGreaterThan(before.accuracy);
      expect(now.accuracy).toBeGreaterThanOrEqual(language === "zh" ? 0.5 : 0.5);
    }
  });
});
