// What every SceneIndex implementation checks and computes the same way (embedded, Elasticsearch): limits,
// vectors, documents, the model check on open, filters' language subtags and the hybrid fusion step. An
// adapter only translates to its engine.
import { AppError } from "../errors/app-error.js";
import { isFiniteVector, unitVector } from "../util/vector-math.js";
import { reciprocalRankFusion } from "./rrf.js";
import {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type EmbeddingModelInfo,
  type SceneDocument,
  type SceneIndexFilter,
  type SceneHit,
  type SceneIndexMeta,
} from "./scene-index.port.js";

/** The primary language subtag, lower case ("zh-Hant" -> "zh"); "" for none. */
export function primaryLanguage(tag: string | undefined): string {
  return (tag ?? "").split(/[-_]/)[0]!.toLowerCase();
}

/** The filter's languages as primary subtags (undefined: no language filter). */
export function filterLanguages(filter: SceneIndexFilter | undefined): string[] | undefined {
  return filter?.languages ? [...new Set(filter.languages.map(primaryLanguage).filter(Boolean))] : undefined;
}

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1)
    throw new AppError("BAD_INPUT", `limit must be a positive integer, got ${limit}`);
  return Math.min(limit, MAX_LIMIT);
}

/**
 * A query vector made safe to search with: BAD_INPUT for a wrong type or length or a non-finite component;
 * undefined for an all-zero vector (a text the model knows nothing of has no direction: it is similar to
 * nothing, so the semantic side finds nothing instead of scoring every scene alike); else unit length.
 */
export function queryVector(vector: Float32Array, dimension: number): Float32Array | undefined {
  if (!(vector instanceof Float32Array) || vector.length !== dimension) {
    throw new AppError(
      "BAD_INPUT",
      `query vector must be a Float32Array of length ${dimension}, got ${(vector as { length?: number } | undefined)?.length}`,
    );
  }
  if (!isFiniteVector(vector))
    throw new AppError("BAD_INPUT", "query vector has a non-finite component (NaN or Infinity)");
  return unitVector(vector);
}

/**
 * Checks a document before any of a batch is written (BAD_INPUT, nothing written) and returns the vector
 * to store: unit length, or undefined when it has none or an all-zero one (the scene is then found by
 * keywords only).
 */
export function documentVector(d: SceneDocument, dimension: number): Float32Array | undefined {
  if (!d.sceneId || !d.clipId) throw new AppError("BAD_INPUT", "a scene document needs sceneId and clipId");
  if (d.sceneId.length > 512 || d.clipId.length > 512)
    throw new AppError("BAD_INPUT", `scene ${d.sceneId.slice(0, 40)}: ids are limited to 512 characters`);
  if (!Number.isFinite(d.startTime) || !Number.isFinite(d.endTime) || d.endTime < d.startTime) {
    throw new AppError("BAD_INPUT", `scene ${d.sceneId}: invalid time range ${d.startTime}..${d.endTime}`);
  }
  if (!d.vector) return undefined;
  if (!(d.vector instanceof Float32Array) || d.vector.length !== dimension) {
    throw new AppError(
      "BAD_INPUT",
      `scene ${d.sceneId}: vector length ${d.vector.length}, index dimension ${dimension}`,
    );
  }
  if (!isFiniteVector(d.vector))
    throw new AppError("BAD_INPUT", `scene ${d.sceneId}: vector has a non-finite component (NaN or Infinity)`);
  return unitVector(d.vector);
}

export function checkModel(model: EmbeddingModelInfo): void {
  if (!model.modelId) throw new AppError("BAD_INPUT", "embedding model id is required");
  if (!Number.isInteger(model.dimension) || model.dimension < 1 || model.dimension > 8192) {
    throw new AppError(
      "BAD_INPUT",
      `embedding dimension must be an integer between 1 and 8192, got ${model.dimension}`,
    );
  }
}

/** Throws REINDEX_REQUIRED when the stored index was built with another model or schema. */
export function checkStoredModel(
  where: string,
  stored: SceneIndexMeta,
  configured: EmbeddingModelInfo,
  schemaVersion: number,
): void {
  if (
    stored.modelId === configured.modelId &&
    stored.dimension === configured.dimension &&
    stored.schemaVersion === schemaVersion
  )
    return;
  throw new AppError(
    "REINDEX_REQUIRED",
    `${where} was built with embedding model "${stored.modelId}" ` +
      `(dimension ${stored.dimension}, schema ${stored.schemaVersion}) but the configured model is ` +
      `"${configured.modelId}" (dimension ${configured.dimension}, schema ${schemaVersion}); ` +
      "vectors of different models cannot be mixed: run `cinerag reindex`",
    { stored, configured: { ...configured, schemaVersion } },
  );
}

/** How deep each ranked list of a hybrid search is: at least `limit`, at most `cap`. */
export function hybridDepth(limit: number, candidates: number | undefined, cap: number): number {
  return Math.min(cap, Math.max(limit, candidates ?? limit));
}

/** The hybrid result: keyword and semantic lists fused by reciprocal rank. */
export function fuseHybrid(keyword: SceneHit[], semantic: SceneHit[], limit: number, rrfK?: number): SceneHit[] {
  return reciprocalRankFusion(
    [
      { matchedBy: "KEYWORD", hits: keyword },
      { matchedBy: "SEMANTIC", hits: semantic },
    ],
    limit,
    rrfK,
  );
}
