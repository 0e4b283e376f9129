// The offline embedder: GloVe word vectors (./glove-vectors.ts) averaged over a text's words, joined with
// the hashing embedder's features. Without a neural model this is what knows that "where were you?" and
// "at the harbour, all night" are about the same thing, which hashing cannot.
//
// - Words are weighted by smooth inverse frequency (a / (a + p(w)), p from GloVe's frequency rank by Zipf's
//   law), stopwords count zero, and the mean word vector of the vocabulary is removed (Arora et al. 2017,
//   "A simple but tough-to-beat baseline for sentence embeddings"): without that every pair of averages
//   scores ~0.8 because they share GloVe's common direction.
// - The hashing part (its own unit vector, scaled by `hashingWeight`) keeps what GloVe lacks: names,
//   Chinese and other non-English text, exact words. A text none of whose words GloVe knows is embedded by
//   the hashing part alone; a text with no features at all is the zero vector (never NaN).
// - The vectors are loaded on the first `embed` call, not at construction, so start-up stays fast.
import type { EmbedKind, Embedder } from "../embedder.port.js";
import { HashingEmbedder } from "../hashing.embedder.js";
import { GLOVE_DIMENSION, GloveVectors } from "./glove-vectors.js";
import { wordvecTokens } from "./tokens.js";

export interface WordVecEmbedderOptions {
  /** the cache folder of the converted vectors (the model cache's `wordvec/`) */
  cacheDir: string;
  /** the package's JSON (tests); default: resolved from node_modules */
  sourceFile?: string;
  /** dimension of the hashing part; default 256 */
  hashingDimension?: number;
  /** weight of the hashing part against the word-vector part (both unit length before); default 0.5 */
  hashingWeight?: number;
  /** SIF's a; default 1e-3 */
  sifA?: number;
}

/** Words ranked past this are rare enough to be kept whole; the vocabulary's mean is taken over these. */
const MEAN_OVER = 50_000;

export class WordVecEmbedder implements Embedder {
  readonly modelId: string;
  readonly provenance: { method: "wordvec"; model: string };
  readonly dimension: number;
  /** measured on the paraphrase tuning set (bench/fallback): unrelated lines score below this */
  readonly unrelatedBelow = 0.12;
  private readonly hashing: HashingEmbedder;
  private readonly hashingWeight: number;
  private readonly sifA: number;
  private loading?: Promise<{ glove: GloveVectors; mean: Float32Array }>;

  constructor(private readonly options: WordVecEmbedderOptions) {
    this.hashing = new HashingEmbedder({ dimension: options.hashingDimension ?? 256 });
    this.hashingWeight = options.hashingWeight ?? 0.5;
    this.sifA = options.sifA ?? 1e-3;
    this.dimension = GLOVE_DIMENSION + this.hashing.dimension;
    this.modelId = `glove6b-100d-sif-v1+${this.hashing.modelId}-x${this.hashingWeight}`;
    this.provenance = { method: "wordvec", model: this.modelId };
  }

  /** The vectors, loaded (and converted on first use) once. */
  vectors(): Promise<GloveVectors> {
    return this.load().then((l) => l.glove);
  }

  async embed(texts: string[], kind: EmbedKind): Promise<Float32Array[]> {
    const loaded = await this.load();
    const hashed = await this.hashing.embed(texts, kind);
    return texts.map((t, i) => this.join(this.wordPart(t, loaded.glove, loaded.mean), hashed[i]!));
  }

  /** The word-vector part alone (SIF average, centred, unit length; zero when no word is known), as features. */
  async sentenceVectors(texts: string[]): Promise<Float32Array[]> {
    const loaded = await this.load();
    return texts.map((t) => this.wordPart(t, loaded.glove, loaded.mean));
  }

  private load() {
    this.loading ??= GloveVectors.open(this.options.cacheDir, this.options.sourceFile).then((glove) => ({
      glove,
      mean: this.vocabularyMean(glove),
    }));
    this.loading.catch(() => (this.loading = undefined));
    return this.loading;
  }

  private weight(rank: number): number {
    const p = 0.1 / (rank + 1); // Zipf: the r-th most frequent word has frequency ~0.1 / r
    return this.sifA / (this.sifA + p);
  }

  private vocabularyMean(glove: GloveVectors): Float32Array {
    const mean = new Float32Array(GLOVE_DIMENSION);
    const n = Math.min(MEAN_OVER, glove.size);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = this.weight(i);
      const row = glove.row(i);
      for (let d = 0; d < GLOVE_DIMENSION; d++) mean[d]! += w * row[d]!;
      total += w;
    }
    for (let d = 0; d < GLOVE_DIMENSION; d++) mean[d]! /= total;
    return mean;
  }

  /** The SIF average of the known words, centred and unit length; zero when no word is known. */
  private wordPart(text: string, glove: GloveVectors, mean: Float32Array): Float32Array {
    const v = new Float32Array(GLOVE_DIMENSION);
    let total = 0;
    for (const token of wordvecTokens(text)) {
      const rank = glove.rank(token);
      if (rank < 0) continue;
      const w = this.weight(rank);
      const row = glove.row(rank);
      for (let d = 0; d < GLOVE_DIMENSION; d++) v[d]! += w * row[d]!;
      total += w;
    }
    if (total === 0) return v;
    for (let d = 0; d < GLOVE_DIMENSION; d++) v[d] = v[d]! / total - mean[d]!;
    return unit(v);
  }

  private join(word: Float32Array, hashed: Float32Array): Float32Array {
    const out = new Float32Array(this.dimension);
    out.set(word, 0);
    for (let d = 0; d < hashed.length; d++) out[GLOVE_DIMENSION + d] = hashed[d]! * this.hashingWeight;
    return unit(out);
  }
}

function unit(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  if (!(norm > 0) || !Number.isFinite(norm)) return v.fill(0);
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}
