// SceneIndex on an Elasticsearch 9 cluster (CINERAG_SEARCH=elasticsearch). One index (default
// "cinerag-scenes") created from an index template that carries the mapping:
//   - text / captions: a multi-field per language family: the field itself (standard tokenizer,
//     lowercase, ASCII folding: "standard otherwise"), `.en` (English: possessives, stop words, stemming)
//     and `.cjk` (the built-in `cjk` analyzer: CJK bigrams, the same matching the embedded index does);
//     queried with multi_match best_fields, so each scene scores by the analysis that suits it best
//   - vector: dense_vector, cosine, int8_hnsw
//   - keyword/number fields for filters (clipId, lang = primary language subtag, startTime, endTime)
//   - the embedding model and dimension in the mapping's _meta (checked by init)
// Hybrid = a BM25 query and a kNN query, run by us and fused by our RRF (src/search/rrf.ts): ES's own
// rrf retriever needs a paid licence. Documents have _id = sceneId, so bulk upserts are idempotent.
// Any failure to reach the cluster becomes AppError("SEARCH_UNAVAILABLE").
import { Client, errors } from "@elastic/elasticsearch";
import type { estypes } from "@elastic/elasticsearch";
import { AppError } from "../errors/app-error.js";
import { aboveFloor } from "./similarity-floor.js";
import {
  checkModel,
  checkStoredModel,
  clampLimit,
  documentVector,
  filterLanguages,
  fuseHybrid,
  hybridDepth,
  primaryLanguage,
  queryVector,
} from "./scene-index.helpers.js";
import {
  MAX_LIMIT,
  SCENE_INDEX_SCHEMA_VERSION,
  type EmbeddingModelInfo,
  type HighlightOptions,
  type HybridSearchOptions,
  type SceneDocument,
  type SceneIndexFilter,
  type SceneHit,
  type SceneIndex,
  type SceneIndexMeta,
  type SearchOptions,
  type WriteOptions,
} from "./scene-index.port.js";

export interface ElasticsearchSceneIndexOptions {
  /** cluster URL (config.search.elasticsearchUrl), or a ready client (tests, custom auth) */
  node: string | Client;
  /** index name; default "cinerag-scenes" */
  index?: string;
  model: EmbeddingModelInfo;
  /** per request; default 10 s */
  requestTimeoutMs?: number;
  /** kNN num_candidates = max(k * factor, 100), capped at 10000; default 10 */
  numCandidatesFactor?: number;
}

const TEXT_FIELDS = ["text", "text.en", "text.cjk", "captions^0.5", "captions.en^0.5", "captions.cjk^0.5"];
const HIGHLIGHT_FIELDS = ["text.cjk", "text.en", "text", "captions.cjk", "captions.en", "captions"];

/** The index template: settings, analysis and mapping for `indexName` and `model`. */
export function sceneIndexTemplate(indexName: string, model: EmbeddingModelInfo, createdAt = new Date().toISOString()) {
  const multiField: estypes.MappingProperty = {
    type: "text",
    analyzer: "cinerag_standard",
    fields: {
      en: { type: "text", analyzer: "cinerag_english" },
      cjk: { type: "text", analyzer: "cjk" },
    },
  };
  return {
    name: `${indexName}-template`,
    index_patterns: [indexName],
    priority: 500,
    template: {
      settings: {
        number_of_shards: 1,
        analysis: {
          filter: {
            cinerag_english_possessive: { type: "stemmer", language: "possessive_english" },
            cinerag_english_stop: { type: "stop", stopwords: "_english_" },
            cinerag_english_stemmer: { type: "stemmer", language: "english" },
          },
          analyzer: {
            cinerag_standard: { type: "custom", tokenizer: "standard", filter: ["lowercase", "asciifolding"] },
            cinerag_english: {
              type: "custom",
              tokenizer: "standard",
              filter: [
                "cinerag_english_possessive",
                "lowercase",
                "asciifolding",
                "cinerag_english_stop",
                "cinerag_english_stemmer",
              ],
            },
          },
        },
      },
      mappings: {
        dynamic: "strict",
        _meta: {
          modelId: model.modelId,
          dimension: model.dimension,
          schemaVersion: SCENE_INDEX_SCHEMA_VERSION,
          createdAt,
        },
        properties: {
          sceneId: { type: "keyword" },
          clipId: { type: "keyword" },
          clipTitle: { type: "text", fields: { raw: { type: "keyword", ignore_above: 512 } } },
          startTime: { type: "double" },
          endTime: { type: "double" },
          language: { type: "keyword" },
          lang: { type: "keyword" },
          text: multiField,
          captions: multiField,
          vector: {
            type: "dense_vector",
            dims: model.dimension,
            index: true,
            similarity: "cosine",
            index_options: { type: "int8_hnsw" },
          },
        },
      },
    },
  } satisfies estypes.IndicesPutIndexTemplateRequest;
}

