// The default SceneIndex: a SQLite file of its own beside the database (config.searchFile,
// <dataDir>/search.db), in WAL mode, with
//   - scenes:        one row per scene (metadata for filters), rowid `id` stable across upserts
//   - scenes_fts:    FTS5 (porter + unicode61) over dialogue and captions, BM25 via bm25(), highlights via
//                    highlight(); CJK handled by segmenting ourselves (see text-analysis.ts)
//   - scenes_vec:    sqlite-vec vec0 table, float[dim] with L2 distance over unit vectors (exact
//                    brute-force kNN; cosine = 1 - L2^2 / 2, so the ranking is the cosine ranking), split
//                    into SHARDS partitions (PARTITION KEY shard = rowid % SHARDS), and the filter columns
//                    as vec0 *metadata* columns, so kNN with filters returns the k nearest scenes that pass
//                    the filter (no over-fetch guess)
//   - scene_vectors: which scenes have a vector (vec0 cannot tell cheaply)
// Speed (bench/search.bench.ts, 100k x 384, 2 cores; the numbers are in the bench's output):
//   - vec0 0.1.9's prebuilt binary has no SIMD (vec_debug(): no build flags): a full cosine scan takes
//     ~62 ms, L2 ~47 ms (one accumulator instead of three), one of 4 partitions ~11 ms. Large indexes
//     (>= parallelKnnMin vectors, file-backed) therefore scan their partitions on worker threads with
//     read-only connections (knn-pool.ts), and hybrid search runs BM25 on this thread meanwhile.
//   - BM25: ordering the FTS5 rows by bm25() and LIMITing *before* joining the scenes table saves the join
//     of every matching row (~20k for a common word in 100k scenes); FTS5's `ORDER BY rank` path, with or
//     without a configured rank function, was slower (p95 40 ms vs 23 ms), so bm25() is used.
//   - highlights are computed per returned rowid (MATCH + rowid = ?), not by re-running the MATCH over all
//     matching rows (12 ms -> 0.5 ms at p95).
//   - int8[] quantisation was no faster in vec0 0.1.9 (no SIMD for it) and bit[] + exact rescoring, though
//     ~6 ms for the scan, gave recall@10 of 0.22 with the hashing embedder even with 1000 candidates:
//     rejected; the kNN stays exact (recall@10 = 1 against brute force, printed by the bench).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { AppError } from "../errors/app-error.js";
import { KnnWorkerPool, type KnnShardRow } from "./knn-pool.js";
import { reciprocalRankFusion } from "./rrf.js";
import { aboveFloor } from "./similarity-floor.js";
import {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type EmbeddingModelInfo,
  type HighlightOptions,
  type HybridSearchOptions,
  type SceneDocument,
  type SceneFilter,
  type SceneHit,
  type SceneIndex,
  type SceneIndexMeta,
  type SearchOptions,
} from "./scene-index.port.js";
import {
  FTS_TOKENIZER,
  MARK_CLOSE,
  MARK_OPEN,
  fragmentsFromMarked,
  pickFragments,
  segmentForIndex,
  toFtsQuery,
  type FragmentOptions,
} from "./text-analysis.js";

export interface EmbeddedSceneIndexOptions {
  /** the SQLite file (config.searchFile); ":memory:" for tests */
  file: string;
  /** the configured embedding model; the index refuses to open with another one */
  model: EmbeddingModelInfo;
  /** BM25 column weights (text, captions); default [1, 0.5] */
  columnWeights?: [number, number];
  /** worker threads for kNN over large indexes; default min(SHARDS, available CPUs); 0 = never */
  knnThreads?: number;
  /** vectors from which kNN runs on the worker threads (below, one thread is faster); default 20000 */
  parallelKnnMin?: number;
}

/**
 * The embedded index's own schema version (stored in index_meta; a different one asks for a reindex).
 * 1: cosine vec0 table. 2: L2 over unit vectors, SHARDS partitions.
 */
export const EMBEDDED_SCHEMA_VERSION = 2;
export const MMAP_SIZE = 2 ** 31 - 65536; // SQLite's default SQLITE_MAX_MMAP_SIZE; larger values are clamped
/** vec0 partitions of the vector table (the unit of parallel kNN) */
export const SHARDS = 4;

type Row = { id: number; scene_id: string; clip_id: string };

const BM25_LIMIT_MAX = 4096; // vec0's own k limit; we use the same cap for candidate depth

