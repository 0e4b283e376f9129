// Speech to text with Whisper through the transformers.js automatic-speech-recognition pipeline: 16 kHz
// mono samples, 30 s chunks with a 5 s stride, segment timestamps. transformers.js does not detect the
// language itself (it assumes English), so unless one is given we detect it first: one decoder step after
// <|startoftranscript|> on the first 30 s, read as a language token (as openai-whisper's detect_language).
// Tested on the real model when CINERAG_TEST_MODELS_DIR holds it (test/integration/models/).
import type { Provenance, SpeechTranscriber, TranscriptSegment } from "../model-ports.js";
import type { PipelineLike } from "./runtime.js";

export const SAMPLE_RATE = 16_000;

interface WhisperPipeline extends PipelineLike {
  processor: (audio: Float32Array) => Promise<{ input_features: unknown }>;
  model: {
    generate: (options: Record<string, unknown>) => Promise<{ tolist?: () => unknown } & Record<string, unknown>>;
    generation_config?: {
      decoder_start_token_id?: number;
      lang_to_id?: Record<string, number>;
      is_multilingual?: boolean;
    };
  };
}

export class WhisperTranscriber implements SpeechTranscriber {
  readonly provenance: Provenance;

  constructor(
    private readonly pipe: PipelineLike,
    private readonly options: { model: string; chunkSeconds?: number; strideSeconds?: number },
  ) {
    this.provenance = { method: "model", model: options.model };
  }

  async transcribe(
    samples: Float32Array,
    options: { language?: string; signal?: AbortSignal; onProgress?: (percent: number) => void } = {},
  ): Promise<{ language?: string; segments: TranscriptSegment[] }> {
    options.signal?.throwIfAborted();
    const duration = samples.length / SAMPLE_RATE;
    if (samples.length < SAMPLE_RATE / 10) return { language: options.language, segments: [] };
    const language = options.language ?? (await this.detectLanguage(samples).catch(() => undefined));
    options.onProgress?.(5);
    const result = (await this.pipe(samples, {
      return_timestamps: true,
      chunk_length_s: this.options.chunkSeconds ?? 30,
      stride_length_s: this.options.strideSeconds ?? 5,
      task: "transcribe",
      ...(language && this.multilingual() ? { language } : {}),
    })) as { text: string; chunks?: Array<{ timestamp: [number | null, number | null]; text: string }> };
    options.onProgress?.(100);
    const segments: TranscriptSegment[] = [];
    for (const c of result.chunks ?? [{ timestamp: [0, duration] as [number, number], text: result.text }]) {
      const text = c.text.trim();
      if (!text) continue;
      const start = Math.max(0, c.timestamp[0] ?? segments.at(-1)?.endTime ?? 0);
      const end = Math.min(duration, Math.max(start, c.timestamp[1] ?? duration));
      segments.push({ startTime: round3(start), endTime: round3(end), text });
    }
    return { language, segments };
  }

  private multilingual(): boolean {
    return (this.pipe as WhisperPipeline).model?.generation_config?.is_multilingual !== false;
  }

  /** The language token Whisper predicts first, as a code ("en", "fr", "zh"); undefined if it cannot tell. */
  async detectLanguage(samples: Float32Array): Promise<string | undefined> {
    const pipe = this.pipe as WhisperPipeline;
    const config = pipe.model?.generation_config;
    if (!config?.lang_to_id || config.decoder_start_token_id === undefined || !this.multilingual()) return undefined;
    const { input_features } = await pipe.processor(samples.subarray(0, SAMPLE_RATE * 30));
    const out = await pipe.model.generate({
      inputs: input_features,
      decoder_input_ids: [config.decoder_start_token_id],
      max_new_tokens: 1,
      return_timestamps: false,
    });
    const ids = (typeof out.tolist === "function" ? out.tolist() : out) as Array<Array<number | bigint>>;
    const last = ids[0]?.at(-1);
    if (last === undefined) return undefined;
    const byId = new Map(Object.entries(config.lang_to_id).map(([token, id]) => [Number(id), token]));
    const token = byId.get(Number(last));
    return token?.replace(/^<\|/, "").replace(/\|>$/, "");
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
