// The English sentence classifier of the emotion fallback: softmax regression (./softmax-regression.ts) over
// the features of ./english-features.ts, trained by ./train.cli.ts on the tuning and validation lines and
// committed as ./english-model.ts. It reads what the lexicon alone misses (a line with no emotion word,
// "the ice is cracking under us") and weighs the lexicon's evidence against the line's meaning, neutral
// included as a class of its own, so neutral is learned rather than a fixed threshold.
import type { EmotionScores } from "../model-ports.js";
import { emptyScores, normaliseScores } from "../emotion-mapping.js";
import type { EnglishEmotionRules } from "./english.emotion-rules.js";
import { englishFeatures, type FeatureGroup } from "./english-features.js";
import { predictSoftmax, type SoftmaxModel } from "./softmax-regression.js";
import { vectorText } from "./english-training.js";

export interface EnglishSentenceModel extends SoftmaxModel {
  groups: FeatureGroup[];
  /** the sentence vector leaves out negated emotion words ("not happy"), which the lexicon's rules score */
  dropNegated: boolean;
  /** how many lines it was trained on */
  trainedOn: number;
}

/** Where the sentence vectors come from: the word-vector embedder (GloVe), loaded once. */
export interface SentenceVectorSource {
  sentenceVectors(texts: string[]): Promise<Float32Array[]>;
}

export class EnglishSentenceClassifier {
  constructor(
    private readonly vectors: SentenceVectorSource,
    private readonly rules: EnglishEmotionRules,
    private readonly model: EnglishSentenceModel,
  ) {}

  /** Scores per line; undefined for a line none of whose words GloVe knows (nothing to read: the rules decide). */
  async score(texts: string[]): Promise<Array<EmotionScores | undefined>> {
    if (texts.length === 0) return [];
    const vectors = await this.vectors.sentenceVectors(
      texts.map((t) => vectorText(t, this.model.dropNegated, this.rules)),
    );
    return texts.map((text, i) => {
      if (vectors[i]!.every((x) => x === 0)) return undefined;
      const p = predictSoftmax(this.model, englishFeatures(text, vectors[i]!, this.rules, this.model.groups));
      const scores = emptyScores();
      this.model.classes.forEach((c, k) => {
        if (c in scores) scores[c as keyof EmotionScores] = p[k]!;
      });
      return normaliseScores(scores);
    });
  }
}
