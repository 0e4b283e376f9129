import { describe, expect, it } from "vitest";
import { LexiconEmotionClassifier } from "../../../src/models/lexicon/lexicon.emotion-classifier.js";
import { GOEMOTIONS_TO_EKMAN, toEkman, topEmotion } from "../../../src/models/emotion-mapping.js";
import { EMOTIONS } from "../../../src/models/model-ports.js";

const lexicon = new LexiconEmotionClassifier();
const top = (text: string) => topEmotion(lexicon.score(text));

describe("the curated emotion lexicon (fallback)", () => {
  it("finds each of Ekman's six, and neutral when nothing matches", () => {
    expect(top("I'm so happy for you, congratulations!")).toBe("joy");
    expect(top("You lied to me, I hate you")).toBe("anger");
    expect(top("That smell is disgusting")).toBe("disgust");
    expect(top("I'm scared, there's a ghost")).toBe("fear");
    expect(top("She died and I cried all night")).toBe("sadness");
    expect(top("Wow, I'm shocked")).toBe("surprise");
    expect(top("Pass the salt.")).toBe("neutral");
    expect(lexicon.score("Pass the salt.")).toMatchObject({ neutral: 1 });
  });

  it("skips a word right after a negation", () => {
    expect(top("I am not happy")).toBe("neutral");
  });

  it("has a few entries beyond English", () => {
    expect(top("Je suis tellement heureux")).toBe("joy");
    expect(top("我好害怕")).toBe("fear");
    expect(top("Estoy muy triste")).toBe("sadness");
  });

  it("returns distributions over the seven emotions", async () => {
    const [s] = await lexicon.classify(["happy and sad and happy"]);
    expect(Object.keys(s!).sort()).toEqual([...EMOTIONS].sort());
    expect(Object.values(s!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(s!.joy).toBeGreaterThan(s!.sadness);
  });
});

describe("GoEmotions → Ekman", () => {
  it("maps all 28 GoEmotions labels", () => {
    const goEmotions =
      "admiration amusement anger annoyance approval caring confusion curiosity desire disappointment disapproval disgust embarrassment excitement fear gratitude grief joy love nervousness optimism pride realization relief remorse sadness surprise neutral".split(
        " ",
      );
    expect(goEmotions).toHaveLength(28);
    for (const l of goEmotions) expect(GOEMOTIONS_TO_EKMAN[l]).toBeDefined();
  });

  it("averages each group's labels, then normalises over the groups", () => {
    const s = toEkman([
      { label: "grief", score: 0.4 },
      { label: "remorse", score: 0.4 },
      { label: "joy", score: 0.2 },
      { label: "unknown", score: 5 },
    ]);
    expect(s.sadness).toBeCloseTo(0.4 / 0.6, 5);
    expect(s.joy).toBeCloseTo(0.2 / 0.6, 5);
    expect(toEkman([])).toMatchObject({ neutral: 1 });
  });

  it("does not favour the groups with many labels (joy has 12, disgust 1)", () => {
    // a multi-label sigmoid model that gives all 28 labels the same score expresses no emotion in particular
    const flat = toEkman(
      Object.keys(GOEMOTIONS_TO_EKMAN)
        .slice(0, 28)
        .map((label) => ({ label, score: 0.1 })),
    );
    expect(flat.joy).toBeCloseTo(flat.disgust, 5);
    expect(flat.joy).toBeCloseTo(1 / 7, 5);
    // one clear disgust label beats a dozen faint joy ones
    const s = toEkman([
      { label: "disgust", score: 0.6 },
      ...["joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism", "relief", "pride"].map(
        (label) => ({ label, score: 0.1 }),
      ),
    ]);
    expect(s.disgust).toBeGreaterThan(s.joy);
  });
});
