// Sentence embeddings through a transformers.js feature-extraction pipeline: mean pooling over tokens,
// L2-normalised, in batches. Asymmetric models (e5) get their `query: ` / `passage: ` prefixes. The model
// is loaded on the first call (the registry's promise cache: once per process).
import type { EmbedKind, Embedder } from "../embedder.port.js";
import { batches } from "../batching.js";
import type { PipelineLike } from "./runtime.js";
import { rows, type TensorLike } from "./tensors.js";

export interface TransformersEmbedderOptions {
  modelId: string;
  dimension: number;
  prefixes?: { query: string; passage: string };
  /** texts per inference call; default 32 */
  batchSize?: number;
}

export class TransformersEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimension: number;
  readonly provenance: { method: "model"; model: string };
  /** inference calls made (tests, benchmarks) */
  calls = 0;

  constructor(
    private readonly load: () => Promise<PipelineLike>,
    private readonly options: TransformersEmbedderOptions,
  ) {
    this.modelId = options.modelId;
    this.dimension = options.dimension;
    this.provenance = { method: "model", model: options.modelId };
  }

  async embed(texts: string[], kind: EmbedKind): Promise<Float32Array[]> {
    const out: Float32Array[] = texts.map(() => new Float32Array(this.dimension));
    // a text with no content gets the zero vector (the port's contract), without a model call
    const todo = texts.map((t, i) => ({ t: t.trim(), i })).filter((x) => x.t.length > 0);
    if (todo.length === 0) return out;
    const pipe = await this.load();
    const prefix = this.options.prefixes?.[kind] ?? "";
    for (const batch of batches(todo, this.options.batchSize ?? 32)) {
      this.calls++;
      const tensor = (await pipe(
        batch.map((x) => prefix + x.t),
        { pooling: "mean", normalize: true },
      )) as TensorLike;
      const vectors = rows(tensor);
      batch.forEach((x, j) => {
        const v = vectors[j]!;
        if (v.length !== this.dimension)
          throw new Error(`model ${this.modelId} gave ${v.length}-d vectors, expected ${this.dimension}`);
        out[x.i] = v;
      });
    }
    return out;
  }
}
