// Growing an emotion lexicon from seed words by word-vector similarity (the technique of e.g. Turney &
// Littman 2003, and of many lexicon-induction papers since): each emotion's seeds give a centroid; a
// frequent word joins the emotion whose centroid it is nearest to, when it is near enough and clearly
// nearer than to the next emotion. The weight is its similarity, so grown words count less than seeds.
import { GLOVE_DIMENSION, type GloveVectors } from "../wordvec/glove-vectors.js";
import { WORDVEC_STOPWORDS } from "../wordvec/tokens.js";
import { EKMAN6, type Ekman6 } from "./english-seeds.js";

export interface GrowOptions {
  /** only the most frequent words are candidates (rare words are noise); default 30,000 */
  vocabulary?: number;
  /** most words per emotion; default 150 */
  perEmotion?: number;
  /** least cosine to the centroid; default 0.55 */
  minSimilarity?: number;
  /** least lead over the second-nearest centroid; default 0.08 */
  minMargin?: number;
}

export type GrownLexicon = Record<Ekman6, Array<[string, number]>>;

export function growLexicon(
  glove: GloveVectors,
  seeds: Record<Ekman6, string[]>,
  options: GrowOptions = {},
): GrownLexicon {
  const vocabulary = Math.min(options.vocabulary ?? 30_000, glove.size);
  const perEmotion = options.perEmotion ?? 150;
  const minSimilarity = options.minSimilarity ?? 0.55;
  const minMargin = options.minMargin ?? 0.08;
  const centroids = EKMAN6.map((e) => centroid(glove, seeds[e]));
  const seedSet = new Set(EKMAN6.flatMap((e) => seeds[e]));
  const grown = Object.fromEntries(EKMAN6.map((e) => [e, [] as Array<[string, number]>])) as GrownLexicon;
  for (let i = 0; i < vocabulary; i++) {
    const word = glove.words[i]!;
    if (seedSet.has(word) || WORDVEC_STOPWORDS.has(word) || word.length < 3 || !/^[a-z]+$/.test(word)) continue;
    const sims = centroids.map((c) => dot(c, glove.row(i)));
    const order = sims.map((s, k) => [s, k] as const).sort((a, b) => b[0] - a[0]);
    const [best, second] = [order[0]!, order[1]!];
    if (best[0] >= minSimilarity && best[0] - second[0] >= minMargin)
      grown[EKMAN6[best[1]]!].push([word, round(best[0])]);
  }
  for (const e of EKMAN6) grown[e] = grown[e].sort((a, b) => b[1] - a[1]).slice(0, perEmotion);
  return grown;
}

function centroid(glove: GloveVectors, words: string[]): Float32Array {
  const c = new Float32Array(GLOVE_DIMENSION);
  for (const w of words) {
    const v = glove.vector(w);
    if (v) for (let d = 0; d < GLOVE_DIMENSION; d++) c[d]! += v[d]!;
  }
  let norm = 0;
  for (let d = 0; d < GLOVE_DIMENSION; d++) norm += c[d]! * c[d]!;
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let d = 0; d < GLOVE_DIMENSION; d++) c[d]! *= inv;
  return c;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += a[d]! * b[d]!;
  return s;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
