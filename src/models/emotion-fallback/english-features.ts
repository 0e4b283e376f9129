// The features the English sentence classifier reads from one line: the line's GloVe sentence vector (the
// word-vector embedder's SIF average, which knows that "the ice is cracking" is near danger with no
// emotion word in it), the grown lexicon's six scores after its negation and intensifier rules (log-scaled:
// one strong word and three weak ones should not differ tenfold), and whether the line exclaims or asks.
import { EKMAN6 } from "./english-seeds.js";
import type { EnglishEmotionRules } from "./english.emotion-rules.js";

export type FeatureGroup = "vector" | "lexicon" | "punctuation";
export const ALL_GROUPS: readonly FeatureGroup[] = ["vector", "lexicon", "punctuation"];

export function englishFeatures(
  text: string,
  sentenceVector: ArrayLike<number>,
  rules: EnglishEmotionRules,
  groups: readonly FeatureGroup[] = ALL_GROUPS,
): number[] {
  const out: number[] = [];
  if (groups.includes("vector")) out.push(...Array.from(sentenceVector));
  if (groups.includes("lexicon")) {
    const raw = rules.score(text);
    out.push(...EKMAN6.map((e) => Math.log1p(raw[e])));
  }
  if (groups.includes("punctuation")) out.push(text.includes("!") ? 1 : 0, text.includes("?") ? 1 : 0);
  return out;
}
