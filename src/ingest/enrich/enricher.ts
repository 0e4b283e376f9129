// Ingest enrichment: after a clip's scenes are stored, the model-backed results that retrieval and
// analysis use, each step with progress, resumable and skippable (CINERAG_ENRICH):
//   - embedding: scene vectors through the search module's EmbeddingCache (model id + text hash), so the
//     outbox worker that indexes the scenes finds them computed; the embedder is the registry's (the
//     neural model when present, the hashing embedder otherwise);
//   - emotion:   one CueEmotion row per cue and model (Ekman six + neutral, with method and model);
//   - caption:   one KeyframeCaption per keyframe and model; the scenes concerned are queued for the
//                search index again, whose documents then carry the captions (./scene-captions.ts);
//   - clip:      one KeyframeVector (image-text embedding) per keyframe and model.
// Resumable: each step selects only rows without a result for the current model, so a crash, a cancel or
// a new model computes exactly what is missing. A step whose model cannot be had is skipped at once with
// the reason (detected from the disk and the offline flag before any load), never stalling the ingest.
import path from "node:path";
import type { Logger } from "../../logging/logger.js";
import type { ModelRegistry } from "../../models/model-registry.js";
import { isModelUnavailable } from "../../models/model-errors.js";
import { topEmotion } from "../../models/emotion-mapping.js";
import type { EmbeddingCache } from "../../search/scene-documents.js";
import type { EnrichmentRepository } from "../../store/enrichment.repository.js";
import type { SearchOutboxRepository } from "../../store/search-outbox.repository.js";
import type { EnrichProgress, EnrichStep, EnrichStepResult } from "./enrich.types.js";

export interface EnricherDeps {
  /** the rows the steps read and write (src/store) */
  store: EnrichmentRepository;
  /** where scenes are queued for the search index again */
  outbox: SearchOutboxRepository;
  registry: ModelRegistry;
  /** the search module's cache (absent: the embedding step is skipped) */
  embeddings?: EmbeddingCache;
  dataDir: string;
  logger?: Logger;
  steps: readonly EnrichStep[];
  /** rows per model call and per write; default the registry's batch size */
  batchSize?: number;
}

export interface EnrichOptions {
  signal?: AbortSignal;
  onProgress?: EnrichProgress;
  /** only these steps (default: the configured ones) */
  steps?: readonly EnrichStep[];
}

const ORDER: EnrichStep[] = ["embedding", "emotion", "caption", "clip"];

export class Enricher {
  constructor(private readonly deps: EnricherDeps) {}

  get steps(): readonly EnrichStep[] {
    return this.deps.steps;
  }

  private get batch(): number {
    return this.deps.batchSize ?? this.deps.registry.batchSize;
  }

  /** Runs the enrichment steps for one READY clip. Never throws except on cancel. */
  async enrichClip(clipId: string, options: EnrichOptions = {}): Promise<EnrichStepResult[]> {
    const wanted = options.steps ?? this.deps.steps;
    const results: EnrichStepResult[] = [];
    for (const step of ORDER) {
      if (!wanted.includes(step)) continue;
      options.signal?.throwIfAborted();
      const report = (percent: number, message?: string) => options.onProgress?.(step, percent, message);
      report(0);
      let result: EnrichStepResult;
      try {
        result = await this.run(step, clipId, options.signal, report);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        if (isModelUnavailable(error)) {
          result = { step, status: "skipped", computed: 0, total: 0, reason };
        } else {
          this.deps.logger?.warn({ err: error, clipId, step }, "enrichment step failed");
          result = { step, status: "failed", computed: 0, total: 0, reason };
        }
      }
      report(100, summary(result));
      results.push(result);
    }
    return results;
  }

  private run(
    step: EnrichStep,
    clipId: string,
    signal: AbortSignal | undefined,
    report: (p: number, m?: string) => void,
  ): Promise<EnrichStepResult> {
    switch (step) {
      case "embedding":
        return this.embedScenes(clipId, signal, report);
      case "emotion":
        return this.cueEmotions(clipId, signal, report);
      case "caption":
        return this.captions(clipId, signal, report);
      case "clip":
        return this.clipVectors(clipId, signal, report);
      default:
        return Promise.resolve({
          step,
          status: "skipped",
          computed: 0,
          total: 0,
          reason: "not an enrichment step (asr runs before scene grouping)",
        });
    }
  }

  async embedScenes(
    clipId: string,
    signal?: AbortSignal,
    report?: (p: number, m?: string) => void,
  ): Promise<EnrichStepResult> {
    const provenance = this.deps.registry.embeddingProvenance();
    if (!this.deps.embeddings)
      return { step: "embedding", status: "skipped", computed: 0, total: 0, reason: "no search module" };
    const texts = (await this.deps.store.sceneTexts(clipId)).filter((t) => t.trim().length > 0);
    let computed = 0;
    for (let i = 0; i < texts.length; i += this.batch) {
      signal?.throwIfAborted();
      // the cache embeds only texts it has no vector for (this model), so a rerun computes nothing
      const r = await this.deps.embeddings.embedPassages(texts.slice(i, i + this.batch));
      computed += r.computed;
      report?.(
        (100 * Math.min(texts.length, i + this.batch)) / texts.length,
        `${Math.min(texts.length, i + this.batch)}/${texts.length} scenes`,
      );
    }
    return { step: "embedding", status: "done", ...provenance, computed, total: texts.length };
  }

