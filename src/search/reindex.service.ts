// `cinerag reindex [--clip <id>]`: rebuilds the search index from the database. A full reindex resets the
// index (drops every document: orphans go too) and records the configured embedding model, which is how a
// model or dimension change is resolved. A one-clip reindex replaces that clip's documents; it refuses
// with REINDEX_REQUIRED when the model changed (all vectors must be recomputed: run it without --clip).
// Vectors come through the embedding cache, so an unchanged text under the same model is not re-embedded.
// Outbox rows made redundant (queued before the reindex started, for what it rebuilt) are removed.
import { AppError, isAppError } from "../errors/app-error.js";
import type { Embedder } from "../models/embedder.port.js";
import type { SearchOutboxRepository } from "../store/search-outbox.repository.js";
import type { SearchSourceRepository } from "../store/search-source.repository.js";
import { buildSceneDocuments, type EmbeddingCache } from "./scene-documents.js";
import type { SceneIndex } from "./scene-index.port.js";

export interface ReindexProgress {
  /** scenes indexed so far / scenes to index */
  done: number;
  total: number;
  clips: number;
}

export interface ReindexOptions {
  clipId?: string;
  onProgress?: (p: ReindexProgress) => void;
  signal?: AbortSignal;
  /** scenes per index write; default 200 */
  batchSize?: number;
}

export interface ReindexResult {
  clips: number;
  scenes: number;
  /** vectors computed (the others came from the embedding cache) */
  embedded: number;
  /** the index was emptied first (full reindex, or a new model) */
  reset: boolean;
  modelId: string;
  dimension: number;
}

export class ReindexService {
  constructor(
    private readonly deps: {
      source: SearchSourceRepository;
      outbox: SearchOutboxRepository;
      index: SceneIndex;
      embedder: Embedder;
      embeddings: EmbeddingCache;
    },
  ) {}

  async reindex(options: ReindexOptions = {}): Promise<ReindexResult> {
    const { source, outbox, index, embedder, embeddings } = this.deps;
    const batchSize = options.batchSize ?? 200;
    if (options.clipId && (await source.readyClipIds(options.clipId)).length === 0) {
      throw new AppError("NOT_FOUND", `no READY clip with id ${options.clipId}`);
    }
    const outboxHighWater = await outbox.highWater();

    let reset = false;
    if (options.clipId) {
      try {
        await index.init();
      } catch (error) {
        if (isAppError(error) && error.code === "REINDEX_REQUIRED") {
          throw new AppError(
            "REINDEX_REQUIRED",
            `${error.message.replace(/: run `cinerag reindex`$/, "")}: the embedding model changed, so every clip needs new vectors: run \`cinerag reindex\` without --clip`,
          );
        }
        throw error;
      }
      await index.deleteClip(options.clipId);
    } else {
      await index.reset(embedder.modelId, embedder.dimension);
      reset = true;
    }

    const clipIds = await source.readyClipIds(options.clipId);
    const total = await source.countScenes(clipIds);
    const progress: ReindexProgress = { done: 0, total, clips: 0 };
    options.onProgress?.({ ...progress });
    let embedded = 0;
    for (const clipId of clipIds) {
      const sceneIds = await source.sceneIdsOf(clipId);
      for (let i = 0; i < sceneIds.length; i += batchSize) {
        if (options.signal?.aborted) throw new AppError("CANCELLED", "reindex cancelled; run it again to finish");
        const built = await buildSceneDocuments(source, embeddings, sceneIds.slice(i, i + batchSize));
        await index.upsert(built.docs);
        embedded += built.embedded;
        progress.done += built.docs.length + built.missing.length;
        options.onProgress?.({ ...progress });
      }
      progress.clips++;
      options.onProgress?.({ ...progress });
    }
    // what was queued before we started is in the index now (newer rows stay for the worker)
    await outbox.deleteUpTo(outboxHighWater, options.clipId);
    return {
      clips: clipIds.length,
      scenes: progress.done,
      embedded,
      reset,
      modelId: embedder.modelId,
      dimension: embedder.dimension,
    };
  }
}
