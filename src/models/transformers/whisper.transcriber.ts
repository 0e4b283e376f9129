// Speech to text with Whisper through the transformers.js automatic-speech-recognition pipeline: 16 kHz
// mono samples, 30 s chunks with a 5 s stride, segment timestamps. transformers.js does not detect the
// language itself (it assumes English), so unless one is given we detect it first: one decoder step after
// <|startoftranscript|> on the first 30 s, read as a language token (as openai-whisper's detect_language).
// Tested on a tiny generated Whisper of the real files, tensor names and shapes
// (test/unit/models/transformers-tiny-whisper.test.ts), and on the real model when CINERAG_TEST_MODELS_DIR
// holds it (test/integration/models/).
import type { Provenance, SpeechTranscriber, TranscriptSegment } from "../model-ports.js";
import { abortCheck } from "./abort-check.js";
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
    options: Parameters<SpeechTranscriber["transcribe"]>[1] = {},
  ): Promise<{ language?: string; segments: TranscriptSegment[] }> {
    options.signal?.throwIfAborted();
    const duration = samples.length / SAMPLE_RATE;
    if (samples.length < SAMPLE_RATE / 10) return { language: options.language, segments: [] };
    const multilingual = this.multilingual();
    // a language given wins; else the audio stream's tag when the model knows it; else Whisper's own guess
    // on THIS window (a film's first 30 s are often music or credits in another language)
    const language = multilingual
      ? (options.language ??
        this.knownLanguage(options.languageHint) ??
        (await this.detectLanguage(samples).catch(() => undefined)))
      : undefined;
    options.onProgress?.(5);
    const result = (await this.pipe(samples, {
      return_timestamps: true,
      chunk_length_s: this.options.chunkSeconds ?? 30,
      stride_length_s: this.options.strideSeconds ?? 5,
      // an English-only model (*.en) has no task or language tokens: transformers.js throws if given them
      ...(multilingual ? { task: "transcribe", ...(language ? { language } : {}) } : {}),
      // a cancelled ingest stops within one decoder step (src/models/transformers/abort-check.ts)
      logits_processor: abortCheck(options.signal),
    })) as { text: string; chunks?: Array<{ timestamp: [number | null, number | null]; text: string }> };
    options.onProgress?.(100);
    const segments: TranscriptSegment[] = [];
    for (const c of result.chunks ?? [{ timestamp: [0, duration] as [number, number], text: result.text }]) {
      const text = c.text.trim();
      if (!text) continue;
      const start = Math.max(0, c.timestamp[0] ?? segments.at(-1)?.endTime ?? 0);
      const end = Math.min(duration, Math.max(start, c.timestamp[1] ?? duration));
      // Whisper writes text over silence ("Thank you.", "...") : a segment without signal is not speech
      if (rms(samples, start, end) < SILENCE_RMS) continue;
      segments.push({ startTime: round3(start), endTime: round3(end), text });
    }
    return { language: multilingual ? language : "en", segments };
  }

  private multilingual(): boolean {
    if (/\.en$/i.test(this.options.model)) return false;
    return (this.pipe as WhisperPipeline).model?.generation_config?.is_multilingual !== false;
  }

  /** A stream's language tag (ISO 639-1 or -2: "en", "eng", "fre") as one of the model's language codes. */
  knownLanguage(tag: string | undefined): string | undefined {
    if (!tag) return undefined;
    const lower = tag.toLowerCase().split(/[-_]/)[0]!;
    const code = ISO_639_2[lower] ?? lower;
    const known = (this.pipe as WhisperPipeline).model?.generation_config?.lang_to_id;
    return known && Object.prototype.hasOwnProperty.call(known, `<|${code}|>`) ? code : undefined;
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

/** Below about -46 dBFS a window holds no speech. */
const SILENCE_RMS = 0.005;

function rms(samples: Float32Array, startSeconds: number, endSeconds: number): number {
  const from = Math.max(0, Math.floor(startSeconds * SAMPLE_RATE));
  const to = Math.min(samples.length, Math.max(from + 1, Math.ceil(endSeconds * SAMPLE_RATE)));
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / Math.max(1, to - from));
}

/** Matroska/MP4 tags are ISO 639-2 (bibliographic or terminologic); Whisper's tokens are 639-1. */
const ISO_639_2: Record<string, string> = {
  eng: "en",
  fre: "fr",
  fra: "fr",
  ger: "de",
  deu: "de",
  spa: "es",
  ita: "it",
  por: "pt",
  dut: "nl",
  nld: "nl",
  rus: "ru",
  pol: "pl",
  cze: "cs",
  ces: "cs",
  swe: "sv",
  dan: "da",
  nor: "no",
  fin: "fi",
  gre: "el",
  ell: "el",
  tur: "tr",
  ara: "ar",
  heb: "he",
  hin: "hi",
  jpn: "ja",
  kor: "ko",
  chi: "zh",
  zho: "zh",
  vie: "vi",
  tha: "th",
  ind: "id",
  ukr: "uk",
  hun: "hu",
  rum: "ro",
  ron: "ro",
  per: "fa",
  fas: "fa",
};

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
