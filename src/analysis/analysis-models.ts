// What the analyses need from src/models, as ports. src/models/model-registry.ts's ModelRegistry has this
// shape (emotion() never fails: lexicon fallback; zeroShot()/imageText()/generator() throw
// ModelUnavailableError when the model cannot be had); tests pass deterministic implementations.
import type { EmotionClassifier, ImageTextEmbedder, TextGenerator, ZeroShotClassifier } from "../models/model-ports.js";

export interface AnalysisModels {
  emotion(): Promise<EmotionClassifier>;
  zeroShot(): Promise<ZeroShotClassifier>;
  imageText(): Promise<ImageTextEmbedder>;
  /** the local (transformers.js) generator, for CINERAG_GENERATOR=local */
  generator?(): Promise<TextGenerator>;
}

/** The reason a model-backed part of a result is missing: the error's message, on one line. */
export function unavailableReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, " ").slice(0, 400);
}
