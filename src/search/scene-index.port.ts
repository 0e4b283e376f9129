// The search port: scenes (derived from the database, see prisma/schema.prisma) are written to a
// SceneIndex and searched by keywords (BM25), by vector (kNN) or both (reciprocal rank fusion, in
// src/search/rrf.ts, shared by every implementation). Two implementations:
//   - embedded.scene-index.ts: SQLite (FTS5 + vectors) in its own file, with an HNSW graph (USearch) beside the database (default)
//   - elasticsearch.scene-index.ts: an Elasticsearch 9 cluster
// An index remembers the embedding model id and dimension it was built with. Opening it with another
// model fails with AppError("REINDEX_REQUIRED"): vectors of two models must never be mixed; `reset`
// (used by `cinerag reindex`) empties the index and records the new model.

export interface SceneDocument {
  sceneId: string;
  clipId: string;
  clipTitle: string;
  /** seconds from the clip's start */
  startTime: number;
  endTime: number;
  /** BCP 47 tag of the dialogue, where known (en, zh-Hans, ja, ko, ...) */
  language?: string;
  /** the scene's dialogue, joined */
  text: string;
  /** optional further searchable text: descriptions of what is seen (keyframe captions, OCR, ...) */
  captions?: string;
  /** embedding of the scene, from the index's model; without it the scene is found by keywords only */
  vector?: Float32Array;
}

import type { MatchKind } from "../domain/enums.js";
export type { MatchKind };

/**
 * What a scene index can narrow a search to. Not the list filter of `scenes` (services/scene.service.ts,
 * SceneListFilter): the index matches any of several languages and has no substring match, as the
 * GraphQL SceneSearchFilter it comes from.
 */
export interface SceneIndexFilter {
  clipIds?: string[];
  /** scenes overlapping [from, to) seconds: startTime < to and endTime > from; either bound may be omitted */
  timeRange?: { from?: number; to?: number };
  /**
   * Languages, matched on the primary subtag, case-insensitively: "zh" and "zh-Hant" both match scenes
   * tagged zh, zh-Hans or zh-Hant. Scenes without a language never match a language filter.
   */
  languages?: string[];
}

export interface HighlightOptions {
  /** default "<mark>" / "</mark>" */
  preTag?: string;
  postTag?: string;
  /** "html": escape the scene text (not the tags) for safe HTML rendering; default "none" */
  encoder?: "none" | "html";
  /** approximate characters per fragment; default 120 */
  fragmentSize?: number;
  /** default 3; 0 = no highlights */
  maxFragments?: number;
}

export interface SearchOptions {
  filter?: SceneIndexFilter;
  /** default 10, at most 1000 */
  limit?: number;
  highlight?: HighlightOptions;
  /**
   * vector side only: nearest neighbours below this cosine similarity are not matches at all (kNN always
   * returns k scenes, however unrelated). Default: none. Its right value depends on the embedding model.
   */
  minSimilarity?: number;
}

export interface HybridSearchOptions extends SearchOptions {
  /**
   * how deep each of the two ranked lists is before fusion; default `limit` (as Elasticsearch's
   * rank_window_size). Deeper lists let scenes that are mediocre in both lists (agreeing noise: with k=60
   * two ranks below 62 beat one first place) push out a scene that only one side ranks first;
   * test/unit/search/retrieval-eval.test.ts measures this.
   */
  candidates?: number;
  /** RRF constant; default 60 */
  rrfK?: number;
}

export interface SceneHit {
  sceneId: string;
  clipId: string;
  /** KEYWORD: BM25 (higher is better); SEMANTIC: cosine similarity; hybrid: the RRF score */
  score: number;
  matchedBy: MatchKind[];
  /** fragments of the scene text with matched terms between the highlight tags; may be [] for semantic-only hits */
  highlights: string[];
}

export interface WriteOptions {
  /**
   * "wait_for": return only once the write is visible to searches (Elasticsearch refresh=wait_for).
   * The embedded index is always read-your-writes; it ignores this.
   */
  refresh?: boolean | "wait_for";
}

export interface EmbeddingModelInfo {
  modelId: string;
  dimension: number;
}

export interface SceneIndexMeta extends EmbeddingModelInfo {
  engine: "embedded" | "elasticsearch";
  schemaVersion: number;
  /** ISO time the index was created (or last reset) */
  createdAt: string;
}

export interface SceneIndex {
  readonly engine: "embedded" | "elasticsearch";
  /**
   * Creates the index if absent and checks the stored model against the configured one: throws
   * AppError("REINDEX_REQUIRED") on a mismatch, AppError("SEARCH_UNAVAILABLE") when the engine cannot be
   * reached. Idempotent; every other operation except meta/reset/ping/close calls it first.
   */
  init(): Promise<SceneIndexMeta>;
  /** insert or replace, by sceneId: writing the same scene twice leaves one document */
  upsert(docs: SceneDocument[], options?: WriteOptions): Promise<void>;
  delete(sceneIds: string[], options?: WriteOptions): Promise<void>;
  deleteClip(clipId: string, options?: WriteOptions): Promise<void>;
  /** free text; never a syntax error (operators and punctuation in it are plain text) */
  keywordSearch(query: string, options?: SearchOptions): Promise<SceneHit[]>;
  /** vector: from the index's model, unit length */
  vectorSearch(vector: Float32Array, options?: SearchOptions): Promise<SceneHit[]>;
  hybridSearch(query: string, vector: Float32Array, options?: HybridSearchOptions): Promise<SceneHit[]>;
  count(filter?: SceneIndexFilter): Promise<number>;
  /** what the index was built with, without checking it; null when the index does not exist yet */
  meta(): Promise<SceneIndexMeta | null>;
  /** drops every document and records a new model (for `cinerag reindex`) */
  reset(modelId: string, dimension: number): Promise<void>;
  /** readiness: true when the engine answers */
  ping(): Promise<boolean>;
  /** the engine and its version, for `cinerag doctor` ("SQLite 3.x", "Elasticsearch 9.x") */
  engineVersion?(): Promise<string>;
  close(): Promise<void>;
}

export const SCENE_INDEX_SCHEMA_VERSION = 1;
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 1000;
