// The default SceneIndex: a SQLite file of its own beside the database (config.searchFile,
// <dataDir>/search.db), in WAL mode, plus an ANN snapshot beside it (usearch.ann-index.ts):
//   - scenes:         one row per scene (metadata for filters), rowid `id` stable across upserts; indexes on
//                     clip, language and start time, so that every filter is answered from an index
//   - scenes_fts:     FTS5 (porter + unicode61) over dialogue and captions: the stored text (highlights) and
//                     the tokenizer; CJK handled by segmenting ourselves (see text-analysis.ts)
//   - kw_*:           impact-ordered postings answering top-k BM25 without scoring every match, with FTS5's
//                     bm25() scores (impact.keyword-index.ts); a query phrase they do not hold (a
//                     multi-word Thai phrase) is answered by FTS5's bm25() over every match instead
//   - scene_vectors:  the float32 unit vectors (the truth for scores) with the change sequence number `seq`
//                     of the write that stored them; vector_deletes: (seq, id) of vectors removed
//   - the ANN graph:  HNSW over int8 copies of the vectors, in memory, kept in step by replaying the changes
//                     after its `seq` before every vector search (one indexed read when nothing changed), so
//                     writes from another process (`cinerag ingest` while `cinerag serve` runs) are seen too;
//                     saved as a snapshot every `snapshotEvery` changes and on close, reloaded at open, and
//                     rebuilt from scene_vectors when missing or damaged (derived data)
// kNN: the graph proposes candidates, re-scored exactly from scene_vectors (score = cosine). Below
// `exactMax` vectors (the whole index, or the scenes a filter selects) the scan is exact and the graph is
// not used. A filter either selects few scenes (up to FILTER_EXACT_MAX), found through the scenes indexes and
// scanned exactly, or many, and then the graph's candidates are over-fetched (x8, x32, ... up to
// FILTER_DEPTH_MAX) and filtered; neither reads every vector. Keyword search under a filter works the same
// way: few scenes are scored directly, many are checked as the postings propose them.
// The keyword side of a hybrid search on a large index (keywordThreadFrom, 100k scenes) is shared with a
// worker thread that has a connection of its own (keyword.worker.ts): both walk the same postings, each
// scoring the scenes of its share of the ids, and their tops are merged; this thread searches the graph
// first and then scores the smaller share. better-sqlite3 and usearch are synchronous: on one thread every
// part of a search waits for the others, and the scoring was most of a keyword search. A keyword search
// alone stays on this thread (see SHARES).
// Highlights: highlight() runs over a temporary FTS5 table holding only the returned scenes' text, not
// the index with a rowid constraint: `MATCH ? AND rowid = ?` answered differently between SQLite builds
// (3.53 returned the next matching row, so only the lowest rowids got highlights; issue #13).
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { AppError } from "../errors/app-error.js";
import { WorkerClient, workerScript } from "../util/worker-client.js";
import { dot } from "../util/vector-math.js";
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
  type EmbeddingModelInfo,
  type HighlightOptions,
  type HybridSearchOptions,
  type SceneDocument,
  type SceneIndexFilter,
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
  queryPhrases,
  segmentForIndex,
  toFtsQuery,
  type FragmentOptions,
} from "./text-analysis.js";
import { AnnIndex, removeSnapshots, type AnnParams } from "./usearch.ann-index.js";
import {
  ImpactKeywordIndex,
  KEYWORD_META,
  KEYWORD_SCHEMA,
  KEYWORD_TABLES,
  createScratch,
  splitPostingsByLanguage,
  textTermLists,
  inShare,
  mergeShares,
  noKeywordCost,
  type KeywordCost,
  type KeywordDoc,
  type KeywordPart,
  type KeywordShare,
  type ScoredId,
} from "./impact.keyword-index.js";

export interface EmbeddedSceneIndexOptions {
  /** the SQLite file (config.searchFile); ":memory:" for tests */
  file: string;
  /** the configured embedding model; the index refuses to open with another one */
  model: EmbeddingModelInfo;
  /** BM25 column weights (text, captions); default [1, 0.5] */
  columnWeights?: [number, number];
  /** vector sets up to this size are scanned exactly instead of through the ANN graph; default 1000 */
  exactMax?: number;
  /**
   * a filter selecting up to this many scenes is answered by scoring them all (vectors and keywords);
   * above it, the graph's or the postings' candidates are checked against it; default 2000
   */
  filterExactMax?: number;
  /**
   * postings one keyword search reads at most; default 4096. The top k is exact whenever it is certified
   * within it (the bench prints how often it is not, and the overlap with the exact ranking); past it the
   * search returns the best of what it read, so its cost stays bounded however many scenes match.
   * Infinity: always exact.
   */
  keywordBudget?: number;
  /**
   * SQLite's page cache of each connection (this one and the keyword thread's), MiB; default 256. SQLite
   * memory-maps at most the first 2 GiB of the file; the pages after are read through this cache (see CACHE_MIB)
   */
  cacheMiB?: number;
  /** HNSW parameters */
  ann?: AnnParams;
  /** changes after which the ANN snapshot is rewritten; default 20% of the index, at least 1000 */
  snapshotEvery?: number;
  /**
   * from this many scenes, the keyword side of a hybrid search not filtered to clips is shared between this
   * thread and a worker thread with a connection of its own to the same file, each scoring its share of the
   * scenes; default 100 000 (below it a keyword search takes a millisecond or two, less than the hand-over);
   * Infinity: never
   */
  keywordThreadFrom?: number;
  /** the keyword thread's script; default keywordWorkerScript() (tests give another) */
  keywordThreadScript?: URL;
}

/** What the keyword thread is asked: its share of one keyword search. */
export interface KeywordThreadRequest {
  query: string;
  depth: number;
  filter: SceneIndexFilter | undefined;
  share: KeywordShare;
}

