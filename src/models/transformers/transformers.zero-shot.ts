// Zero-shot classification (NLI) through a transformers.js zero-shot-classification pipeline: the model
// scores "This example is {label}." as entailed by each text.
import type { Provenance, ZeroShotClassifier, ZeroShotResult } from "../model-ports.js";
import type { PipelineLike } from "./runtime.js";

export class TransformersZeroShotClassifier implements ZeroShotClassifier {
  readonly provenance: Provenance;

  constructor(
    private readonly pipe: PipelineLike,
    options: { model: string },
  ) {
    this.provenance = { method: "model", model: options.model };
  }

  async classify(
    texts: string[],
    labels: string[],
    options: { multiLabel?: boolean; hypothesisTemplate?: string; signal?: AbortSignal } = {},
  ): Promise<ZeroShotResult[]> {
    if (labels.length === 0) return texts.map(() => ({ labels: [] }));
    const out: ZeroShotResult[] = [];
    for (const text of texts) {
      options.signal?.throwIfAborted();
      // one text at a time: the pipeline batches its (text, hypothesis) pairs, one per label
      const r = (await this.pipe(text, labels, {
        multi_label: options.multiLabel ?? false,
        ...(options.hypothesisTemplate ? { hypothesis_template: options.hypothesisTemplate } : {}),
      })) as { labels: string[]; scores: number[] };
      out.push({
        labels: r.labels.map((label, i) => ({ label, score: r.scores[i] ?? 0 })).sort((a, b) => b.score - a.score),
      });
    }
    return out;
  }
}
