// Visual look labels by CLIP zero-shot: keyframe image vectors against text prompts, a softmax over the
// labels per keyframe (CLIP's logit scale of 100), averaged over the clip weighted by shot duration. Each
// label gets a confidence (0..1, summing to 1 over the labels). Vectors stored by the ingest enrichment
// (KeyframeVector, same model) are reused; the rest are computed through the ImageTextEmbedder port.
import path from "node:path";
import type { ImageTextEmbedder } from "../../models/model-ports.js";
import type { KeyframeData } from "../scope.js";
import { dot } from "../theme/cluster.js";
import type { AnalysisReads } from "../scope.js";
import { round } from "../text.js";
import type { LookLabels } from "./style.types.js";

export const LOOK_PROMPTS: Record<string, string> = {
  noir: "a black and white film noir still with hard shadows",
  documentary: "a documentary film still with natural light and real people",
  animation: "a frame from an animated cartoon",
  "found footage": "a shaky handheld found footage camcorder frame",
  western: "a still from a western film with a desert landscape",
  "science fiction": "a science fiction film still with futuristic technology",
  horror: "a dark horror film still",
  "romantic comedy": "a bright romantic comedy film still",
  "music video": "a music video frame with stylised colourful lighting",
  "news broadcast": "a television news broadcast frame",
};

export const MAX_LOOK_KEYFRAMES = 48;

export type { LookLabels };

/** Up to `max` keyframes spread evenly over the clip. */
export function sample<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]!);
}

export async function lookLabels(
  embedder: ImageTextEmbedder,
  keyframes: KeyframeData[],
  deps: { reads: AnalysisReads; dataDir: string },
  prompts: Record<string, string> = LOOK_PROMPTS,
): Promise<LookLabels> {
  const model = embedder.provenance.model;
  const picked = sample(keyframes, MAX_LOOK_KEYFRAMES);
  if (picked.length === 0)
    return { available: false, reason: "the clip has no keyframes", model, keyframes: 0, labels: [] };
  const stored = new Map<string, Float32Array>();
  const rows = await deps.reads.keyframeVectors(
    picked.map((k) => k.id),
    model,
  );
  for (const r of rows) {
    const copy = new Uint8Array(r.vector.byteLength);
    copy.set(r.vector);
    const v = new Float32Array(copy.buffer);
    if (v.length === embedder.dimension) stored.set(r.keyframeId, v);
  }
  const missing = picked.filter((k) => !stored.has(k.id));
  if (missing.length) {
    const vectors = await embedder.embedImages(missing.map((k) => path.resolve(deps.dataDir, k.path)));
    missing.forEach((k, i) => stored.set(k.id, vectors[i]!));
  }
  const labels = Object.keys(prompts);
  const textVectors = await embedder.embedTexts(labels.map((l) => prompts[l]!));
  const sums = new Array<number>(labels.length).fill(0);
  let total = 0;
  for (const k of picked) {
    const v = stored.get(k.id)!;
    const logits = textVectors.map((t) => 100 * cosine(v, t));
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const z = exps.reduce((a, b) => a + b, 0);
    const w = k.weight > 0 ? k.weight : 1;
    exps.forEach((e, i) => (sums[i]! += (e / z) * w));
    total += w;
  }
  return {
    available: true,
    reason: null,
    model,
    keyframes: picked.length,
    labels: labels
      .map((label, i) => ({ label, confidence: round(sums[i]! / total) }))
      .sort((a, b) => b.confidence - a.confidence),
  };
}

function cosine(a: Float32Array, b: Float32Array): number {
  const n = Math.sqrt(dot(a, a) * dot(b, b));
  return n > 0 ? dot(a, b) / n : 0;
}
