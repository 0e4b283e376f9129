// The emotion fallback used when no emotion model can be had: English lines through the grown lexicon and
// rules (./english.emotion-rules.ts), Chinese (any line with Han characters) through the Chinese rules
// (./chinese.emotion-rules.ts). Scores become a distribution over Ekman's six + neutral, neutral holding
// `neutralBelow` as its prior, so a line with no emotional evidence is neutral and a line with strong
// evidence is not. Provenance says "lexicon" so no one mistakes it for a model.
import type { EmotionClassifier, EmotionScores, Provenance } from "../model-ports.js";
import { emptyScores, normaliseScores } from "../emotion-mapping.js";
import { EKMAN6 } from "./english-seeds.js";
import { EnglishEmotionRules, type RawScores } from "./english.emotion-rules.js";
import { ChineseEmotionRules } from "./chinese.emotion-rules.js";

export const FALLBACK_EMOTION_ID =
  "cinerag-emotion-fallback-v2 (en: GloVe-grown lexicon + rules; zh: seed lexicon + rules)";

const HAN = /\p{Script=Han}/u;

export interface FallbackEmotionOptions {
  english?: EnglishEmotionRules;
  chinese?: ChineseEmotionRules;
}

export class FallbackEmotionClassifier implements EmotionClassifier {
  readonly provenance: Provenance = { method: "lexicon", model: FALLBACK_EMOTION_ID };
  private readonly english: EnglishEmotionRules;
  private readonly chinese: ChineseEmotionRules;

  constructor(options: FallbackEmotionOptions = {}) {
    this.english = options.english ?? new EnglishEmotionRules();
    this.chinese = options.chinese ?? new ChineseEmotionRules();
  }

  classify(texts: string[], signal?: AbortSignal): Promise<EmotionScores[]> {
    signal?.throwIfAborted();
    return Promise.resolve(texts.map((t) => this.score(t)));
  }

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