export class ElasticsearchSceneIndex implements SceneIndex {
  readonly engine = "elasticsearch" as const;
  private readonly client: Client;
  private readonly ownsClient: boolean;
  private readonly index: string;
  private model: EmbeddingModelInfo;
  private ready: Promise<SceneIndexMeta> | undefined;
  private readonly numCandidatesFactor: number;

  constructor(options: ElasticsearchSceneIndexOptions) {
    this.model = { ...options.model };
    checkModel(this.model);
    this.index = options.index ?? "cinerag-scenes";
    this.numCandidatesFactor = options.numCandidatesFactor ?? 10;
    if (typeof options.node === "string") {
      this.client = new Client({
        node: options.node,
        requestTimeout: options.requestTimeoutMs ?? 10_000,
        maxRetries: 2,
      });
      this.ownsClient = true;
    } else {
      this.client = options.node;
      this.ownsClient = false;
    }
  }

  // ---------------------------------------------------------------------------------------------- lifecycle

  init(): Promise<SceneIndexMeta> {
    this.ready ??= this.initOnce().catch((error: unknown) => {
      this.ready = undefined; // try again next time (cluster back up, index reset by someone else...)
      throw error;
    });
    return this.ready;
  }

  private async initOnce(): Promise<SceneIndexMeta> {
    let stored = await this.meta();
    if (!stored) {
      await this.create(this.model);
      stored = await this.meta();
      if (!stored) throw new AppError("SEARCH_UNAVAILABLE", `index ${this.index} vanished after creation`);
    }
    checkStoredModel(`the Elasticsearch index ${this.index}`, stored, this.model, SCENE_INDEX_SCHEMA_VERSION);
    return stored;
  }

  private async create(model: EmbeddingModelInfo): Promise<void> {
    await this.call(() => this.client.indices.putIndexTemplate(sceneIndexTemplate(this.index, model)));
    try {
      await this.client.indices.create({ index: this.index });
    } catch (error) {
      if (!(
        error instanceof errors.ResponseError &&
        (error.body as { error?: { type?: string } } | undefined)?.error?.type === "resource_already_exists_exception"
      )) {
        throw this.unavailable(error);
      }
    }
  }

  async meta(): Promise<SceneIndexMeta | null> {
    const mapping = await this.call(() => this.client.indices.getMapping({ index: this.index }, { ignore: [404] }));
    const entry = Object.values(mapping as Record<string, { mappings?: estypes.MappingTypeMapping }>)[0];
    const m = entry?.mappings?._meta;
    if (!m || typeof m.modelId !== "string") return null;
    return {
      engine: "elasticsearch",
      modelId: m.modelId,
      dimension: Number(m.dimension),
      schemaVersion: Number(m.schemaVersion),
      createdAt: typeof m.createdAt === "string" ? m.createdAt : "",
    };
  }

  async reset(modelId: string, dimension: number): Promise<void> {
    const model = { modelId, dimension };
    checkModel(model);
    await this.call(() => this.client.indices.delete({ index: this.index, ignore_unavailable: true }));
    await this.create(model);
    this.model = model;
    this.ready = undefined;
    await this.init();
  }

  async engineVersion(): Promise<string> {
    const info = await this.call(() => this.client.info());
    return `Elasticsearch ${info.version.number}`;
  }