/** The keyword thread's script (see workerScript); undefined without a build: hybrid search stays on one thread. */
export function keywordWorkerScript(): URL | undefined {
  return workerScript(import.meta.url, "keyword.worker.js");
}

/**
 * The embedded index's own schema version (stored in index_meta; a different one asks for a reindex).
 * 1: cosine vec0 table. 2: L2 over unit vectors, 4 vec0 partitions. 3: vectors as blobs + HNSW graph.
 * 4: impact-ordered keyword postings (kw_terms, kw_docs, kw_postings).
 */
export const EMBEDDED_SCHEMA_VERSION = 4;
export const MMAP_SIZE = 2 ** 31 - 65536; // SQLite's default SQLITE_MAX_MMAP_SIZE; larger values are clamped

type Row = { id: number; scene_id: string; clip_id: string };
type Scored = { id: number; similarity: number };

const DEPTH_MAX = 4096; // deepest ranked list (keyword or kNN) asked for
const OVERFETCH = [8, 32, 128, 512, 2048]; // graph candidates per wanted hit, tried in turn under a filter
const FILTER_DEPTH_MAX = 32_768; // deepest graph search under a filter
const FILTER_EXACT_MAX = 2000; // default of options.filterExactMax
// default of options.keywordBudget. At 1M scenes (bench:search, M 32 / ef 1024, postings split by language):
// 4096 gives keyword overlap@10 0.905 (language-filtered 0.992) and hybrid recall@10 0.959 (fr 0.998,
// en+time 0.954) at hybrid p95 49 ms (fr 69 ms, en+time 52 ms). Before the split by language, a language
// filter read other languages' postings against the same budget: fr overlap 0.805, hybrid fr 0.923.
const KEYWORD_BUDGET = 4096;
// default of options.cacheMiB. At 1M scenes the file is 4.6 GB and its tables are interleaved through it, so
// about half of a keyword search's random reads of kw_docs fall past the 2 GiB that SQLite maps (its
// SQLITE_MAX_MMAP_SIZE) and were read with a system call each when the 64 MiB cache missed. bench:search,
// 1M scenes, 64 -> 256 MiB: keyword p50 28.0 -> 22.8 ms, hybrid p50 36.7 -> 31.0 ms, p95 56.7 -> 47.5 ms.
const CACHE_MIB = 256;
// unfiltered kNN re-scores at least this many graph candidates exactly: the graph ranks by i8 vectors, and
// it searched a list at least this long (expansion_search, 1024), so a longer cut costs only the re-scoring
// (at 1M clustered scenes, 64 gave recall@10 0.899)
const RESCORED_MIN = 256;
const FILTER_PASSING = 4; // under a filter, the graph is searched until this many candidates per wanted hit pass
// default of options.keywordThreadFrom. At 1M scenes a keyword search of 2-4 common words scores ~2 800 scenes
// (~17 ms of its ~20); scored in two halves, each half took 0.65x of the whole at p50 (scratch run, one thread,
// the same 300 answers)
const KEYWORD_THREAD_FROM = 100_000;
// shares of the scenes, by id % SHARES: an unfiltered (or time-filtered) hybrid search scores HYBRID_HERE of
// them here after its graph search while the keyword thread scores the rest; under a language filter the
// thread scores them all, since there the keyword side (1M: p50 8 ms for fr) costs no more than the filtered
// graph search (9 ms). bench:search at 1M, shared / one thread: unfiltered hybrid p50 0.64-0.80x (the whole
// side on the thread: 1.03-1.10x); fr p50 1.01-1.05x shared, en+time 0.75-0.77x (the whole side on the
// thread, session 12: en+time 0.53-0.66x). A keyword search alone stays on this thread: split in halves with
// the thread its p50 fell to 0.67-0.73x but its p95 rose to 1.03-1.30x (language-filtered 1.37-1.47x: the
// hand-over and the slower of two halves)
const SHARES = 6;
const HYBRID_HERE = 2;

export class EmbeddedSceneIndex implements SceneIndex {
  readonly engine = "embedded" as const;
  private db: Database.Database | undefined;
  private model: EmbeddingModelInfo;
  private ready: SceneIndexMeta | undefined;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly weights: [number, number];
  private readonly exactMax: number;
  private readonly filterExactMax: number;
  private ann: AnnIndex | undefined;
  private readonly keywords: ImpactKeywordIndex;
  /** the sequence number of this process's open write transaction (one per transaction) */
  private writeSeq: number | undefined;
  private keywordThreadFrom: number;
  private keywordThread: WorkerClient<KeywordThreadRequest, KeywordPart> | undefined;
  /** where the last keyword search (or hybrid search's keyword side) ran: shared with the thread or here */
  lastKeywordSide: "thread" | "here" | "none" = "none";
  private keywordCost: KeywordCost = noKeywordCost();

  constructor(private readonly options: EmbeddedSceneIndexOptions) {
    this.model = { ...options.model };
    this.weights = options.columnWeights ?? [1, 0.5];
    this.exactMax = options.exactMax ?? 1000;
    this.filterExactMax = options.filterExactMax ?? FILTER_EXACT_MAX;
    this.keywordThreadFrom = options.keywordThreadFrom ?? KEYWORD_THREAD_FROM;
    this.keywords = new ImpactKeywordIndex(
      (sql) => this.stmt(sql),
      this.weights,
      options.keywordBudget ?? KEYWORD_BUDGET,
    );
    checkModel(this.model);
  }

  // ---------------------------------------------------------------------------------------------- lifecycle

