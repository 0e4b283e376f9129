// The search side of the composition root (called from src/app.ts): the Embedder, the SceneIndex picked
// by config.search.kind, the embedding cache, the outbox worker, search and reindex services.
import type { Config } from "../config.js";
import type { Logger } from "../logging/logger.js";
import type { Embedder } from "../models/embedder.port.js";
import { HashingEmbedder } from "../models/hashing.embedder.js";
import type { EmbeddingCacheRepository } from "../store/embedding-cache.repository.js";
import type { SearchOutboxRepository } from "../store/search-outbox.repository.js";
import type { SearchSourceRepository } from "../store/search-source.repository.js";
import { EmbeddedSceneIndex } from "./embedded.scene-index.js";
import { OutboxWorker, type DrainLease } from "./outbox.worker.js";
import { ReindexService } from "./reindex.service.js";
import { EmbeddingCache } from "./scene-documents.js";
import type { SceneIndex } from "./scene-index.port.js";
import { SearchService } from "./search.service.js";

export interface SearchModule {
  embedder: Embedder;
  sceneIndex: SceneIndex;
  embeddings: EmbeddingCache;
  /** drains SearchOutbox into the index; `cinerag serve` runs it in the background (start/notify/stop) */
  outbox: OutboxWorker;
  search: SearchService;
  reindex: ReindexService;
  /** readiness of the search engine (for /readyz) */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export async function createSceneIndex(
  config: Pick<Config, "search" | "searchFile">,
  embedder: Embedder,
): Promise<SceneIndex> {
  const model = { modelId: embedder.modelId, dimension: embedder.dimension };
  if (config.search.kind === "elasticsearch") {
    // loaded only here: the Elasticsearch client is about a quarter of a second of start-up for every command
    const { ElasticsearchSceneIndex } = await import("./elasticsearch.scene-index.js");
    // config.ts guarantees the URL when kind is elasticsearch
    return new ElasticsearchSceneIndex({ node: config.search.elasticsearchUrl!, model });
  }
  return new EmbeddedSceneIndex({ file: config.searchFile, model, cacheMiB: config.search.cacheMiB });
}

export function createSearchModule(
  config: Pick<Config, "search" | "searchFile">,
  deps: {
    /** the database tables the search side reads and drains (src/store) */
    store: { source: SearchSourceRepository; outbox: SearchOutboxRepository; embeddingCache: EmbeddingCacheRepository };
    logger?: Logger;
    embedder?: Embedder;
    /** from createSceneIndex (async: the Elasticsearch client is loaded only when configured) */
    sceneIndex: SceneIndex;
    /** the cluster-wide lease of the outbox drain (src/cluster/lease.ts); absent: no coordination */
    drainLease?: DrainLease;
    /** how often a running drain renews it (a third of its life) */
    drainLeaseRenewMs?: number;
  },
): SearchModule {
  // src/app.ts passes the model registry's embedder (src/models/model-registry.ts: the neural model when it
  // is on disk, else the hashing embedder); without one, the hashing embedder (tests, tools)
  const embedder = deps.embedder ?? new HashingEmbedder({ dimension: 384 });
  const sceneIndex = deps.sceneIndex;
  const { source, outbox: outboxRows, embeddingCache } = deps.store;
  const embeddings = new EmbeddingCache(embeddingCache, embedder);
  const outbox = new OutboxWorker({
    outbox: outboxRows,
    source,
    index: sceneIndex,
    embeddings,
    logger: deps.logger,
    lease: deps.drainLease,
    leaseRenewMs: deps.drainLeaseRenewMs,
  });
  return {
    embedder,
    sceneIndex,
    embeddings,
    outbox,
    search: new SearchService({ index: sceneIndex, embedder, source }),
    reindex: new ReindexService({ source, outbox: outboxRows, index: sceneIndex, embedder, embeddings }),
    ping: () => sceneIndex.ping(),
    async close() {
      await outbox.stop();
      await sceneIndex.close();
    },
  };
}
