// The emotion fallback used when no emotion model can be had. English lines go through the sentence
// classifier (./english-sentence.model.ts: GloVe sentence vector + the grown lexicon's scores, softmax
// regression) when the word vectors can be had, else through the grown lexicon and its rules alone
// (./english.emotion-rules.ts); Chinese lines (any line with Han characters) through the Chinese rules
// (./chinese.emotion-rules.ts). The rules' scores become a distribution over Ekman's six + neutral, neutral
// holding `neutralBelow` as its prior, so a line with no emotional evidence is neutral and a line with strong
// evidence is not. Provenance says "lexicon" so no one mistakes it for a model, and its id says which
// English reader was used (it is decided once, before the first line, because results are stored under it).
import type { EmotionClassifier, EmotionScores, Provenance } from "../model-ports.js";
import { emptyScores, normaliseScores } from "../emotion-mapping.js";
import { EKMAN6 } from "./english-seeds.js";
import { EnglishEmotionRules, type RawScores } from "./english.emotion-rules.js";
import { ChineseEmotionRules } from "./chinese.emotion-rules.js";
import { EnglishSentenceClassifier, type SentenceVectorSource } from "./english-sentence.model.js";
import { ENGLISH_MODEL } from "./english-model.js";

/** With the word vectors: the English sentence classifier. */
export const FALLBACK_EMOTION_ID =
  "cinerag-emotion-fallback-v3 (en: GloVe sentence vectors + grown lexicon, softmax regression; zh: seed lexicon + rules)";
/** Without them: the English lexicon and rules alone. */
export const FALLBACK_EMOTION_LEXICON_ID =
  "cinerag-emotion-fallback-v2 (en: GloVe-grown lexicon + rules; zh: seed lexicon + rules)";

const HAN = /\p{Script=Han}/u;

export interface FallbackEmotionOptions {
  english?: EnglishEmotionRules;
  chinese?: ChineseEmotionRules;
  /** the word vectors, already loaded (see `withVectors`); without them English is read by the rules alone */
  vectors?: SentenceVectorSource;
}

export class FallbackEmotionClassifier implements EmotionClassifier {
  readonly provenance: Provenance;
  private readonly english: EnglishEmotionRules;
  private readonly chinese: ChineseEmotionRules;
  private readonly sentences?: EnglishSentenceClassifier;

  constructor(options: FallbackEmotionOptions = {}) {
    this.english = options.english ?? new EnglishEmotionRules();
    this.chinese = options.chinese ?? new ChineseEmotionRules();
    if (options.vectors) this.sentences = new EnglishSentenceClassifier(options.vectors, this.english, ENGLISH_MODEL);
    this.provenance = { method: "lexicon", model: this.sentences ? FALLBACK_EMOTION_ID : FALLBACK_EMOTION_LEXICON_ID };
  }

  /**
   * The fallback with the sentence classifier when the word vectors load (converted on first use), else the
   * rules alone: `why` then says what was missing. Never throws.
   */
  static async withVectors(
    vectors: SentenceVectorSource | undefined,
  ): Promise<{ classifier: FallbackEmotionClassifier; why?: string }> {
    if (!vectors) return { classifier: new FallbackEmotionClassifier(), why: "no word vectors installed" };
    try {
      await vectors.sentenceVectors(["warm up"]);
      return { classifier: new FallbackEmotionClassifier({ vectors }) };
    } catch (error) {
      return { classifier: new FallbackEmotionClassifier(), why: (error as Error).message };
    }
  }

  async classify(texts: string[], signal?: AbortSignal): Promise<EmotionScores[]> {
    signal?.throwIfAborted();
    const out = texts.map((t) => this.score(t));
    if (!this.sentences) return out;
    const english = texts.flatMap((t, i) => (HAN.test(t) ? [] : [i]));
    const read = await this.sentences.score(english.map((i) => texts[i]!));
    english.forEach((i, k) => {
      if (read[k]) out[i] = read[k];
    });
    return out;
  }

  /** One line by the rules alone (no word vectors): the English lexicon or the Chinese rules. */
  score(text: string): EmotionScores {
    const rules = HAN.test(text) ? this.chinese : this.english;
    return distribution(rules.score(text), rules.neutralBelow);
  }
}

function distribution(raw: RawScores, neutralBelow: number): EmotionScores {
  const scores = emptyScores();
  for (const e of EKMAN6) scores[e] = raw[e];
  const best = Math.max(...EKMAN6.map((e) => raw[e]));
  scores.neutral = best < neutralBelow ? Math.max(neutralBelow, 1e-6) + best : neutralBelow;
  return normaliseScores(scores);
}