  async cueEmotions(
    clipId: string,
    signal?: AbortSignal,
    report?: (p: number, m?: string) => void,
  ): Promise<EnrichStepResult> {
    const classifier = await this.deps.registry.emotion();
    const { method, model } = classifier.provenance;
    const total = await this.deps.store.countCues(clipId);
    const todo = await this.deps.store.cuesWithoutEmotion(clipId, model);
    let done = 0;
    for (let i = 0; i < todo.length; i += this.batch) {
      signal?.throwIfAborted();
      const batch = todo.slice(i, i + this.batch);
      const scores = await classifier.classify(
        batch.map((c) => c.text),
        signal,
      );
      // each batch is written at once: a crash keeps what was computed
      await this.deps.store.saveCueEmotions(
        batch.map((c, j) => ({
          cueId: c.id,
          clipId,
          model,
          method,
          label: topEmotion(scores[j]!),
          scores: scores[j]!,
        })),
      );
      done += batch.length;
      report?.((100 * done) / todo.length, `${done}/${todo.length} cues (${method})`);
    }
    return { step: "emotion", status: "done", method, model, computed: todo.length, total };
  }

  async captions(
    clipId: string,
    signal?: AbortSignal,
    report?: (p: number, m?: string) => void,
  ): Promise<EnrichStepResult> {
    const { registry, store } = this.deps;
    const unavailable = registry.available("caption") ? undefined : registry.unavailableError("caption");
    if (unavailable) return { step: "caption", status: "skipped", computed: 0, total: 0, reason: unavailable.message };
    const model = registry.status("caption").id;
    const total = await store.countKeyframes(clipId);
    const todo = await store.keyframesWithoutCaption(clipId, model);
    if (todo.length === 0) return { step: "caption", status: "done", method: "model", model, computed: 0, total };
    const captioner = await registry.captioner();
    const scenes = new Set<string>();
    let done = 0;
    for (let i = 0; i < todo.length; i += this.batch) {
      signal?.throwIfAborted();
      const batch = todo.slice(i, i + this.batch);
      const texts = await captioner.caption(
        batch.map((k) => path.join(this.deps.dataDir, k.path)),
        signal,
      );
      await store.saveCaptions(
        batch.map((k, j) => ({
          keyframeId: k.id,
          clipId,
          model,
          method: captioner.provenance.method,
          text: texts[j] ?? "",
        })),
      );
      for (const k of batch) if (k.sceneId) scenes.add(k.sceneId);
      done += batch.length;
      report?.((100 * done) / todo.length, `${done}/${todo.length} keyframes`);
    }
    // the scenes' search documents now carry captions: queue them for the index again
    await this.deps.outbox.enqueue("UPSERT", clipId, [...scenes]);
    return {
      step: "caption",
      status: "done",
      method: captioner.provenance.method,
      model,
      computed: todo.length,
      total,
    };
  }

  async clipVectors(
    clipId: string,
    signal?: AbortSignal,
    report?: (p: number, m?: string) => void,
  ): Promise<EnrichStepResult> {
    const { registry, store } = this.deps;
    const unavailable = registry.available("clip") ? undefined : registry.unavailableError("clip");
    if (unavailable) return { step: "clip", status: "skipped", computed: 0, total: 0, reason: unavailable.message };
    const model = registry.status("clip").id;
    const total = await store.countKeyframes(clipId);
    const todo = await store.keyframesWithoutVector(clipId, model);
    if (todo.length === 0) return { step: "clip", status: "done", method: "model", model, computed: 0, total };
    const embedder = await registry.imageText();
    let done = 0;
    for (let i = 0; i < todo.length; i += this.batch) {
      signal?.throwIfAborted();
      const batch = todo.slice(i, i + this.batch);
      const vectors = await embedder.embedImages(
        batch.map((k) => path.join(this.deps.dataDir, k.path)),
        signal,
      );
      await store.saveKeyframeVectors(batch.map((k, j) => ({ keyframeId: k.id, clipId, model, vector: vectors[j]! })));
      done += batch.length;
      report?.((100 * done) / todo.length, `${done}/${todo.length} keyframes`);
    }
    return { step: "clip", status: "done", method: embedder.provenance.method, model, computed: todo.length, total };
  }
}

function summary(r: EnrichStepResult): string {
  if (r.status === "skipped") return "skipped";
  if (r.status === "failed") return "failed";
  return `${r.computed} computed of ${r.total} (${r.method === "model" ? r.model : r.method})`;
}
