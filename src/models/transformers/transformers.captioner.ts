// Keyframe captions through a transformers.js image-to-text pipeline (ViT-GPT2 by default), in batches.
// No tiny model of this kind can be generated for tests: the port is tested with a double, and
// test/integration/models/ runs this class on the real model when CINERAG_TEST_MODELS_DIR holds it.
import type { ImageCaptioner, Provenance } from "../model-ports.js";
import { mapBatched } from "../batching.js";
import type { PipelineLike, TransformersRuntime } from "./runtime.js";

export class TransformersCaptioner implements ImageCaptioner {
  readonly provenance: Provenance;

  constructor(
    private readonly pipe: PipelineLike,
    private readonly options: {
      model: string;
      batchSize?: number;
      runtime: TransformersRuntime;
      maxNewTokens?: number;
    },
  ) {
    this.provenance = { method: "model", model: options.model };
  }

  async caption(imagePaths: string[], signal?: AbortSignal): Promise<string[]> {
    const { RawImage } = await this.options.runtime.lib();
    return mapBatched(
      imagePaths,
      Math.min(this.options.batchSize ?? 8, 8),
      async (batch) => {
        const images = await Promise.all(batch.map((p) => RawImage.read(p)));
        const result = await this.pipe(images, { max_new_tokens: this.options.maxNewTokens ?? 30 });
        const list = (batch.length === 1 && !Array.isArray((result as unknown[])[0]) ? [result] : result) as Array<
          Array<{ generated_text: string }>
        >;
        return list.map((r) => (r[0]?.generated_text ?? "").trim());
      },
      signal,
    );
  }
}