export class EmbeddedSceneIndex implements SceneIndex {
  readonly engine = "embedded" as const;
  private db: Database.Database | undefined;
  private model: EmbeddingModelInfo;
  private ready: SceneIndexMeta | undefined;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly weights: [number, number];
  private pool: KnnWorkerPool | undefined;
  private vectorCount = { value: 0, at: -Infinity };

  constructor(private readonly options: EmbeddedSceneIndexOptions) {
    this.model = { ...options.model };
    this.weights = options.columnWeights ?? [1, 0.5];
    checkModel(this.model);
  }

  // ---------------------------------------------------------------------------------------------- lifecycle

  async init(): Promise<SceneIndexMeta> {
    return this.initSync();
  }

  private initSync(): SceneIndexMeta {
    if (this.ready) return this.ready;
    const db = this.open();
    let stored = readMeta(db);
    if (!stored) {
      db.transaction(() => {
        if (!readMeta(db)) createSchema(db, this.model);
      }).immediate();
      stored = readMeta(db)!;
    }
    if (
      stored.modelId !== this.model.modelId ||
      stored.dimension !== this.model.dimension ||
      stored.schemaVersion !== EMBEDDED_SCHEMA_VERSION
    ) {
      throw new AppError(
        "REINDEX_REQUIRED",
        `the search index (${this.options.file}) was built with embedding model "${stored.modelId}" ` +
          `(dimension ${stored.dimension}, schema ${stored.schemaVersion}) but the configured model is ` +
          `"${this.model.modelId}" (dimension ${this.model.dimension}, schema ${EMBEDDED_SCHEMA_VERSION}); ` +
          "vectors of different models cannot be mixed: run `cinerag reindex`",
        { stored, configured: { ...this.model, schemaVersion: EMBEDDED_SCHEMA_VERSION } },
      );
    }
    this.ready = stored;
    return stored;
  }

  private open(): Database.Database {
    if (this.db) return this.db;
    try {
      if (this.options.file !== ":memory:") fs.mkdirSync(path.dirname(this.options.file), { recursive: true });
      const db = new Database(this.options.file);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("busy_timeout = 5000");
      db.pragma("cache_size = -65536"); // 64 MiB
      // kNN scans read every vector: through the memory map they are not copied into the page cache
      // (measured: one partition of 100k x 384 scanned in ~15 ms instead of ~30 ms)
      db.pragma(`mmap_size = ${MMAP_SIZE}`);
      sqliteVec.load(db);
      this.db = db;
      return db;
    } catch (error) {
      throw new AppError(
        "SEARCH_UNAVAILABLE",
        `cannot open the search index ${this.options.file}: ${(error as Error).message}`,
        {
          file: this.options.file,
        },
      );
    }
  }

  async meta(): Promise<SceneIndexMeta | null> {
    return readMeta(this.open());
  }

  async reset(modelId: string, dimension: number): Promise<void> {
    const model = { modelId, dimension };
    checkModel(model);
    const db = this.open();
    this.statements.clear();
    await this.closePool();
    db.transaction(() => {
      db.exec(
        "DROP TABLE IF EXISTS scenes_vec; DROP TABLE IF EXISTS scenes_fts; DROP TABLE IF EXISTS scene_vectors; DROP TABLE IF EXISTS scenes; DROP TABLE IF EXISTS index_meta;",
      );
      createSchema(db, model);
    }).immediate();
    this.model = model;
    this.ready = undefined;
    this.initSync();
  }

