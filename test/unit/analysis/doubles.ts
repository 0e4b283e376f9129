// Deterministic test implementations of the model ports (test doubles, not models): their outputs are
// fixed functions of the input, so aggregation can be asserted exactly.
import type {
  ChatMessage,
  EmotionClassifier,
  EmotionScores,
  GenerateOptions,
  ImageTextEmbedder,
  Provenance,
  TextGenerator,
  ZeroShotClassifier,
  ZeroShotResult,
} from "../../../src/models/model-ports.js";
import { ModelUnavailableError } from "../../../src/models/model-errors.js";
import type { AnalysisModels } from "../../../src/analysis/analysis-models.js";

const zero = (): EmotionScores => ({ anger: 0, disgust: 0, fear: 0, joy: 0, sadness: 0, surprise: 0, neutral: 0 });

/** Keyword → emotion: a cue with "furious" is 0.8 anger + 0.2 neutral, etc.; anything else is neutral 1. */
export const TEST_EMOTION_WORDS: Record<string, keyof EmotionScores> = {
  furious: "anger",
  scared: "fear",
  happy: "joy",
  sad: "sadness",
  wow: "surprise",
  gross: "disgust",
};

export class KeywordEmotionClassifier implements EmotionClassifier {
  readonly provenance: Provenance = { method: "test", model: "keyword-emotion-double" };
  calls = 0;

  classify(texts: string[]): Promise<EmotionScores[]> {
    this.calls++;
    const scores = texts.map((t) => {
      const s = zero();
      const hit = Object.entries(TEST_EMOTION_WORDS).find(([w]) => t.toLowerCase().includes(w));
      if (hit) {
        s[hit[1]] = 0.8;
        s.neutral = 0.2;
      } else s.neutral = 1;
      return s;
    });
    return Promise.resolve(scores);
  }
}

/** Zero-shot double: a label scores 0.9 when its first word occurs in the text, else 0.1. */
export class WordZeroShot implements ZeroShotClassifier {
  readonly provenance: Provenance = { method: "test", model: "word-zero-shot-double" };

  classify(texts: string[], labels: string[]): Promise<ZeroShotResult[]> {
    return Promise.resolve(
      texts.map((t) => ({
        labels: labels
          .map((label) => ({
            label,
            score: t.toLowerCase().includes(label.toLowerCase().split(/\s+/)[0]!) ? 0.9 : 0.1,
          }))
          .sort((a, b) => b.score - a.score),
      })),
    );
  }
}

/** CLIP double: every image is the vector of the `winner` prompt's label; prompts are one-hot by label order. */
export class OneHotImageText implements ImageTextEmbedder {
  readonly provenance: Provenance = { method: "test", model: "one-hot-clip-double" };
  readonly dimension = 16;
  images = 0;

  constructor(private readonly winnerPrompt: string) {}

  private oneHot(i: number): Float32Array {
    const v = new Float32Array(this.dimension);
    v[i % this.dimension] = 1;
    return v;
  }

  embedImages(paths: string[]): Promise<Float32Array[]> {
    this.images += paths.length;
    return Promise.resolve(paths.map(() => this.oneHot(0)));
  }

  embedTexts(texts: string[]): Promise<Float32Array[]> {
    let other = 1;
    return Promise.resolve(texts.map((t) => (t === this.winnerPrompt ? this.oneHot(0) : this.oneHot(other++))));
  }
}

/** A generator that answers a fixed text (streamed word by word). */
export class ScriptedGenerator implements TextGenerator {
  readonly provenance: Provenance = { method: "test", model: "scripted-generator-double" };
  seen: ChatMessage[][] = [];

  constructor(private readonly answer: string | ((messages: ChatMessage[]) => string)) {}

  generate(messages: ChatMessage[], options: GenerateOptions = {}): Promise<string> {
    this.seen.push(messages);
    try {
      const text = typeof this.answer === "string" ? this.answer : this.answer(messages);
      for (const piece of text.split(/(?<= )/)) options.onToken?.(piece);
      return Promise.resolve(text);
    } catch (error) {
      // as an async generator would: a failing answer function or token callback rejects
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

export function testModels(
  opts: {
    emotion?: EmotionClassifier;
    zeroShot?: ZeroShotClassifier | null;
    imageText?: ImageTextEmbedder | null;
  } = {},
): AnalysisModels {
  const emotion = opts.emotion ?? new KeywordEmotionClassifier();
  return {
    emotion: () => Promise.resolve(emotion),
    zeroShot: () =>
      opts.zeroShot
        ? Promise.resolve(opts.zeroShot)
        : Promise.reject(new ModelUnavailableError("zero-shot", "test-zero-shot", "offline")),
    imageText: () =>
      opts.imageText
        ? Promise.resolve(opts.imageText)
        : Promise.reject(new ModelUnavailableError("clip", "test-clip", "offline")),
  };
}
