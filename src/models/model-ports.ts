// Ports for every model-backed task. Analysis and ingest depend on these only, never on
// transformers.js directly (src/models/transformers/ implements them; fallbacks live beside them).
// Every result names the method and model that produced it, so an answer can say how it was made.

export const MODEL_TASKS = ["embedding", "emotion", "zero-shot", "caption", "clip", "asr", "generation"] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

export interface Provenance {
  /** "model" for a neural model; otherwise the fallback method, e.g. "lexicon", "extractive", "hashing" */
  method: string;
  /** hub id or local folder of the model, or the name and version of the fallback */
  model: string;
}

/** Ekman's six basic emotions plus neutral. */
export const EMOTIONS = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"] as const;
export type Emotion = (typeof EMOTIONS)[number];
/** A distribution over EMOTIONS (sums to 1). */
export type EmotionScores = Record<Emotion, number>;

/**
 * Obtained from the registry (`await registry.emotion()`), which never fails: the neural model when it can
 * be had, otherwise the lexicon fallback; `provenance` says which.
 */
export interface EmotionClassifier {
  readonly provenance: Provenance;
  classify(texts: string[], signal?: AbortSignal): Promise<EmotionScores[]>;
}

export interface ZeroShotResult {
  /** labels sorted by score, highest first */
  labels: Array<{ label: string; score: number }>;
}

export interface ZeroShotClassifier {
  readonly provenance: Provenance;
  /** multiLabel: each label scored on its own (0..1) instead of a softmax over labels */
  classify(
    texts: string[],
    labels: string[],
    options?: { multiLabel?: boolean; hypothesisTemplate?: string; signal?: AbortSignal },
  ): Promise<ZeroShotResult[]>;
}

export interface ImageCaptioner {
  readonly provenance: Provenance;
  /** one caption per image file */
  caption(imagePaths: string[], signal?: AbortSignal): Promise<string[]>;
}

export interface ImageTextEmbedder {
  readonly provenance: Provenance;
  readonly dimension: number;
  embedImages(imagePaths: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  embedTexts(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

export interface TranscriptSegment {
  /** seconds from the start of the samples */
  startTime: number;
  endTime: number;
  text: string;
}

export interface SpeechTranscriber {
  readonly provenance: Provenance;
  /** 16 kHz mono PCM samples in [-1, 1] */
  transcribe(
    samples: Float32Array,
    options?: {
      /** force this language */
      language?: string;
      /** the audio stream's language tag: used when the model knows it, instead of guessing */
      languageHint?: string;
      signal?: AbortSignal;
      onProgress?: (percent: number) => void;
    },
  ): Promise<{ language?: string; segments: TranscriptSegment[] }>;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface GenerateOptions {
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /** called with each new piece of text as it is produced (token streaming) */
  onToken?: (text: string) => void;
}

export interface TextGenerator {
  readonly provenance: Provenance;
  generate(messages: ChatMessage[], options?: GenerateOptions): Promise<string>;
}