  async ping(): Promise<boolean> {
    try {
      this.open().prepare("SELECT 1").get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.closePool();
    this.statements.clear();
    this.db?.close();
    this.db = undefined;
    this.ready = undefined;
  }

  // ---------------------------------------------------------------------------------------------- writes

  async upsert(docs: SceneDocument[]): Promise<void> {
    this.upsertSync(docs);
  }

  /** Synchronous upsert, one transaction (for batch builders such as the bench). */
  upsertSync(docs: SceneDocument[]): void {
    const { dimension } = this.initSync();
    for (const d of docs) validate(d, dimension);
    const db = this.db!;
    const upsertScene = this.stmt(
      `INSERT INTO scenes(scene_id, clip_id, clip_title, start_time, end_time, language, lang) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(scene_id) DO UPDATE SET clip_id = excluded.clip_id, clip_title = excluded.clip_title,
         start_time = excluded.start_time, end_time = excluded.end_time, language = excluded.language, lang = excluded.lang
       RETURNING id`,
    );
    const delFts = this.stmt("DELETE FROM scenes_fts WHERE rowid = ?");
    const insFts = this.stmt("INSERT INTO scenes_fts(rowid, text, captions) VALUES (?, ?, ?)");
    const delVec = this.stmt("DELETE FROM scenes_vec WHERE id = ?");
    const delVector = this.stmt("DELETE FROM scene_vectors WHERE id = ? RETURNING id");
    const insVec = this.stmt(
      "INSERT INTO scenes_vec(id, shard, embedding, clip_id, lang, start_time, end_time) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const insVector = this.stmt("INSERT INTO scene_vectors(id) VALUES (?)");
    db.transaction(() => {
      for (const d of docs) {
        const lang = primaryLanguage(d.language);
        const { id } = upsertScene.get(
          d.sceneId,
          d.clipId,
          d.clipTitle,
          d.startTime,
          d.endTime,
          d.language ?? null,
          lang,
        ) as { id: number };
        const rowid = BigInt(id);
        delFts.run(rowid);
        insFts.run(rowid, segmentForIndex(d.text), d.captions ? segmentForIndex(d.captions) : null);
        if (delVector.get(rowid)) delVec.run(rowid);
        const unit = d.vector && unitVector(d.vector);
        if (unit) {
          insVec.run(rowid, BigInt(id % SHARDS), unit, d.clipId, lang, d.startTime, d.endTime);
          insVector.run(rowid);
        }
      }
    })();
  }

  async delete(sceneIds: string[]): Promise<void> {
    this.initSync();
    const find = this.stmt("SELECT id FROM scenes WHERE scene_id = ?");
    this.db!.transaction(() => {
      for (const sceneId of sceneIds) {
        const row = find.get(sceneId) as { id: number } | undefined;
        if (row) this.deleteRow(row.id);
      }
    })();
  }

  async deleteClip(clipId: string): Promise<void> {
    this.initSync();
    const ids = this.stmt("SELECT id FROM scenes WHERE clip_id = ?").pluck().all(clipId) as number[];
    this.db!.transaction(() => {
      for (const id of ids) this.deleteRow(id);
    })();
  }

  private deleteRow(id: number): void {
    const rowid = BigInt(id);
    this.stmt("DELETE FROM scenes_fts WHERE rowid = ?").run(rowid);
    if (this.stmt("DELETE FROM scene_vectors WHERE id = ? RETURNING id").get(rowid))
      this.stmt("DELETE FROM scenes_vec WHERE id = ?").run(rowid);
    this.stmt("DELETE FROM scenes WHERE id = ?").run(rowid);
  }

  // ---------------------------------------------------------------------------------------------- reads

  async count(filter?: SceneFilter): Promise<number> {
    this.initSync();
    const where = sceneFilterSql(filter, "s");
    return this.stmt(`SELECT count(*) FROM scenes s WHERE ${where.sql}`)
      .pluck()
      .get(...where.params) as number;
  }

  async keywordSearch(query: string, options: SearchOptions = {}): Promise<SceneHit[]> {
    this.initSync();
    const limit = clampLimit(options.limit);
    const fts = toFtsQuery(query);
    if (!fts) return [];
    const hits = this.bm25(fts, limit, options.filter);
    this.addHighlights(hits, fts, options.highlight);
    return hits;
  }

  async vectorSearch(vector: Float32Array, options: SearchOptions = {}): Promise<SceneHit[]> {
    const { dimension } = this.initSync();
    checkVector(vector, dimension);
    return this.knn(vector, clampLimit(options.limit), options.filter).then((hits) =>
      aboveFloor(hits, options.minSimilarity),
    );
  }

  async hybridSearch(query: string, vector: Float32Array, options: HybridSearchOptions = {}): Promise<SceneHit[]> {
    const { dimension } = this.initSync();
    checkVector(vector, dimension);
    const limit = clampLimit(options.limit);
    const depth = Math.min(BM25_LIMIT_MAX, Math.max(limit, options.candidates ?? limit));
    const fts = toFtsQuery(query);
    // the kNN starts first: on a large index it runs on the worker threads while BM25 runs here
    const semanticPromise = this.knn(vector, depth, options.filter).then((hits) =>
      aboveFloor(hits, options.minSimilarity),
    );
    let keyword: SceneHit[];
    try {
      keyword = fts ? this.bm25(fts, depth, options.filter) : [];
    } catch (error) {
      await semanticPromise.catch(() => undefined);
      throw error;
    }
    const semantic = await semanticPromise;
    const fused = reciprocalRankFusion(
      [
        { matchedBy: "KEYWORD", hits: keyword },
        { matchedBy: "SEMANTIC", hits: semantic },
      ],
      limit,
      options.rrfK,
    );
    // highlights only for what is returned; semantic-only hits get them too when the terms occur below the
    // keyword cut-off
    if (fts) this.addHighlights(fused, fts, options.highlight);
    return fused;
  }

  /** BM25 over FTS5, filters joined on the scenes table; score = -bm25() (higher is better). */
  private bm25(fts: string, limit: number, filter: SceneFilter | undefined): SceneHit[] {
    const where = sceneFilterSql(filter, "s");
    const [wText, wCaptions] = this.weights;
    if (where.params.length === 0) {
      // no filter: rank and cut in FTS5 alone, join only the rows returned (ties broken by rowid there)
      const rows = this.stmt(
        `SELECT s.id, s.scene_id, s.clip_id, f.bm
         FROM (SELECT rowid AS id, bm25(scenes_fts, ${wText}, ${wCaptions}) AS bm FROM scenes_fts
               WHERE scenes_fts MATCH ? ORDER BY bm, rowid LIMIT ?) f
         JOIN scenes s ON s.id = f.id
         ORDER BY f.bm, s.scene_id`,
      ).all(fts, limit) as Array<Row & { bm: number }>;
      return rows.map((r) => ({
        sceneId: r.scene_id,
        clipId: r.clip_id,
        score: -r.bm,
        matchedBy: ["KEYWORD"],
        highlights: [],
      }));
    }
    const rows = this.stmt(
      `SELECT s.id, s.scene_id, s.clip_id, bm25(scenes_fts, ${wText}, ${wCaptions}) AS bm
       FROM scenes_fts JOIN scenes s ON s.id = scenes_fts.rowid
       WHERE scenes_fts MATCH ? AND ${where.sql}
       ORDER BY bm, s.scene_id LIMIT ?`,
    ).all(fts, ...where.params, limit) as Array<Row & { bm: number }>;
    return rows.map((r) => ({
      sceneId: r.scene_id,
      clipId: r.clip_id,
      score: -r.bm,
      matchedBy: ["KEYWORD"],
      highlights: [],
    }));
  }

  /**
   * Exact kNN in vec0 (L2 over unit vectors), filters as vec0 metadata constraints; score = cosine
   * similarity = 1 - L2^2 / 2. Large file-backed indexes scan their partitions on worker threads.
   */
  private async knn(vector: Float32Array, k: number, filter: SceneFilter | undefined): Promise<SceneHit[]> {
    const where = vecFilterSql(filter);
    const query = unitVector(vector) ?? vector;
    k = Math.min(k, BM25_LIMIT_MAX);
    const pool = this.knnPool();
    let rows: Array<Row & { distance: number }>;
    if (pool) {
      const shardRows = await pool.query({
        sql: `SELECT id, distance FROM scenes_vec WHERE embedding MATCH ? AND k = ? AND shard = ?${where.sql}`,
        vector: query,
        k,
        params: where.params,
      });
      rows = this.mergeShards(shardRows, k);
    } else {
      rows = this.stmt(
        `SELECT v.id, v.distance, s.scene_id, s.clip_id
         FROM (SELECT id, distance FROM scenes_vec WHERE embedding MATCH ? AND k = ?${where.sql}) v
         JOIN scenes s ON s.id = v.id
         ORDER BY v.distance, s.scene_id`,
      ).all(query, k, ...where.params) as Array<Row & { distance: number }>;
    }
    return rows.map((r) => ({
      sceneId: r.scene_id,
      clipId: r.clip_id,
      score: 1 - (r.distance * r.distance) / 2,
      matchedBy: ["SEMANTIC"],
      highlights: [],
    }));
  }

  /** The k best of the per-shard lists, in (distance, sceneId) order. */
  private mergeShards(shardRows: KnnShardRow[], k: number): Array<Row & { distance: number }> {
    if (!this.db) return []; // closed while the workers were scanning
    const distance = new Map(shardRows.map((r) => [r.id, r.distance]));
    const rows = this.stmt("SELECT id, scene_id, clip_id FROM scenes WHERE id IN (SELECT value FROM json_each(?))").all(
      JSON.stringify([...distance.keys()]),
    ) as Row[];
    return rows
      .map((r) => ({ ...r, distance: distance.get(r.id)! }))
      .sort((a, b) => a.distance - b.distance || (a.scene_id < b.scene_id ? -1 : a.scene_id > b.scene_id ? 1 : 0))
      .slice(0, k);
  }

  /** The worker pool, when this index is large enough for it to pay off (started on first need). */
  private knnPool(): KnnWorkerPool | undefined {
    const threads = this.options.knnThreads ?? Math.min(SHARDS, os.availableParallelism());
    if (threads < 1 || this.options.file === ":memory:") return undefined;
    const now = performance.now();
    if (now - this.vectorCount.at > 5000) {
      this.vectorCount = { value: this.stmt("SELECT count(*) FROM scene_vectors").pluck().get() as number, at: now };
    }
    if (this.vectorCount.value < (this.options.parallelKnnMin ?? 20_000)) return undefined;
    this.pool ??= new KnnWorkerPool(this.options.file, SHARDS, threads, MMAP_SIZE);
    return this.pool;
  }

  private async closePool(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.vectorCount = { value: 0, at: -Infinity };
    await pool?.close();
  }

  private addHighlights(hits: SceneHit[], fts: string, options: HighlightOptions | undefined): void {
    const o = fragmentOptions(options);
    if (hits.length === 0 || o.maxFragments === 0 || !this.db) return;
    const ids = this.stmt("SELECT scene_id, id FROM scenes WHERE scene_id IN (SELECT value FROM json_each(?))").all(
      JSON.stringify(hits.map((h) => h.sceneId)),
    ) as Array<{ scene_id: string; id: number }>;
    // MATCH + rowid = ?: FTS5 seeks to the row instead of running the query over every matching row
    const one = this.stmt(
      `SELECT rowid AS r, highlight(scenes_fts, 0, '${MARK_OPEN}', '${MARK_CLOSE}') AS t,
              highlight(scenes_fts, 1, '${MARK_OPEN}', '${MARK_CLOSE}') AS c
       FROM scenes_fts WHERE scenes_fts MATCH ? AND rowid = ?`,
    );
    const bySceneId = new Map<string, { t: string | null; c: string | null }>();
    for (const { scene_id, id } of ids) {
      const row = one.get(fts, id) as { r: number; t: string | null; c: string | null } | undefined;
      // For a row the MATCH does not select, FTS5's rowid seek was seen to return the next matching row
      // instead of nothing: a semantic-only hit then showed another scene's text. Check the row is ours.
      if (row && row.r === id) bySceneId.set(scene_id, row);
    }
    for (const hit of hits) {
      const row = bySceneId.get(hit.sceneId);
      if (!row) continue;
      const fragments = [...fragmentsFromMarked(row.t ?? "", o), ...fragmentsFromMarked(row.c ?? "", o)];
      hit.highlights = pickFragments(fragments, o.maxFragments);
    }
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size > 500) this.statements.clear(); // IN lists of varying length make new SQL
      s = this.db!.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

// ------------------------------------------------------------------------------------------------ helpers

function createSchema(db: Database.Database, model: EmbeddingModelInfo): void {
  db.exec(`
    CREATE TABLE index_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE scenes (
      id INTEGER PRIMARY KEY,
      scene_id TEXT NOT NULL UNIQUE,
      clip_id TEXT NOT NULL,
      clip_title TEXT NOT NULL,
      start_time REAL NOT NULL,
      end_time REAL NOT NULL,
      language TEXT,
      lang TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX scenes_clip ON scenes (clip_id, start_time);
    CREATE VIRTUAL TABLE scenes_fts USING fts5 (text, captions, tokenize = "${FTS_TOKENIZER}");
    CREATE TABLE scene_vectors (id INTEGER PRIMARY KEY);
    CREATE VIRTUAL TABLE scenes_vec USING vec0 (
      id INTEGER PRIMARY KEY,
      shard INTEGER PARTITION KEY,
      embedding float[${model.dimension}] distance_metric=l2,
      clip_id TEXT,
      lang TEXT,
      start_time FLOAT,
      end_time FLOAT
    );
  `);
  const put = db.prepare("INSERT INTO index_meta (key, value) VALUES (?, ?)");
  put.run("modelId", model.modelId);
  put.run("dimension", String(model.dimension));
  put.run("schemaVersion", String(EMBEDDED_SCHEMA_VERSION));
  put.run("shards", String(SHARDS));
  put.run("createdAt", new Date().toISOString());
}

function readMeta(db: Database.Database): SceneIndexMeta | null {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'index_meta'").get();
  if (!exists) return null;
  const rows = db.prepare("SELECT key, value FROM index_meta").all() as Array<{ key: string; value: string }>;
  const m = new Map(rows.map((r) => [r.key, r.value]));
  if (!m.has("modelId")) return null;
  return {
    engine: "embedded",
    modelId: m.get("modelId")!,
    dimension: Number(m.get("dimension")),
    schemaVersion: Number(m.get("schemaVersion")),
    createdAt: m.get("createdAt") ?? "",
  };
}

function checkModel(model: EmbeddingModelInfo): void {
  if (!model.modelId) throw new AppError("BAD_INPUT", "embedding model id is required");
  if (!Number.isInteger(model.dimension) || model.dimension < 1 || model.dimension > 8192) {
    throw new AppError(
      "BAD_INPUT",
      `embedding dimension must be an integer between 1 and 8192, got ${model.dimension}`,
    );
  }
}

/** The vector scaled to unit length; undefined for an all-zero (or non-finite) vector, which has no direction. */
function unitVector(v: Float32Array): Float32Array | undefined {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  if (!(norm > 0) || !Number.isFinite(norm)) return undefined;
  if (Math.abs(norm - 1) < 1e-6) return v;
  const inv = 1 / Math.sqrt(norm);
  return v.map((x) => x * inv);
}

function checkVector(vector: Float32Array, dimension: number): void {
  if (!(vector instanceof Float32Array) || vector.length !== dimension) {
    throw new AppError(
      "BAD_INPUT",
      `query vector must be a Float32Array of length ${dimension}, got ${vector?.length}`,
    );
  }
}

function validate(d: SceneDocument, dimension: number): void {
  if (!d.sceneId || !d.clipId) throw new AppError("BAD_INPUT", "a scene document needs sceneId and clipId");
  if (!Number.isFinite(d.startTime) || !Number.isFinite(d.endTime) || d.endTime < d.startTime) {
    throw new AppError("BAD_INPUT", `scene ${d.sceneId}: invalid time range ${d.startTime}..${d.endTime}`);
  }
  if (d.vector) checkVector(d.vector, dimension);
}

export function primaryLanguage(tag: string | undefined): string {
  return (tag ?? "").split(/[-_]/)[0]!.toLowerCase();
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1)
    throw new AppError("BAD_INPUT", `limit must be a positive integer, got ${limit}`);
  return Math.min(limit, MAX_LIMIT);
}

function fragmentOptions(o: HighlightOptions | undefined): FragmentOptions {
  return {
    preTag: o?.preTag ?? "<mark>",
    postTag: o?.postTag ?? "</mark>",
    encoder: o?.encoder ?? "none",
    fragmentSize: o?.fragmentSize ?? 120,
    maxFragments: o?.maxFragments ?? 3,
  };
}

type SqlPart = { sql: string; params: unknown[] };

function languages(filter: SceneFilter | undefined): string[] | undefined {
  return filter?.languages?.map((l) => primaryLanguage(l)).filter(Boolean);
}

function sceneFilterSql(filter: SceneFilter | undefined, alias: string): SqlPart {
  const parts: string[] = ["1"];
  const params: unknown[] = [];
  if (filter?.clipIds) {
    parts.push(`${alias}.clip_id IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(filter.clipIds));
  }
  const langs = languages(filter);
  if (langs) {
    parts.push(`${alias}.lang IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(langs));
  }
  if (filter?.timeRange?.to !== undefined) {
    parts.push(`${alias}.start_time < ?`);
    params.push(filter.timeRange.to);
  }
  if (filter?.timeRange?.from !== undefined) {
    parts.push(`${alias}.end_time > ?`);
    params.push(filter.timeRange.from);
  }
  return { sql: parts.join(" AND "), params };
}

/** vec0 metadata constraints (applied inside the kNN scan). IN lists are inlined as bound parameters. */
function vecFilterSql(filter: SceneFilter | undefined): SqlPart {
  let sql = "";
  const params: unknown[] = [];
  const inList = (column: string, values: string[]) => {
    if (values.length === 0) {
      sql += " AND 0";
      return;
    }
    sql += ` AND ${column} IN (${values.map(() => "?").join(", ")})`;
    params.push(...values);
  };
  if (filter?.clipIds) inList("clip_id", [...new Set(filter.clipIds)]);
  const langs = languages(filter);
  if (langs) inList("lang", [...new Set(langs)]);
  if (filter?.timeRange?.to !== undefined) {
    sql += " AND start_time < ?";
    params.push(filter.timeRange.to);
  }
  if (filter?.timeRange?.from !== undefined) {
    sql += " AND end_time > ?";
    params.push(filter.timeRange.from);
  }
  return { sql, params };
}
