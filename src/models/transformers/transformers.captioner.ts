// Keyframe captions through a transformers.js image-to-text pipeline (ViT-GPT2 by default), in batches:
// one processor call and ONE generate call per batch (the pipeline itself generates image by image).
// transformers.js' batched generate stops only when every row ends at the same step and keeps writing
// after a row's end token, so a logits processor holds a finished row on its end token (as Python
// transformers pads finished rows) and each row is cut at its first end token before decoding.
// Tested on a tiny generated ViT-GPT2 (test/unit/models/transformers-tiny-vision.test.ts) and on the
// real model when CINERAG_TEST_MODELS_DIR holds it (test/integration/models/).
import type { ImageCaptioner, Provenance } from "../model-ports.js";
import { mapBatched } from "../batching.js";
import { abortCheck } from "./abort-check.js";
import type { LogitsLike } from "./tensors.js";
import type { PipelineLike, TransformersRuntime } from "./runtime.js";

type TokenRows = Array<Array<number | bigint>>;

/** What the captioner uses of the image-to-text pipeline. */
export interface CaptionPipelineParts {
  processor: (images: unknown[]) => Promise<{ pixel_values: unknown }>;
  model: {
    generate: (options: Record<string, unknown>) => Promise<unknown>;
    config?: { eos_token_id?: number | number[]; decoder?: { eos_token_id?: number | number[] } };
    generation_config?: { eos_token_id?: number | number[] | null };
  };
  tokenizer: { batch_decode: (rows: TokenRows, options: Record<string, unknown>) => string[] };
}

export class TransformersCaptioner implements ImageCaptioner {
  readonly provenance: Provenance;
  /** generate calls made (one per batch) */
  calls = 0;

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
      async (batch) => this.generate(await Promise.all(batch.map((p) => RawImage.read(p))), signal),
      signal,
    );
  }

  private async generate(images: unknown[], signal?: AbortSignal): Promise<string[]> {
    const { processor, model, tokenizer } = this.parts();
    const { pixel_values } = await processor(images);
    const eos = endTokens(model);
    this.calls++;
    const output = await model.generate({
      inputs: pixel_values,
      max_new_tokens: this.options.maxNewTokens ?? 30,
      logits_processor: [holdFinishedRows(eos), ...abortCheck(signal)],
    });
    const rows = tokenRows(output).map((row) => cutAtEnd(row, eos));
    return tokenizer.batch_decode(rows, { skip_special_tokens: true }).map((t) => t.trim());
  }

  private parts(): CaptionPipelineParts {
    const { processor, model, tokenizer } = this.pipe as Partial<CaptionPipelineParts>;
    if (!processor || typeof model?.generate !== "function" || typeof tokenizer?.batch_decode !== "function")
      throw new Error("the image-to-text pipeline has no processor, model or tokenizer");
    return { processor, model, tokenizer };
  }
}

/** The end-of-sequence ids generate uses (generation_config over the decoder's config over the model's). */
function endTokens(model: CaptionPipelineParts["model"]): number[] {
  const id = model.generation_config?.eos_token_id ?? model.config?.decoder?.eos_token_id ?? model.config?.eos_token_id;
  if (id === undefined || id === null) return [];
  return (Array.isArray(id) ? id : [id]).map(Number);
}

/**
 * A logits processor: a row that has produced an end token since the prompt only gets end tokens, so the
 * batch stops as soon as its last row ends. The prompt (the decoder start token, which for GPT-2 is the
 * end token itself) is what the rows hold on the first call.
 */
function holdFinishedRows(eos: number[]): (ids: bigint[][], logits: LogitsLike) => LogitsLike {
  let promptLength: number | undefined;
  return (ids, logits) => {
    promptLength ??= ids[0]?.length ?? 0;
    const vocab = logits.dims.at(-1) ?? 0;
    if (eos.length === 0) return logits;
    ids.forEach((row, i) => {
      if (!row.slice(promptLength).some((t) => eos.includes(Number(t)))) return;
      const scores = logits.data.subarray(i * vocab, (i + 1) * vocab);
      scores.fill(-Infinity);
      scores[eos[0]!] = 0;
    });
    return logits;
  };
}

/** The [batch, length] ids generate returned, as rows. */
function tokenRows(output: unknown): TokenRows {
  const t = output as { dims?: number[]; data?: ArrayLike<number | bigint>; tolist?: () => TokenRows };
  if (typeof t.tolist === "function") return t.tolist();
  const [n = 0, len = 0] = t.dims ?? [];
  return Array.from({ length: n }, (_, i) => Array.from({ length: len }, (_, j) => t.data![i * len + j]!));
}

/** The row up to and including its first end token after the start token. */
function cutAtEnd(row: Array<number | bigint>, eos: number[]): Array<number | bigint> {
  const end = row.findIndex((t, i) => i > 0 && eos.includes(Number(t)));
  return end < 0 ? row : row.slice(0, end + 1);
}
