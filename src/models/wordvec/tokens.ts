// Words as GloVe 6B spells them: lower case, contractions split the way its tokenizer split them
// ("don't" → "do" "n't", "I'm" → "i" "'m"), and function words dropped (their vectors are noise in an
// average: zeroing them took paraphrase recall@1 from 24/30 to 28/30 in ENVIRONMENT.md's trial).
import { ENGLISH_STOPWORDS } from "../../search/stopwords.js";

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

export const WORDVEC_STOPWORDS: ReadonlySet<string> = new Set([
  ...ENGLISH_STOPWORDS,
  ..."am 's 'm 're 've 'll 'd n't can could would should shall may might must just also all any some such own same only very s t ve ll re d m o y about above after again against before below between both during each few further here how more most nor off once other out over through under until up us while whom yours ours hers theirs myself yourself himself herself itself ourselves themselves those because doing being having got get gets let oh ok okay yeah yes well hey uh um".split(
    " ",
  ),
]);

/** Lower-cased GloVe tokens of `text`, stopwords removed. */
export function wordvecTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.normalize("NFKC").toLowerCase().replace(/’/g, "'").matchAll(WORD)) {
    for (const t of splitContraction(m[0])) if (!WORDVEC_STOPWORDS.has(t)) out.push(t);
  }
  return out;
}

/** "don't" → ["do", "n't"], "can't" → ["ca", "n't"], "she's" → ["she", "'s"], "rock'n'roll" kept. */
export function splitContraction(word: string): string[] {
  const nt = /^(.+)n't$/.exec(word);
  if (nt) return [nt[1]!, "n't"];
  const clitic = /^(.+)('(?:s|m|re|ve|ll|d))$/.exec(word);
  if (clitic) return [clitic[1]!, clitic[2]!];
  return [word];
}
