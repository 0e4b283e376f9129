// The embedding port: text in, L2-normalised vectors out. The search index stores the model id and
// dimension it was built with and refuses vectors from another model (see src/search/scene-index.port.ts).

export type EmbedKind = "query" | "passage";

export interface Embedder {
  /** stable identifier of the model and its settings; a change means every stored vector must be recomputed */
  readonly modelId: string;
  readonly dimension: number;
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
