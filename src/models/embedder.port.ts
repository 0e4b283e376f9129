// The embedding port: text in, L2-normalised vectors out. The search index stores the model id and
// dimension it was built with and refuses vectors from another model (see src/search/scene-index.port.ts).

import type { Provenance } from "./model-ports.js";

export type EmbedKind = "query" | "passage";

export interface Embedder {
  /** stable identifier of the model and its settings; a change means every stored vector must be recomputed */
  readonly modelId: string;
  readonly dimension: number;
  /**
   * where the vectors come from: method "model" for a neural model, "wordvec" for the word-vector fallback, "hashing" for the hashing embedder.
   * Callers that treat the two differently (relevance floors, reported provenance) read this, never the id.
   */
  readonly provenance: Provenance & { method: "model" | "wordvec" | "hashing" };
  /**
   * cosine similarity below which two texts are unrelated for this model, where that is known; search
   * drops nearest neighbours under it (kNN otherwise returns k scenes for any query, even nonsense)
   */
  readonly unrelatedBelow?: number;
  /**
   * One vector per input text, in order, each of length `dimension` and unit L2 norm (an all-zero vector
   * for a text with no features). `kind` lets asymmetric models (e5: "query: " / "passage: ") prefix inputs.
   */
  embed(texts: string[], kind: EmbedKind): Promise<Float32Array[]>;
}