  init(): Promise<SceneIndexMeta> {
    return settle(() => {
      return this.initSync();
    });
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
    checkStoredModel(`the search index (${this.options.file})`, stored, this.model, EMBEDDED_SCHEMA_VERSION);
    coverTimeIndex(db);
    splitPostingsByLanguage(db, "SELECT id, lang FROM scenes");
    textTermLists(db);
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
      // allocated as pages are read, so a small index never fills it
      db.pragma(`cache_size = -${Math.round((this.options.cacheMiB ?? CACHE_MIB) * 1024)}`);
      db.pragma(`mmap_size = ${MMAP_SIZE}`);
      // the highlighter: a scratch FTS5 table with the index's tokenizer, private to this connection
      db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.hl USING fts5 (text, captions, tokenize = "${FTS_TOKENIZER}")`);
      createScratch(db); // the keyword postings' tokenizer, private to this connection too
      this.db = db;
      return db;
    } catch (error) {
      throw new AppError(
        "SEARCH_UNAVAILABLE",
        `cannot open the search index ${this.options.file}: ${(error as Error).message}`,
        { file: this.options.file },
      );
    }
  }

  meta(): Promise<SceneIndexMeta | null> {
    return settle(() => {
      return readMeta(this.open());
    });
  }

  reset(modelId: string, dimension: number): Promise<void> {
    return settle(() => {
      const model = { modelId, dimension };
      checkModel(model);
      const db = this.open();
      this.statements.clear();
      this.keywords.forget();
      this.ann = undefined;
      this.stopKeywordThread(); // its connection holds the old schema and model
      db.transaction(() => {
        db.exec(
          "DROP TABLE IF EXISTS scenes_vec; DROP TABLE IF EXISTS scenes_fts; DROP TABLE IF EXISTS scene_vectors; " +
            "DROP TABLE IF EXISTS vector_deletes; DROP TABLE IF EXISTS scenes; DROP TABLE IF EXISTS index_meta;" +
            KEYWORD_TABLES.map((t) => ` DROP TABLE IF EXISTS ${t};`).join(""),
        );
        createSchema(db, model);
      }).immediate();
      removeSnapshots(this.options.file);
      this.model = model;
      this.ready = undefined;
      this.initSync();
    });
  }

  engineVersion(): Promise<string> {
    return settle(() => {
      const row = this.open().prepare("SELECT sqlite_version() AS v").get() as { v: string };
      return `SQLite ${row.v} (FTS5, usearch)`;
    });
  }

  ping(): Promise<boolean> {
    return settle(() => {
      try {
        this.open().prepare("SELECT 1").get();
        return true;
      } catch {
        return false;
      }
    });
  }

  close(): Promise<void> {
    this.stopKeywordThread();
    return settle(() => {
      try {
        if (this.ann && this.ann.unsaved > 0 && this.db) {
          this.syncAnn();
          this.ann.save(this.options.file);
        }
      } catch {
        // a snapshot is an optimisation: the next open rebuilds or replays what is missing
      }
      this.ann = undefined;
      this.statements.clear();
      this.db?.close();
      this.db = undefined;
      this.ready = undefined;
    });
  }

  // ---------------------------------------------------------------------------------------------- writes

  upsert(docs: SceneDocument[]): Promise<void> {
    return settle(() => {
      this.upsertSync(docs);
    });
  }

  /** Synchronous upsert, one transaction (for batch builders such as the bench). */
  upsertSync(docs: SceneDocument[]): void {
    const { dimension } = this.initSync();
    const vectors = docs.map((d) => documentVector(d, dimension)); // every document checked before any write
    const upsertScene = this.stmt(
      `INSERT INTO scenes(scene_id, clip_id, clip_title, start_time, end_time, language, lang) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(scene_id) DO UPDATE SET clip_id = excluded.clip_id, clip_title = excluded.clip_title,
         start_time = excluded.start_time, end_time = excluded.end_time, language = excluded.language, lang = excluded.lang
       RETURNING id`,
    );
    const delFts = this.stmt("DELETE FROM scenes_fts WHERE rowid = ?");
    const insFts = this.stmt("INSERT INTO scenes_fts(rowid, text, captions) VALUES (?, ?, ?)");
    const putVector = this.stmt(
      "INSERT INTO scene_vectors(id, embedding, seq) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET embedding = excluded.embedding, seq = excluded.seq",
    );
    this.writeTransaction(() => {
      let longest = 0;
      const keywordDocs: KeywordDoc[] = [];
      docs.forEach((d, i) => {
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
        longest = Math.max(longest, d.endTime - d.startTime);
        delFts.run(id);
        const text = segmentForIndex(d.text);
        const captions = d.captions ? segmentForIndex(d.captions) : null;
        insFts.run(id, text, captions);
        keywordDocs.push({ id, text, captions, lang });
        const unit = vectors[i];
        if (unit) putVector.run(id, Buffer.from(unit.buffer, unit.byteOffset, unit.byteLength), this.nextSeq());
        else this.deleteVector(id);
      });
      this.keywords.write(keywordDocs);
      // the time-range filter bounds start_time from below with this (an index range, not a scan)
      this.stmt("UPDATE index_meta SET value = max(value, ?) WHERE key = 'longestScene'").run(longest);
    });
  }

  delete(sceneIds: string[]): Promise<void> {
    return settle(() => {
      this.initSync();
      const find = this.stmt("SELECT id FROM scenes WHERE scene_id = ?");
      this.writeTransaction(() => {
        for (const sceneId of sceneIds) {
          const row = find.get(sceneId) as { id: number } | undefined;
          if (row) this.deleteRow(row.id);
        }
      });
    });
  }

  deleteClip(clipId: string): Promise<void> {
    return settle(() => {
      this.initSync();
      const ids = this.stmt("SELECT id FROM scenes WHERE clip_id = ?").pluck().all(clipId) as number[];
      this.writeTransaction(() => {
        for (const id of ids) this.deleteRow(id);
      });
    });
  }

  private deleteRow(id: number): void {
    this.stmt("DELETE FROM scenes_fts WHERE rowid = ?").run(id);
    this.keywords.remove([id]);
    this.deleteVector(id);
    this.stmt("DELETE FROM scenes WHERE id = ?").run(id);
  }

  private deleteVector(id: number): void {
    if (this.stmt("DELETE FROM scene_vectors WHERE id = ? RETURNING id").get(id))
      this.stmt("INSERT INTO vector_deletes(seq, id) VALUES (?, ?)").run(this.nextSeq(), id);
  }

  /** An immediate write transaction; the vector changes in it share one sequence number. */
  private writeTransaction(fn: () => void): void {
    this.db!.transaction(() => {
      try {
        fn();
      } catch (error) {
        this.keywords.forget(); // term ids created in the rolled-back transaction
        throw error;
      } finally {
        this.writeSeq = undefined;
      }
    }).immediate();
  }

  private nextSeq(): number {
    if (this.writeSeq === undefined) {
      this.writeSeq = (this.stmt("SELECT value FROM index_meta WHERE key = 'vectorSeq'").pluck().get() as number) + 1;
      this.stmt("UPDATE index_meta SET value = ? WHERE key = 'vectorSeq'").run(this.writeSeq);
    }
    return this.writeSeq;
  }

  // ---------------------------------------------------------------------------------------------- ANN upkeep

  /**
   * Brings the in-memory graph up to the committed vectors: loads the snapshot (or starts empty), then
   * replays the deletes and upserts after its sequence number. Returns the graph.
   */
  syncAnn(): AnnIndex {
    const meta = this.initSync();
    const db = this.db!;
    const identity = { modelId: meta.modelId, dimension: meta.dimension, createdAt: meta.createdAt };
    const pruned = Number(this.stmt("SELECT value FROM index_meta WHERE key = 'deletesPrunedThrough'").pluck().get());
    if (this.ann && this.ann.applied < pruned) this.ann = undefined; // too far behind: reload
    this.ann ??= AnnIndex.load(this.options.file, identity, this.options.ann);
    if (this.ann && this.ann.applied < pruned) this.ann = undefined;
    this.ann ??= new AnnIndex(identity, this.options.ann);
    const ann = this.ann;
    const head = Number(this.stmt("SELECT value FROM index_meta WHERE key = 'vectorSeq'").pluck().get());
    if (head <= ann.applied) return ann;
    // one read transaction: the replay sees exactly the changes up to `head`
    db.transaction(() => {
      const from = ann.applied;
      const deleted = this.stmt("SELECT DISTINCT id FROM vector_deletes WHERE seq > ? AND seq <= ?")
        .pluck()
        .all(from, head) as number[];
      ann.remove(deleted);
      // a first build reads the table in rowid order; a catch-up reads through the seq index
      const rows = this.stmt(
        from === 0
          ? "SELECT id, embedding FROM scene_vectors WHERE seq <= ?"
          : "SELECT id, embedding FROM scene_vectors WHERE seq > ? AND seq <= ?",
      ).iterate(...(from === 0 ? [head] : [from, head])) as IterableIterator<{ id: number; embedding: Buffer }>;
      const chunk = 20_000;
      const dim = meta.dimension;
      let keys: number[] = [];
      let block = new Float32Array(chunk * dim);
      for (const r of rows) {
        block.set(asFloats(r.embedding), keys.length * dim);
        keys.push(r.id);
        if (keys.length === chunk) {
          ann.add(keys, block);
          keys = [];
          block = new Float32Array(chunk * dim);
        }
      }
      ann.add(keys, block.subarray(0, keys.length * dim));
    })();
    ann.applied = head;
    if (ann.unsaved >= (this.options.snapshotEvery ?? Math.max(1000, Math.floor(ann.size / 5)))) this.saveAnn();
    return ann;
  }

  /** Writes the ANN snapshot now and forgets the deletes it contains. */
  saveAnn(): void {
    const ann = this.ann;
    if (!ann || !ann.save(this.options.file)) return;
    this.writeTransaction(() => {
      this.stmt("DELETE FROM vector_deletes WHERE seq <= ?").run(ann.applied);
      this.stmt("UPDATE index_meta SET value = max(value, ?) WHERE key = 'deletesPrunedThrough'").run(ann.applied);
    });
  }

  // ---------------------------------------------------------------------------------------------- reads

  count(filter?: SceneIndexFilter): Promise<number> {
    return settle(() => {
      this.initSync();
      const where = this.sceneFilterSql(filter, "s");
      return this.stmt(`SELECT count(*) FROM scenes s WHERE ${where.sql}`)
        .pluck()
        .get(...where.params) as number;
    });
  }

  keywordSearch(query: string, options: SearchOptions = {}): Promise<SceneHit[]> {
    return settle(() => {
      this.initSync();
      const fts = toFtsQuery(query);
      if (!fts) return [];
      const hits = this.keywordHits(this.keywordAlone(query, clampLimit(options.limit), options.filter));
      this.addHighlights(hits, fts, options.highlight);
      return hits;
    });
  }

  /**
   * The same ranking computed by FTS5's bm25() over every matching scene: the reference the postings are
   * measured against (bench, tests), and the path for phrases the postings do not hold.
   */
  keywordSearchExact(query: string, options: SearchOptions = {}): Promise<SceneHit[]> {
    return settle(() => {
      this.initSync();
      const fts = toFtsQuery(query);
      if (!fts) return [];
      const hits = this.keywordHits(this.bm25(fts, clampLimit(options.limit), options.filter));
      this.addHighlights(hits, fts, options.highlight);
      return hits;
    });
  }

  vectorSearch(vector: Float32Array, options: SearchOptions = {}): Promise<SceneHit[]> {
    return settle(() => {
      const { dimension } = this.initSync();
      const unit = queryVector(vector, dimension);
      if (!unit) return [];
      return aboveFloor(this.knn(unit, clampLimit(options.limit), options.filter), options.minSimilarity);
    });
  }

  async hybridSearch(query: string, vector: Float32Array, options: HybridSearchOptions = {}): Promise<SceneHit[]> {
    const { dimension } = this.initSync();
    const unit = queryVector(vector, dimension);
    const limit = clampLimit(options.limit);
    const depth = hybridDepth(limit, options.candidates, DEPTH_MAX);
    const fts = toFtsQuery(query);
    const filter = options.filter;
    const graph = () => (unit ? aboveFloor(this.knn(unit, depth, filter), options.minSimilarity) : []);
    let keyword: ScoredId[] = [];
    let semantic: SceneHit[];
    if (!fts) [semantic, this.lastKeywordSide] = [graph(), "none"];
    else if (!unit) [keyword, semantic] = [this.keywordAlone(query, depth, filter), []];
    else [keyword, semantic] = await this.keywordBeside(query, depth, filter, graph);
    const fused = fuseHybrid(this.keywordHits(keyword), semantic, limit, options.rrfK);
    // highlights only for what is returned; semantic-only hits get them too when the terms occur in them
    if (fts) this.addHighlights(fused, fts, options.highlight);
    return fused;
  }

  /** The keyword ranking of a query that has terms (scored ids, best first), all of it on this thread. */
  private keywordAlone(query: string, depth: number, filter: SceneIndexFilter | undefined): ScoredId[] {
    const part = this.keywordPart(query, depth, filter, undefined);
    [this.keywordCost, this.lastKeywordSide] = [part.cost, "here"];
    return part.scored;
  }

  /**
   * The keyword ranking of a hybrid search (scored ids, best first) and its graph search's hits: on a large
   * index the keyword thread scores its share of the scenes while this thread runs `graph` and then scores
   * hybridHere() sixths of the ids (none: the thread scores all); the two tops are merged. A thread that
   * fails (stopped, closed) leaves its share to this one, which gives the same answer or the same error. The
   * two shares are read in transactions of their own: under a concurrent write they may come from two
   * snapshots, as a hybrid search's graph and keyword sides always could.
   */
  private async keywordBeside(
    query: string,
    depth: number,
    filter: SceneIndexFilter | undefined,
    graph: () => SceneHit[],
  ): Promise<[ScoredId[], SceneHit[]]> {
    const thread = this.keywordThreadFor(filter);
    if (!thread) {
      const semantic = graph();
      return [this.keywordAlone(query, depth, filter), semantic];
    }
    const here = hybridHere(filter);
    const theirs: KeywordShare = { of: SHARES, from: here, to: SHARES };
    const away = thread.call({ query, depth, filter, share: theirs });
    let semantic: SceneHit[];
    let mine: KeywordPart;
    try {
      semantic = graph();
      mine =
        here > 0
          ? this.keywordPart(query, depth, filter, { of: SHARES, from: 0, to: here })
          : { scored: [], cost: noKeywordCost() };
    } catch (error) {
      away.catch(() => undefined); // its answer no longer matters
      throw error;
    }
    let side: typeof this.lastKeywordSide = "thread";
    const other = await away.catch(() => {
      if (!this.db) throw new AppError("SEARCH_UNAVAILABLE", "the search index was closed during the search");
      side = "here";
      return this.keywordPart(query, depth, filter, theirs);
    });
    const merged = mergeShares(mine, other, Math.min(depth, DEPTH_MAX));
    [this.keywordCost, this.lastKeywordSide] = [merged.cost, side];
    return [merged.scored, semantic];
  }

  /**
   * One share of a keyword search (all of it without one), unfused and without highlights: what the keyword
   * thread answers. Its own read transaction.
   */
  keywordPart(
    query: string,
    depth: number,
    filter: SceneIndexFilter | undefined,
    share: KeywordShare | undefined,
  ): KeywordPart {
    this.initSync();
    const fts = toFtsQuery(query);
    if (!fts) return { scored: [], cost: noKeywordCost() };
    const scored = this.keywordTop(query, fts, Math.min(depth, DEPTH_MAX), filter, share);
    return { scored, cost: { ...this.keywords.lastCost } };
  }

  /** Changes the size from which hybrid search uses the keyword thread (benchmark: both ways in one run). */
  useKeywordThreadFrom(scenes: number): number {
    const before = this.keywordThreadFrom;
    this.keywordThreadFrom = scenes;
    return before;
  }

  /**
   * The keyword thread when a search gains from it, started at first use: on a large index, not under a clip
   * filter (a clip's few scenes are scored in a millisecond or two, less than the hand-over: at 1M scenes a
   * one-clip hybrid search took p95 1.9-3.9x as long with the thread).
   */
  private keywordThreadFor(
    filter: SceneIndexFilter | undefined,
  ): WorkerClient<KeywordThreadRequest, KeywordPart> | undefined {
    if (this.options.file === ":memory:" || !Number.isFinite(this.keywordThreadFrom)) return undefined;
    if (filter?.clipIds !== undefined) return undefined;
    // the highest rowid: an upper bound of the scene count read in one B-tree descent (count(*) scans)
    const scenes = (this.stmt("SELECT max(id) FROM scenes").pluck().get() as number | null) ?? 0;
    if (scenes < this.keywordThreadFrom) return undefined;
    if (this.keywordThread) return this.keywordThread;
    const script = this.options.keywordThreadScript ?? keywordWorkerScript();
    if (!script) return undefined;
    // the options a worker can be handed (plain data), with the model this index holds now
    const { file, columnWeights, exactMax, filterExactMax, keywordBudget, cacheMiB } = this.options;
    const options: EmbeddedSceneIndexOptions = {
      file,
      model: this.model,
      columnWeights,
      exactMax,
      filterExactMax,
      keywordBudget,
      cacheMiB,
      keywordThreadFrom: Infinity,
    };
    this.keywordThread = new WorkerClient(script, options, "the keyword search thread", "SEARCH_UNAVAILABLE");
    return this.keywordThread;
  }

  private stopKeywordThread(): void {
    const thread = this.keywordThread;
    this.keywordThread = undefined;
    // its pending calls fail and their searches run here instead (see hybridSearch)
    void thread?.close(new AppError("CANCELLED", "the search index was closed"));
  }

  /**
   * Top-k BM25 from the impact-ordered postings. Under a filter that selects few scenes, those are scored
   * directly; under a broader one, candidates are checked against it as the postings propose them.
   */
  private keywordTop(
    query: string,
    fts: string,
    limit: number,
    filter: SceneIndexFilter | undefined,
    share: KeywordShare | undefined,
  ): ScoredId[] {
    // one read transaction: the postings, counts and documents read in blocks all come from one snapshot,
    // whatever another process commits meanwhile
    return this.db!.transaction(() => this.keywordTopIn(query, fts, limit, filter, share))();
  }

  private keywordTopIn(
    query: string,
    fts: string,
    limit: number,
    filter: SceneIndexFilter | undefined,
    share: KeywordShare | undefined,
  ): ScoredId[] {
    const terms = this.keywords.queryTerms(queryPhrases(query));
    if (!terms) {
      // FTS5's bm25() ranks every match at once: not shared, the share that starts at 0 answers it whole
      this.keywords.lastCost = noKeywordCost();
      return share && share.from > 0 ? [] : this.bm25(fts, limit, filter);
    }
    if (!hasFilter(filter)) return this.keywords.topK(terms, limit, { share });
    const where = this.sceneFilterSql(filter, "s");
    const few = this.stmt(`SELECT s.id FROM scenes s WHERE ${where.sql} LIMIT ?`)
      .pluck()
      .all(...where.params, this.filterExactMax + 1) as number[];
    if (few.length <= this.filterExactMax)
      return this.keywords.scoreAll(
        terms,
        few.filter((id) => inShare(id, share)),
        limit,
      );
    // the postings are split by language: a language filter is met by reading only its lists, and the rest
    // of the filter (clips, time) is checked on the candidates
    const langs = filterLanguages(filter);
    const rest = { ...filter, languages: undefined };
    if (!hasFilter(rest)) return this.keywords.topK(terms, limit, { langs, share });
    const restSql = this.sceneFilterSql(rest, "s");
    const check = this.stmt(
      `SELECT s.id FROM scenes s WHERE s.id IN (SELECT value FROM json_each(?)) AND ${restSql.sql}`,
    );
    const accept = (ids: number[]) => new Set(check.pluck().all(JSON.stringify(ids), ...restSql.params) as number[]);
    return this.keywords.topK(terms, limit, { langs, share, accept });
  }

  /** How many scenes a free-text query matches (what a full BM25 would score; benchmark, tests). */
  countKeywordMatches(query: string): number {
    this.initSync();
    const fts = toFtsQuery(query);
    if (!fts) return 0;
    return this.stmt("SELECT count(*) FROM scenes_fts WHERE scenes_fts MATCH ?").pluck().get(fts) as number;
  }

  /** What the last keyword search read from the postings, both shares together (benchmark, tests). */
  get lastKeywordCost(): KeywordCost {
    return { ...this.keywordCost };
  }

  private keywordHits(scored: ScoredId[]): SceneHit[] {
    return this.hitsFor(scored, ["KEYWORD"]);
  }

  /**
   * BM25 over FTS5, filters joined on the scenes table; score = -bm25() (higher is better), best first, ties
   * cut by rowid as the postings cut them (keywordHits shows them by scene id).
   */
  private bm25(fts: string, limit: number, filter: SceneIndexFilter | undefined): ScoredId[] {
    const where = this.sceneFilterSql(filter, "s");
    const [wText, wCaptions] = this.weights;
    const sql =
      where.params.length === 0
        ? // no filter: rank and cut in FTS5 alone
          `SELECT rowid AS id, bm25(scenes_fts, ${wText}, ${wCaptions}) AS bm FROM scenes_fts
           WHERE scenes_fts MATCH ? ORDER BY bm, rowid LIMIT ?`
        : `SELECT s.id, bm25(scenes_fts, ${wText}, ${wCaptions}) AS bm
           FROM scenes_fts JOIN scenes s ON s.id = scenes_fts.rowid
           WHERE scenes_fts MATCH ? AND ${where.sql}
           ORDER BY bm, s.id LIMIT ?`;
    const params = where.params.length === 0 ? [fts, limit] : [fts, ...where.params, limit];
    const rows = this.stmt(sql).all(...params) as Array<{ id: number; bm: number }>;
    return rows.map((r) => ({ id: r.id, score: -r.bm }));
  }

  /** The k nearest scenes (that pass the filter) to a unit vector, by exact cosine. */
  private knn(unit: Float32Array, k: number, filter: SceneIndexFilter | undefined): SceneHit[] {
    k = Math.min(k, DEPTH_MAX);
    const ann = this.syncAnn();
    let scored: Scored[];
    if (!hasFilter(filter)) {
      scored =
        ann.size <= this.exactMax
          ? this.exactOver(unit, k, "SELECT id, embedding FROM scene_vectors", [])
          : this.rescore(
              unit,
              ann.search(unit, Math.max(4 * k, RESCORED_MIN)).map((c) => c.id),
              k,
            );
    } else {
      scored = this.filteredKnn(ann, unit, k, filter!);
    }
    return this.toHits(scored, ["SEMANTIC"]);
  }

  private filteredKnn(ann: AnnIndex, unit: Float32Array, k: number, filter: SceneIndexFilter): Scored[] {
    const where = this.sceneFilterSql(filter, "s");
    const selected = `SELECT v.id, v.embedding FROM scenes s JOIN scene_vectors v ON v.id = s.id WHERE ${where.sql}`;
    // few scenes pass: scan them exactly (found through the scenes indexes, LIMIT bounds the cost)
    const few = this.stmt(`SELECT count(*) FROM (SELECT 1 FROM scenes s WHERE ${where.sql} LIMIT ?)`)
      .pluck()
      .get(...where.params, this.filterExactMax + 1) as number;
    if (few <= this.filterExactMax || ann.size <= this.exactMax) return this.exactOver(unit, k, selected, where.params);
    // many pass (more than filterExactMax, so at least that share of the graph): its nearest candidates,
    // over-fetched, filtered; a search deep enough holds k of them unless the filter's scenes all lie far
    // from the query, and then the best the deepest search found are returned (no scan of the filter)
    let passing: number[] = [];
    let want = 0;
    for (const factor of OVERFETCH) {
      // a search ranks its whole list (ann.breadth) whatever it is asked for: all of it is checked, so that a
      // filter passed by one scene in ten needs one search, not three growing ones (at 1M scenes, a 10%
      // language: semantic p50 8.7 ms, under the unfiltered 11 ms; hybrid p50 33 -> 24 ms)
      const deeper = Math.min(FILTER_DEPTH_MAX, Math.max(k * factor, ann.breadth));
      if (deeper <= want) continue;
      want = deeper;
      const candidates = ann.search(unit, want).map((c) => c.id);
      passing = this.stmt(`SELECT s.id FROM scenes s WHERE s.id IN (SELECT value FROM json_each(?)) AND ${where.sql}`)
        .pluck()
        .all(JSON.stringify(candidates), ...where.params) as number[];
      // k passing would do if the graph ranked exactly; its order among far candidates is rough, so a few
      // times k are re-scored exactly
      if (passing.length >= FILTER_PASSING * k || want >= ann.size || want === FILTER_DEPTH_MAX) break;
    }
    return this.rescore(unit, passing, k);
  }

  /** Exact cosine of the given scenes' stored vectors; the k best. */
  private rescore(unit: Float32Array, ids: number[], k: number): Scored[] {
    if (ids.length === 0) return [];
    return this.exactOver(
      unit,
      k,
      "SELECT id, embedding FROM scene_vectors WHERE id IN (SELECT value FROM json_each(?))",
      [JSON.stringify(ids)],
    );
  }

  /** Exact top-k over the (id, embedding) rows a query returns. */
  private exactOver(unit: Float32Array, k: number, sql: string, params: unknown[]): Scored[] {
    const best: Scored[] = [];
    for (const r of this.stmt(sql).iterate(...params) as IterableIterator<{ id: number; embedding: Buffer }>) {
      const similarity = dot(unit, asFloats(r.embedding));
      if (best.length === k && similarity <= best[k - 1]!.similarity) continue;
      let i = best.length < k ? best.length : k - 1;
      best[i] = { id: r.id, similarity };
      while (i > 0 && best[i - 1]!.similarity < best[i]!.similarity) {
        [best[i - 1], best[i]] = [best[i]!, best[i - 1]!];
        i--;
      }
    }
    return best;
  }

  private toHits(scored: Scored[], matchedBy: SceneHit["matchedBy"]): SceneHit[] {
    return this.hitsFor(
      scored.map((s) => ({ id: s.id, score: Math.min(1, s.similarity) })),
      matchedBy,
    );
  }

  /** the scenes of scored rows, best first (ties by scene id), as hits without highlights */
  private hitsFor(scored: ScoredId[], matchedBy: SceneHit["matchedBy"]): SceneHit[] {
    if (scored.length === 0 || !this.db) return [];
    const rows = this.stmt("SELECT id, scene_id, clip_id FROM scenes WHERE id IN (SELECT value FROM json_each(?))").all(
      JSON.stringify(scored.map((s) => s.id)),
    ) as Row[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return scored
      .filter((s) => byId.has(s.id))
      .map((s) => ({ row: byId.get(s.id)!, score: s.score }))
      .sort((a, b) => b.score - a.score || (a.row.scene_id < b.row.scene_id ? -1 : 1))
      .map(({ row, score }) => ({
        sceneId: row.scene_id,
        clipId: row.clip_id,
        score,
        matchedBy: [...matchedBy],
        highlights: [],
      }));
  }

  /**
   * Highlights for the hits: their stored text goes into the connection's scratch FTS5 table, which the
   * query is matched against; a hit whose text the query does not match gets none.
   */
  private addHighlights(hits: SceneHit[], fts: string, options: HighlightOptions | undefined): void {
    const o = fragmentOptions(options);
    if (hits.length === 0 || o.maxFragments === 0 || !this.db) return;
    const rows = this.stmt(
      `SELECT s.scene_id, f.text, f.captions FROM scenes s JOIN scenes_fts f ON f.rowid = s.id
       WHERE s.scene_id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(hits.map((h) => h.sceneId))) as Array<{
      scene_id: string;
      text: string | null;
      captions: string | null;
    }>;
    const sceneIds = rows.map((r) => r.scene_id);
    const marked = this.db.transaction(() => {
      const insert = this.stmt("INSERT INTO temp.hl(rowid, text, captions) VALUES (?, ?, ?)");
      rows.forEach((r, i) => insert.run(i + 1, r.text, r.captions));
      const out = this.stmt(
        `SELECT rowid AS r, highlight(hl, 0, '${MARK_OPEN}', '${MARK_CLOSE}') AS t,
                highlight(hl, 1, '${MARK_OPEN}', '${MARK_CLOSE}') AS c
         FROM temp.hl WHERE hl MATCH ?`,
      ).all(fts) as Array<{ r: number; t: string | null; c: string | null }>;
      this.stmt("DELETE FROM temp.hl").run();
      return out;
    })();
    const bySceneId = new Map(marked.map((m) => [sceneIds[m.r - 1]!, m]));
    for (const hit of hits) {
      const row = bySceneId.get(hit.sceneId);
      if (!row) continue;
      const fragments = [...fragmentsFromMarked(row.t ?? "", o), ...fragmentsFromMarked(row.c ?? "", o)];
      hit.highlights = pickFragments(fragments, o.maxFragments);
    }
  }

  /**
   * The filter as SQL over `scenes`, written so that SQLite answers it from one index: clips first (the
   * most selective), else the time range (start_time bounded on both sides by the longest scene), else the
   * language; the other conditions are checked on the rows found (a unary + keeps them off the index).
   */
  private sceneFilterSql(filter: SceneIndexFilter | undefined, alias: string): SqlPart {
    const parts: string[] = ["1"];
    const params: unknown[] = [];
    const range = filter?.timeRange;
    const byClip = filter?.clipIds !== undefined;
    const byTime = !byClip && (range?.from !== undefined || range?.to !== undefined);
    if (filter?.clipIds) {
      parts.push(`${alias}.clip_id IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(filter.clipIds));
    }
    const langs = filterLanguages(filter);
    if (langs) {
      parts.push(`${byClip || byTime ? "+" : ""}${alias}.lang IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(langs));
    }
    const t = byTime ? "" : "+";
    if (range?.to !== undefined) {
      parts.push(`${t}${alias}.start_time < ?`);
      params.push(range.to);
    }
    if (range?.from !== undefined) {
      parts.push(`${alias}.end_time > ?`);
      params.push(range.from);
      if (byTime) {
        // a scene overlapping [from, ...) starts after from - (the longest scene): an index range
        parts.push(`${alias}.start_time >= ?`);
        params.push(range.from - this.longestScene() - 1);
      }
    }
    return { sql: parts.join(" AND "), params };
  }

  private longestScene(): number {
    return Number(this.stmt("SELECT value FROM index_meta WHERE key = 'longestScene'").pluck().get() ?? 0);
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size > 500) this.statements.clear();
      s = this.db!.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

