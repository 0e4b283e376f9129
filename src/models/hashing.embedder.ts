// A deterministic, dependency-free embedder: signed feature hashing ("the hashing trick") of word
// unigrams, CJK character unigrams/bigrams and character n-grams of words, into `dimension` buckets,
// then L2-normalised. Texts that share words (or word stems, or spelling variants, through the
// n-grams) land near each other. It is the test implementation and the offline fallback until a
// neural multilingual model replaces it; it knows nothing of synonyms or translation.
import type { EmbedKind, Embedder } from "./embedder.port.js";
import { normaliseInPlace } from "../util/vector-math.js";
import { ENGLISH_STOPWORDS } from "../search/stopwords.js";

export interface HashingEmbedderOptions {
  /** default 384 (the size of the small multilingual models we expect to replace this with) */
  dimension?: number;
  /** character n-gram sizes taken from each word (padded with < and >); default [3, 4] */
  ngramSizes?: number[];
  /** weight of a word's n-grams relative to the word itself; default 1 */
  ngramWeight?: number;
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_RUNS =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー々]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー々]+/gu;

const STOPWORDS = ENGLISH_STOPWORDS;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units, finalised with murmur3's mixer. */
function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

export class HashingEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimension: number;
  /**
   * Texts sharing no word and no 3–4 character slice still score a little from hash collisions, about
   * ±1/√dimension: twice that is the floor (0.10 at 384 dimensions).
   */
  get unrelatedBelow(): number {
    return 2 / Math.sqrt(this.dimension);
  }
  private readonly ngramSizes: number[];
  private readonly ngramWeight: number;

  constructor(options: HashingEmbedderOptions = {}) {
    this.dimension = options.dimension ?? 384;
    if (!Number.isInteger(this.dimension) || this.dimension < 8)
      throw new RangeError("dimension must be an integer >= 8");
    this.ngramSizes = options.ngramSizes ?? [3, 4];
    this.ngramWeight = options.ngramWeight ?? 1;
    this.modelId = `hashing-v1-d${this.dimension}-n${this.ngramSizes.join("")}-w${this.ngramWeight}`;
  }

  /** The hashing embedder is symmetric: `kind` is accepted for the port and ignored. */
  embed(texts: string[], _kind: EmbedKind): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((t) => this.embedOne(t)));
  }

  embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dimension);
    const counts = new Map<string, number>();
    for (const match of text.normalize("NFKC").toLowerCase().matchAll(WORD)) {
      const token = match[0];
      if (CJK.test(token)) {
        for (const run of token.match(CJK_RUNS) ?? []) {
          if (CJK.test(run)) {
            const chars = Array.from(run);
            chars.forEach((c, i) => {
              add(counts, `c:${c}`);
              const next = chars[i + 1];
              if (next !== undefined) add(counts, `b:${c}${next}`);
            });
          } else if (!STOPWORDS.has(run)) add(counts, `w:${run}`);
        }
      } else if (!STOPWORDS.has(token)) add(counts, `w:${token}`);
    }
    for (const [feature, tf] of counts) {
      const weight = 1 + Math.log(tf);
      this.addFeature(v, feature, weight);
      if (feature.startsWith("w:")) {
        const word = feature.slice(2);
        const chars = Array.from(`<${word}>`);
        const grams: string[] = [];
        for (const n of this.ngramSizes) {
          if (chars.length <= n) continue; // a short word is its own n-gram: the unigram covers it
          for (let i = 0; i + n <= chars.length; i++) grams.push(chars.slice(i, i + n).join(""));
        }
        if (grams.length === 0) continue;
        const gw = (weight * this.ngramWeight) / Math.sqrt(grams.length);
        for (const g of grams) this.addFeature(v, `g:${g}`, gw);
      }
    }
    return normaliseInPlace(v);
  }

  private addFeature(v: Float32Array, feature: string, weight: number): void {
    const h = hash32(feature, 0);
    const sign = hash32(feature, 0x9e3779b9) & 1 ? 1 : -1;
    const i = h % this.dimension;
    v[i] = v[i]! + sign * weight;
  }
}

function add(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