  async ping(): Promise<boolean> {
    try {
      return await this.client.ping();
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  // ---------------------------------------------------------------------------------------------- writes

  async upsert(docs: SceneDocument[], options: WriteOptions = {}): Promise<void> {
    const { dimension } = await this.init();
    if (docs.length === 0) return;
    const operations: unknown[] = [];
    // every document checked before any is sent; an all-zero vector is left out (ES's cosine rejects it)
    const vectors = docs.map((d) => documentVector(d, dimension));
    for (const [i, d] of docs.entries()) {
      const vector = vectors[i];
      operations.push({ index: { _index: this.index, _id: d.sceneId } });
      operations.push({
        sceneId: d.sceneId,
        clipId: d.clipId,
        clipTitle: d.clipTitle,
        startTime: d.startTime,
        endTime: d.endTime,
        language: d.language ?? null,
        lang: primaryLanguage(d.language) || null,
        text: d.text,
        captions: d.captions ?? null,
        ...(vector ? { vector: Array.from(vector) } : {}),
      });
    }
    await this.bulk(operations, options);
  }

  async delete(sceneIds: string[], options: WriteOptions = {}): Promise<void> {
    await this.init();
    if (sceneIds.length === 0) return;
    await this.bulk(
      sceneIds.map((id) => ({ delete: { _index: this.index, _id: id } })),
      options,
    );
  }

  async deleteClip(clipId: string, options: WriteOptions = {}): Promise<void> {
    await this.init();
    await this.call(() =>
      this.client.deleteByQuery({
        index: this.index,
        query: { term: { clipId } },
        conflicts: "proceed",
        // delete_by_query has no wait_for: any refresh request becomes an immediate refresh
        refresh: options.refresh !== undefined && options.refresh !== false,
      }),
    );
  }

  private async bulk(operations: NonNullable<estypes.BulkRequest["operations"]>, options: WriteOptions): Promise<void> {
    const response = await this.call(() =>
      this.client.bulk({
        operations,
        refresh: options.refresh ?? false,
      }),
    );
    if (!response.errors) return;
    const failures = response.items.map((item) => Object.values(item)[0]!).filter((r) => r.error && r.status !== 404);
    if (failures.length === 0) return;
    const retryable = failures.some((f) => f.status === 429 || f.status >= 500);
    throw new AppError(
      retryable ? "SEARCH_UNAVAILABLE" : "BAD_INPUT",
      `Elasticsearch rejected ${failures.length} of ${response.items.length} bulk operations: ${failures[0]!.error?.reason ?? "unknown"}`,
      { failures: failures.slice(0, 5).map((f) => ({ id: f._id, status: f.status, error: f.error })) },
    );
  }

  // ---------------------------------------------------------------------------------------------- reads

  async count(filter?: SceneIndexFilter): Promise<number> {
    await this.init();
    const r = await this.call(() =>
      this.client.count({ index: this.index, query: { bool: { filter: esFilter(filter) } } }),
    );
    return r.count;
  }

  async keywordSearch(query: string, options: SearchOptions = {}): Promise<SceneHit[]> {
    await this.init();
    return this.bm25(query, clampLimit(options.limit), options.filter, options.highlight);
  }

  async vectorSearch(vector: Float32Array, options: SearchOptions = {}): Promise<SceneHit[]> {
    const { dimension } = await this.init();
    const unit = queryVector(vector, dimension);
    if (!unit) return [];
    return aboveFloor(await this.knn(unit, clampLimit(options.limit), options.filter), options.minSimilarity);
  }

  async hybridSearch(query: string, vector: Float32Array, options: HybridSearchOptions = {}): Promise<SceneHit[]> {
    const { dimension } = await this.init();
    const unit = queryVector(vector, dimension);
    const limit = clampLimit(options.limit);
    const depth = hybridDepth(limit, options.candidates, MAX_LIMIT);
    const [keyword, semantic] = await Promise.all([
      this.bm25(query, depth, options.filter, options.highlight),
      unit
        ? this.knn(unit, depth, options.filter).then((hits) => aboveFloor(hits, options.minSimilarity))
        : Promise.resolve([]),
    ]);
    return fuseHybrid(keyword, semantic, limit, options.rrfK);
  }

  private async bm25(
    query: string,
    size: number,
    filter: SceneIndexFilter | undefined,
    highlight: HighlightOptions | undefined,
  ): Promise<SceneHit[]> {
    if (!/[\p{L}\p{N}]/u.test(query)) return [];
    const h = highlightRequest(highlight);
    const r = await this.call(() =>
      this.client.search<{ sceneId: string; clipId: string }>({
        index: this.index,
        size,
        _source: ["sceneId", "clipId"],
        // multi_match is a match query per field: analysed text, never parsed as query syntax
        query: {
          bool: {
            must: { multi_match: { query, fields: TEXT_FIELDS, type: "best_fields", tie_breaker: 0.3 } },
            filter: esFilter(filter),
          },
        },
        sort: [{ _score: { order: "desc" } }, { sceneId: { order: "asc" } }],
        track_scores: true,
        ...(h ? { highlight: h } : {}),
      }),
    );
    const max = highlight?.maxFragments ?? 3;
    return r.hits.hits.map((hit) => ({
      sceneId: hit._source!.sceneId,
      clipId: hit._source!.clipId,
      score: hit._score ?? 0,
      matchedBy: ["KEYWORD"],
      highlights: mergeHighlights(hit.highlight, max),
    }));
  }

  private async knn(vector: Float32Array, k: number, filter: SceneIndexFilter | undefined): Promise<SceneHit[]> {
    const r = await this.call(() =>
      this.client.search<{ sceneId: string; clipId: string }>({
        index: this.index,
        size: k,
        _source: ["sceneId", "clipId"],
        knn: {
          field: "vector",
          query_vector: Array.from(vector),
          k,
          num_candidates: Math.min(10_000, Math.max(k * this.numCandidatesFactor, 100)),
          filter: esFilter(filter),
        },
      }),
    );
    return r.hits.hits.map((hit) => ({
      sceneId: hit._source!.sceneId,
      clipId: hit._source!.clipId,
      // ES reports (1 + cosine) / 2 for cosine similarity; give back the cosine
      score: 2 * (hit._score ?? 0.5) - 1,
      matchedBy: ["SEMANTIC"],
      highlights: [],
    }));
  }

  // ---------------------------------------------------------------------------------------------- errors

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private unavailable(error: unknown): unknown {
    if (error instanceof AppError) return error;
    const transport =
      error instanceof errors.ConnectionError ||
      error instanceof errors.TimeoutError ||
      error instanceof errors.NoLivingConnectionsError ||
      error instanceof errors.RequestAbortedError ||
      error instanceof errors.ProductNotSupportedError ||
      (error instanceof errors.ResponseError &&
        (error.statusCode === undefined || error.statusCode === 429 || error.statusCode >= 500));
    if (!transport) return error;
    return new AppError(
      "SEARCH_UNAVAILABLE",
      `Elasticsearch (index ${this.index}) is unavailable: ${(error as Error).message}`,
      {
        index: this.index,
        cause: (error as Error).name,
      },
    );
  }
}

// ------------------------------------------------------------------------------------------------ helpers

export function esFilter(filter: SceneIndexFilter | undefined): estypes.QueryDslQueryContainer[] {
  const out: estypes.QueryDslQueryContainer[] = [];
  if (filter?.clipIds) out.push({ terms: { clipId: filter.clipIds } });
  const languages = filterLanguages(filter);
  if (languages) out.push({ terms: { lang: languages } });
  if (filter?.timeRange?.to !== undefined) out.push({ range: { startTime: { lt: filter.timeRange.to } } });
  if (filter?.timeRange?.from !== undefined) out.push({ range: { endTime: { gt: filter.timeRange.from } } });
  return out;
}

function highlightRequest(o: HighlightOptions | undefined): estypes.SearchHighlight | undefined {
  const max = o?.maxFragments ?? 3;
  if (max === 0) return undefined;
  return {
    pre_tags: [o?.preTag ?? "<mark>"],
    post_tags: [o?.postTag ?? "</mark>"],
    encoder: o?.encoder === "html" ? "html" : "default",
    fragment_size: o?.fragmentSize ?? 120,
    number_of_fragments: max,
    type: "unified",
    fields: Object.fromEntries(HIGHLIGHT_FIELDS.map((f) => [f, {}])),
  };
}

/** One list from the per-field highlights: sub-fields repeat the same fragment, keep the first of each. */
function mergeHighlights(highlight: Record<string, string[]> | undefined, max: number): string[] {
  if (!highlight) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const field of HIGHLIGHT_FIELDS) {
    for (const fragment of highlight[field] ?? []) {
      const key = fragment.replace(/<[^>]*>/g, "").trim();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(fragment);
    }
  }
  return out.slice(0, max);
}