// ------------------------------------------------------------------------------------------------ helpers

/** The sixths of a hybrid search's keyword side scored on this thread (see SHARES). */
function hybridHere(filter: SceneIndexFilter | undefined): number {
  return filter?.languages?.length ? 0 : HYBRID_HERE;
}

/** The port is asynchronous, SQLite here is not: a synchronous body as a promise (a throw = a rejection). */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}

/**
 * The time index covers what a time filter checks (end time, language): a range that starts among scenes
 * that end too early (every clip's scene before the window) is skipped inside the index, not by reading
 * each row. At a million scenes reading those rows cost tens of milliseconds per filtered search.
 */
const TIME_INDEX_COLUMNS = "start_time, end_time, lang";

/** An index made before the time index covered end time and language gets the covering one (once). */
function coverTimeIndex(db: Database.Database): void {
  const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'scenes_start'").pluck().get();
  if (typeof sql !== "string" || sql.includes("end_time")) return;
  db.transaction(() => {
    db.exec(`DROP INDEX scenes_start; CREATE INDEX scenes_start ON scenes (${TIME_INDEX_COLUMNS});`);
  }).immediate();
}

function createSchema(db: Database.Database, model: EmbeddingModelInfo): void {
  db.exec(`
    CREATE TABLE index_meta (key TEXT PRIMARY KEY, value NOT NULL);
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
    CREATE INDEX scenes_lang ON scenes (lang);
    CREATE INDEX scenes_start ON scenes (${TIME_INDEX_COLUMNS});
    CREATE VIRTUAL TABLE scenes_fts USING fts5 (text, captions, tokenize = "${FTS_TOKENIZER}");
    CREATE TABLE scene_vectors (id INTEGER PRIMARY KEY, embedding BLOB NOT NULL, seq INTEGER NOT NULL);
    CREATE INDEX scene_vectors_seq ON scene_vectors (seq);
    CREATE TABLE vector_deletes (seq INTEGER NOT NULL, id INTEGER NOT NULL);
    CREATE INDEX vector_deletes_seq ON vector_deletes (seq);
    ${KEYWORD_SCHEMA}
  `);
  const put = db.prepare("INSERT INTO index_meta (key, value) VALUES (?, ?)");
  put.run("modelId", model.modelId);
  put.run("dimension", String(model.dimension));
  put.run("schemaVersion", String(EMBEDDED_SCHEMA_VERSION));
  put.run("createdAt", new Date().toISOString());
  put.run("vectorSeq", 0);
  put.run("deletesPrunedThrough", 0);
  put.run("longestScene", 0);
  for (const [key, value] of KEYWORD_META) put.run(key, value);
}

function readMeta(db: Database.Database): SceneIndexMeta | null {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'index_meta'").get();
  if (!exists) return null;
  const rows = db.prepare("SELECT key, value FROM index_meta").all() as Array<{ key: string; value: unknown }>;
  const m = new Map(rows.map((r) => [r.key, String(r.value)]));
  if (!m.has("modelId")) return null;
  return {
    engine: "embedded",
    modelId: m.get("modelId")!,
    dimension: Number(m.get("dimension")),
    schemaVersion: Number(m.get("schemaVersion")),
    createdAt: m.get("createdAt") ?? "",
  };
}

/** A stored vector blob as floats (a view when aligned, else a copy). */
function asFloats(b: Buffer): Float32Array {
  if (b.byteOffset % 4 === 0) return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  return new Float32Array(Uint8Array.prototype.slice.call(b).buffer);
}

function hasFilter(filter: SceneIndexFilter | undefined): boolean {
  return !!(
    filter &&
    (filter.clipIds !== undefined ||
      filter.languages !== undefined ||
      filter.timeRange?.from !== undefined ||
      filter.timeRange?.to !== undefined)
  );
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
