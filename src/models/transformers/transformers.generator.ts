// Text generation (chat) through a transformers.js text-generation pipeline, with token streaming via
// TextStreamer. Tested on the real model when CINERAG_TEST_MODELS_DIR holds it; src/analysis falls back to
// extractive answers without it.
import type { ChatMessage, GenerateOptions, Provenance, TextGenerator } from "../model-ports.js";
import { abortCheck } from "./abort-check.js";
import type { PipelineLike, TransformersRuntime } from "./runtime.js";

export class TransformersTextGenerator implements TextGenerator {
  readonly provenance: Provenance;

  constructor(
    private readonly pipe: PipelineLike,
    private readonly options: { model: string; runtime: TransformersRuntime },
  ) {
    this.provenance = { method: "model", model: options.model };
  }

  async generate(messages: ChatMessage[], options: GenerateOptions = {}): Promise<string> {
    options.signal?.throwIfAborted();
    const { TextStreamer } = await this.options.runtime.lib();
    const streamer = options.onToken
      ? new TextStreamer(this.pipe.tokenizer as ConstructorParameters<typeof TextStreamer>[0], {
          skip_prompt: true,
          skip_special_tokens: true,
          callback_function: (t: string) => options.onToken?.(t),
        })
      : undefined;
    const temperature = options.temperature ?? 0;
    const out = (await this.pipe(messages, {
      max_new_tokens: options.maxTokens ?? 256,
      do_sample: temperature > 0,
      ...(temperature > 0 ? { temperature } : {}),
      ...(streamer ? { streamer } : {}),
      // a closed answer stream stops within one token (src/models/transformers/abort-check.ts)
      logits_processor: abortCheck(options.signal),
    })) as Array<{ generated_text: string | ChatMessage[] }>;
    const generated = out[0]?.generated_text;
    if (typeof generated === "string") return generated;
    return generated?.at(-1)?.content ?? "";
  }
}
