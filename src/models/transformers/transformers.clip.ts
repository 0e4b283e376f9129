// Image and text vectors in one space (CLIP) through transformers.js: the vision and text towers with
// their projections, L2-normalised, in batches. Tested on a tiny generated CLIP of the real files,
// tensor names and shapes (test/unit/models/transformers-tiny-vision.test.ts), and on the real model
// when CINERAG_TEST_MODELS_DIR holds it (test/integration/models/).
import type { RawImage } from "@huggingface/transformers";
import type { ImageTextEmbedder, Provenance } from "../model-ports.js";
import { mapBatched } from "../batching.js";
import type { TransformersRuntime } from "./runtime.js";
import { normalise, rows, type TensorLike } from "./tensors.js";

/** A CLIP tower (vision or text model with its projection), as transformers.js loads it. */
export interface ClipTower {
  (inputs: unknown): Promise<unknown>;
  /** the model's config.json; CLIP's has projection_dim */
  config?: object;
  dispose?: () => Promise<unknown>;
}

function projectionDim(tower: ClipTower): number | undefined {
  const config = tower.config;
  return config && "projection_dim" in config && typeof config.projection_dim === "number"
    ? config.projection_dim
    : undefined;
}

/** What the embedder calls of CLIP's processor, tokenizer and towers. */
export interface ClipParts {
  processor: (images: RawImage[]) => Promise<unknown>;
  tokenizer: (texts: string[], options: { padding: boolean; truncation: boolean }) => unknown;
  vision: ClipTower;
  text: ClipTower;
}

export class TransformersClipEmbedder implements ImageTextEmbedder {
  readonly provenance: Provenance;
  readonly dimension: number;

  constructor(
    private readonly parts: ClipParts,
    private readonly options: { model: string; batchSize?: number; runtime: TransformersRuntime },
  ) {
    this.provenance = { method: "model", model: options.model };
    this.dimension = projectionDim(parts.vision) ?? projectionDim(parts.text) ?? 512;
  }

  async embedImages(imagePaths: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const { RawImage } = await this.options.runtime.lib();
    return mapBatched(
      imagePaths,
      this.options.batchSize ?? 16,
      async (batch) => {
        const images = await Promise.all(batch.map((p) => RawImage.read(p)));
        const inputs = await this.parts.processor(images);
        const { image_embeds } = (await this.parts.vision(inputs)) as { image_embeds: TensorLike };
        return rows(image_embeds).map(normalise);
      },
      signal,
    );
  }

  async embedTexts(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return mapBatched(
      texts,
      this.options.batchSize ?? 32,
      async (batch) => {
        const inputs = await this.parts.tokenizer(batch, { padding: true, truncation: true });
        const { text_embeds } = (await this.parts.text(inputs)) as { text_embeds: TensorLike };
        return rows(text_embeds).map(normalise);
      },
      signal,
    );
  }
}
