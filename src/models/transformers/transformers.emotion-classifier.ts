// Text emotion through a transformers.js text-classification pipeline, every label scored (top_k: null),
// mapped to Ekman's six + neutral (../emotion-mapping.ts), in batches.
import type { EmotionClassifier, EmotionScores, Provenance } from "../model-ports.js";
import { mapBatched } from "../batching.js";
import { toEkman } from "../emotion-mapping.js";
import type { PipelineLike } from "./runtime.js";

type Labelled = Array<{ label: string; score: number }>;

export class TransformersEmotionClassifier implements EmotionClassifier {
  readonly provenance: Provenance;
  calls = 0;

  constructor(
    private readonly pipe: PipelineLike,
    private readonly options: { model: string; batchSize?: number },
  ) {
    this.provenance = { method: "model", model: options.model };
  }

  async classify(texts: string[], signal?: AbortSignal): Promise<EmotionScores[]> {
    return mapBatched(
      texts,
      this.options.batchSize ?? 32,
      async (batch) => {
        // blank texts are neutral without a model call
        const todo = batch.map((t, i) => ({ t: t.trim(), i })).filter((x) => x.t.length > 0);
        const out: EmotionScores[] = batch.map(() => toEkman([]));
        if (todo.length === 0) return out;
        this.calls++;
        const result = (await this.pipe(
          todo.map((x) => x.t),
          { top_k: null },
        )) as Labelled[] | Labelled;
        // one input gives one list; several give a list of lists
        const lists: Labelled[] =
          todo.length === 1 && !Array.isArray((result as unknown[])[0]) ? [result as Labelled] : (result as Labelled[]);
        todo.forEach((x, j) => (out[x.i] = toEkman(lists[j] ?? [])));
        return out;
      },
      signal,
    );
  }
}
