// Emotion without a model: counts words of cinerag's own lexicon (./emotion-lexicon.ts), skipping a word
// right after a negation ("not happy"), plus a constant neutral prior, normalised to a distribution over
// Ekman's six + neutral. Crude by design; its provenance says "lexicon" so no one mistakes it for a model.
import type { EmotionClassifier, EmotionScores, Provenance } from "../model-ports.js";
import { emptyScores, normaliseScores } from "../emotion-mapping.js";
import { LEXICON_ID, NEGATIONS, SUBSTRING_EMOTIONS, WORD_EMOTIONS } from "./emotion-lexicon.js";

const WORD = /[\p{L}\p{N}']+/gu;
const NEUTRAL_PRIOR = 0.5;

export class LexiconEmotionClassifier implements EmotionClassifier {
  readonly provenance: Provenance = { method: "lexicon", model: LEXICON_ID };

  classify(texts: string[], signal?: AbortSignal): Promise<EmotionScores[]> {
    // settled asynchronously like a model's answer: an aborted signal rejects, it does not throw
    return Promise.resolve().then(() => {
      signal?.throwIfAborted();
      return texts.map((t) => this.score(t));
    });
  }

  score(text: string): EmotionScores {
    const scores = emptyScores();
    const lower = text.normalize("NFKC").toLowerCase();
    const words = lower.match(WORD) ?? [];
    let hits = 0;
    words.forEach((w, i) => {
      const e = WORD_EMOTIONS.get(w) ?? WORD_EMOTIONS.get(w.replace(/'s$/, ""));
      if (!e) return;
      const prev = words[i - 1];
      const prev2 = words[i - 2];
      if (
        (prev && NEGATIONS.has(prev)) ||
        (prev2 && NEGATIONS.has(prev2) && prev && /^(so|very|that|too|really)$/.test(prev))
      )
        return;
      scores[e] += 1;
      hits++;
    });
    for (const [s, e] of SUBSTRING_EMOTIONS) {
      let from = 0;
      for (;;) {
        const at = lower.indexOf(s, from);
        if (at < 0) break;
        scores[e] += 1;
        hits++;
        from = at + s.length;
      }
    }
    scores.neutral = hits === 0 ? 1 : NEUTRAL_PRIOR;
    return normaliseScores(scores);
  }
}
