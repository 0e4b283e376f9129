// Search benchmark of the embedded index: N scenes (default 100k; `npm run bench:search -- 1000000`) with
// 384-dim vectors (hashing embedder over generated dialogue), then QUERIES queries per mode, REPEATS times
// (default 3; min/median/max of each percentile over the repeats). Prints the build (rows with keyword
// postings, ANN graph, snapshot), the restart (snapshot load), memory, p50/p95 of keyword, semantic, hybrid
// and filtered hybrid search (a narrow filter: one clip; a 10% language; a broad language + time window), each
// side of a filtered search also timed alone, recall@10 of the semantic side (unfiltered and filtered)
// against an exact scan, the keyword top 10's overlap with FTS5's bm25() over every match (the exact BM25 baseline, also timed), and the semantic p50
// against an exact float32 scan of the same vectors in the same run (USearch's SIMD exactSearch, one
// thread: the baseline the ANN index must beat). ANN_THREADS sets the graph build's threads (default 2).
// Note on the vectors: the hashing embedder over Zipf-distributed words gives near-orthogonal, unclustered
// vectors, unlike neural sentence embeddings: a hard case for a graph index (recall is lower on them than
// on real embeddings would be), and an exact scan costs the same on both.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HashingEmbedder } from "../src/models/hashing.embedder.js";
import { normaliseInPlace } from "../src/util/vector-math.js";
import { EmbeddedSceneIndex } from "../src/search/embedded.scene-index.js";
import Database from "better-sqlite3";
import type { SceneDocument, SceneHit, SceneIndexFilter } from "../src/search/scene-index.port.js";
import { exactSearch, MetricKind, type AnnParams } from "../src/search/usearch.ann-index.js";
import { fuseHybrid } from "../src/search/scene-index.helpers.js";

const SCENES = Number(process.argv[2] ?? process.env.SCENES ?? 100_000);
const QUERIES = Number(process.env.QUERIES ?? 200);
const REPEATS = Number(process.env.REPEATS ?? 3);
const BATCH = 1000;
// VECTORS=clustered: instead of the hashing embedder's vectors, points around 2000 random centres (topics)
// in 384 dimensions, the shape neural sentence embeddings have; queries are scene vectors moved a little.
// The text side (FTS5) is the same in both modes.
const CLUSTERED = process.env.VECTORS === "clustered";
const CENTRES = 2000;
let centres: Float32Array[] | undefined;

function gaussian(): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** v plus gaussian noise of relative size `spread`, unit length. */
function noisy(v: Float32Array, spread: number): Float32Array {
  const sigma = spread / Math.sqrt(v.length);
  const out = v.map((x) => x + sigma * gaussian());
  return normaliseInPlace(out);
}

function clusteredVector(): Float32Array {
  centres ??= Array.from({ length: CENTRES }, () => normaliseInPlace(new Float32Array(384).map(gaussian)));
  // the centre drawn at random, so that a topic is not tied to the filtered fields (language, time)
  return noisy(centres[Math.floor(rand() * CENTRES)]!, 0.9);
}

let seed = 7;
/** xs shuffled in place (Fisher-Yates, from rand()) */
function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const SYL = "ka lo mi ren tor vel sa quin dra po lu mer zan fi gol bre ish tha wen cor an el ot us".split(" ");
const word = () =>
  Array.from({ length: 2 + Math.floor(rand() * 2) }, () => SYL[Math.floor(rand() * SYL.length)]).join("");
// Zipf-like vocabulary: word i drawn with probability ~ 1/(i+10)
const VOCAB = Array.from({ length: 30_000 }, word);
const CDF: number[] = [];
{
  let s = 0;
  for (let i = 0; i < VOCAB.length; i++) CDF.push((s += 1 / (i + 10)));
}
function zipfWord(): string {
  const x = rand() * CDF[CDF.length - 1]!;
  let lo = 0;
  let hi = CDF.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (CDF[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return VOCAB[lo]!;
}
const sentence = (n: number) => Array.from({ length: n }, zipfWord).join(" ");

/** scenes start .. start + BATCH (100 per clip, one in ten French), their texts appended to `texts` */
function batchDocs(start: number, texts: string[]): SceneDocument[] {
  const docs: SceneDocument[] = [];
  for (let i = start; i < Math.min(SCENES, start + BATCH); i++) {
    const text = sentence(20 + Math.floor(rand() * 60));
    texts.push(text);
    docs.push({
      sceneId: `scene-${i}`,
      clipId: `clip-${Math.floor(i / 100)}`,
      clipTitle: `Clip ${Math.floor(i / 100)}`,
      startTime: (i % 100) * 60,
      endTime: (i % 100) * 60 + 60,
      language: i % 10 === 0 ? "fr" : "en",
      text,
    });
  }
  return docs;
}

/** HNSW parameters from ANN_M, ANN_EF_ADD, ANN_EF, ANN_Q (for tuning runs; defaults otherwise). */
function annParams(): AnnParams {
  const n = (v: string | undefined) => (v ? Number(v) : undefined);
  const q = process.env.ANN_Q;
  return {
    connectivity: n(process.env.ANN_M),
    expansionAdd: n(process.env.ANN_EF_ADD),
    expansionSearch: n(process.env.ANN_EF),
    quantization: q === "f16" || q === "f32" || q === "i8" ? q : undefined,
    threads: n(process.env.ANN_THREADS),
  };
}

/** KW_BUDGET: the keyword search's postings budget (tuning runs; the index's default otherwise) */
const keywordBudget = process.env.KW_BUDGET ? { keywordBudget: Number(process.env.KW_BUDGET) } : {};

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function main(): Promise<void> {
  // SEARCH_DIR: build into this folder and keep it; a later run with the same SEARCH_DIR and size skips the
  // build (the generated scenes and queries are the same, from the same seed) and times the queries alone
  const keepDir = process.env.SEARCH_DIR;
  const dir = keepDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "cinerag-search-bench-"));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "search.db");
  const built = keepDir !== undefined && fs.existsSync(path.join(dir, "built")) && builtSize(dir) === SCENES;
  const embedder = new HashingEmbedder({ dimension: 384 });
  // snapshots only when asked: the bench times the build and the save apart
  const index = new EmbeddedSceneIndex({
    file,
    model: { modelId: embedder.modelId, dimension: embedder.dimension },
    snapshotEvery: Number.MAX_SAFE_INTEGER,
    ann: annParams(),
    ...keywordBudget,
  });
  // an index built before is opened here: a migration of its layout (keyword postings split by language)
  // runs in this init, so the figure is that migration's time
  const openStarted = performance.now();
  await index.init();
  const openMs = performance.now() - openStarted;
  console.log(
    `search bench: ${SCENES} scenes, ${embedder.dimension}-dim vectors (${CLUSTERED ? "clustered, VECTORS=clustered" : "hashing embedder"}), ${QUERIES} queries per mode, ${os.cpus().length} CPUs, ${file}`,
  );

  const all = new Float32Array(SCENES * embedder.dimension); // for exact kNN (recall)
  const texts: string[] = [];
  let embedMs = 0;
  let indexMs = 0;
  for (let start = 0; start < SCENES; start += BATCH) {
    const docs = batchDocs(start, texts);
    let t0 = performance.now();
    // clustered: generated points instead (the embedder draws no random numbers: the texts stay the same)
    const vectors = CLUSTERED
      ? docs.map(() => clusteredVector())
      : await embedder.embed(
          docs.map((d) => d.text),
          "passage",
        );
    embedMs += performance.now() - t0;
    docs.forEach((d, j) => {
      d.vector = vectors[j]!;
      all.set(vectors[j]!, (start + j) * embedder.dimension);
    });
    t0 = performance.now();
    if (!built) index.upsertSync(docs); // one transaction per batch
    indexMs += performance.now() - t0;
    if (!built && (start / BATCH + 1) % Math.max(1, Math.round(SCENES / BATCH / 10)) === 0)
      console.log(`  rows: ${start + docs.length} written in ${(indexMs / 1000).toFixed(1)} s`);
  }
  if (!built) console.log(`rows (scenes, FTS5, keyword postings, vectors): ${(indexMs / 1000).toFixed(1)} s`);
  // the ANN graph: built from the stored vectors (what `cinerag reindex` or the first search after a
  // bulk load does), then saved; then a restart: a fresh instance loads the snapshot
  let t = performance.now();
  if (!built) index.syncAnn();
  const annMs = performance.now() - t;
  if (!built) console.log(`ANN graph: ${(annMs / 1000).toFixed(1)} s`);
  t = performance.now();
  if (!built) index.saveAnn();
  const saveMs = performance.now() - t;
  await index.close();
  if (keepDir !== undefined && !built) fs.writeFileSync(path.join(dir, "built"), String(SCENES));
  if (built)
    console.log(
      `build skipped: ${dir} holds this size's index from an earlier run (its figures are there); ` +
        `opening it took ${(openMs / 1000).toFixed(1)} s (a layout migration, if one was due, included)`,
    );
  const reopened = new EmbeddedSceneIndex({
    file,
    model: { modelId: embedder.modelId, dimension: embedder.dimension },
    ann: annParams(),
    ...keywordBudget,
  });
  t = performance.now();
  await reopened.init();
  reopened.syncAnn();
  const loadMs = performance.now() - t;
  const size = fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
  const rss = process.memoryUsage().rss;
  const buildFigures = built
    ? ""
    : `rows ${(indexMs / 1000).toFixed(1)} s (${Math.round(SCENES / (indexMs / 1000))} scenes/s), ANN graph ${(annMs / 1000).toFixed(1)} s, ` +
      `snapshot ${(saveMs / 1000).toFixed(1)} s; `;
  console.log(
    `build: ${buildFigures}embedding ${(embedMs / 1000).toFixed(1)} s; files ${(size / 2 ** 20).toFixed(0)} MiB; ` +
      `restart (open + load snapshot) ${(loadMs / 1000).toFixed(2)} s; RSS ${(rss / 2 ** 20).toFixed(0)} MiB ` +
      `(of which the bench's own copy of the vectors ${((SCENES * embedder.dimension * 4) / 2 ** 20).toFixed(0)} MiB)`,
  );

  // queries: 2-4 words of a random scene, each with its vector
  const makeQueries = async (count: number): Promise<[string[], Float32Array[]]> => {
    const qs: string[] = [];
    for (let i = 0; i < count; i++) {
      const words = texts[Math.floor(rand() * texts.length)]!.split(" ");
      const n = 2 + Math.floor(rand() * 3);
      const from = Math.floor(rand() * Math.max(1, words.length - n));
      qs.push(words.slice(from, from + n).join(" "));
    }
    const vs = CLUSTERED
      ? qs.map(() => {
          // a paraphrase of a scene: its vector moved a little
          const scene = Math.floor(rand() * SCENES);
          return noisy(all.subarray(scene * embedder.dimension, (scene + 1) * embedder.dimension), 0.5);
        })
      : await embedder.embed(qs, "query");
    return [qs, vs];
  };
  const [queries, vectors] = await makeQueries(QUERIES);
  // three filters: one clip (100 scenes: scored directly), French (10%), English in a time window (37%)
  const filters = {
    clip: { filter: { clipIds: ["clip-7"] }, passes: (i: number) => Math.floor(i / 100) === 7 },
    fr: { filter: { languages: ["fr"] }, passes: (i: number) => i % 10 === 0 },
    "en+time": {
      filter: { languages: ["en"], timeRange: { from: 600, to: 3000 } },
      passes: (i: number) => i % 10 !== 0 && (i % 100) * 60 < 3000 && (i % 100) * 60 + 60 > 600,
    },
  };
  const sceneNo = (h: { sceneId: string }) => Number(h.sceneId.slice(6));

  for (let i = 0; i < 10; i++) {
    await reopened.keywordSearch(queries[i]!);
    await reopened.keywordSearchExact(queries[i]!);
    await reopened.vectorSearch(vectors[i]!);
  }
  // quality, once (it does not change between repeats)
  const recallQueries = Math.min(QUERIES, 100);
  let recall = 0;
  const filteredRecall: Record<string, number> = {};
  // hybrid against an exact hybrid: FTS5's bm25() over every match and the exact scan, fused the same way
  const hybridRecall: Record<string, number> = { none: 0 };
  let hybridWanted = 0;
  const hybridWantedFiltered: Record<string, number> = {};
  const exactHybrid = async (q: string, v: Float32Array, passes: (i: number) => boolean, filter?: SceneIndexFilter) =>
    fuseHybrid(
      await reopened.keywordSearchExact(q, { limit: 10, filter }),
      exactTop(all, v, embedder.dimension, 10, passes).map(asHit),
      10,
    ).map(sceneNo);
  const keywordOverlap: Record<string, number> = { none: 0 };
  let keywordWanted = 0;
  const keywordWantedFiltered: Record<string, number> = {};
  let postingsRead = 0;
  let scored = 0;
  let capped = 0;
  let matches = 0;
  for (let i = 0; i < recallQueries; i++) {
    const q = queries[i]!;
    const v = vectors[i]!;
    const exact = exactSearch(all, v, embedder.dimension, 10, MetricKind.IP, 1);
    const sem = await reopened.vectorSearch(v, { limit: 10 });
    recall += overlap(
      Array.from(exact.keys, (k) => Number(k)),
      sem.map(sceneNo),
    );
    const kw = await reopened.keywordSearch(q, { limit: 10 });
    postingsRead += reopened.lastKeywordCost.postingsRead;
    scored += reopened.lastKeywordCost.scored;
    if (reopened.lastKeywordCost.capped) capped++;
    const kwExact = await reopened.keywordSearchExact(q, { limit: 10 });
    matches += countMatches(reopened, q);
    keywordOverlap.none! += overlap(kwExact.map(sceneNo), kw.map(sceneNo));
    keywordWanted += kwExact.length;
    const hyExact = await exactHybrid(q, v, () => true);
    hybridRecall.none! += overlap(hyExact, (await reopened.hybridSearch(q, v, { limit: 10 })).map(sceneNo));
    hybridWanted += hyExact.length;
    for (const [name, f] of Object.entries(filters)) {
      const filtered = await reopened.vectorSearch(v, { limit: 10, filter: f.filter });
      filteredRecall[name] =
        (filteredRecall[name] ?? 0) +
        overlap(exactTop(all, v, embedder.dimension, 10, f.passes), filtered.map(sceneNo));
      const fk = await reopened.keywordSearch(q, { limit: 10, filter: f.filter });
      const fkExact = await reopened.keywordSearchExact(q, { limit: 10, filter: f.filter });
      keywordOverlap[name] = (keywordOverlap[name] ?? 0) + overlap(fkExact.map(sceneNo), fk.map(sceneNo));
      keywordWantedFiltered[name] = (keywordWantedFiltered[name] ?? 0) + fkExact.length;
      const fhExact = await exactHybrid(q, v, f.passes, f.filter);
      const fh = await reopened.hybridSearch(q, v, { limit: 10, filter: f.filter });
      hybridRecall[name] = (hybridRecall[name] ?? 0) + overlap(fhExact, fh.map(sceneNo));
      hybridWantedFiltered[name] = (hybridWantedFiltered[name] ?? 0) + fhExact.length;
    }
  }

  const timed = { queries: [] as string[], vectors: [] as Float32Array[] };
  // every mode as a search of timed query i (filled below); each side of a filtered hybrid search is timed
  // alone too: where a filter's cost lies
  type Search = [string, (i: number) => Promise<unknown>];
  // each hybrid mode twice: its keyword side shared with the keyword thread (from 100k scenes), and on this
  // thread alone (the same answers)
  const twoWays = (mode: string, search: (i: number) => Promise<unknown>): Search[] => [
    [mode, search],
    [
      `${mode} one thread`,
      async (i) => {
        const from = reopened.useKeywordThreadFrom(Infinity);
        try {
          await search(i);
        } finally {
          reopened.useKeywordThreadFrom(from);
        }
      },
    ],
  ];
  const keyword = (mode: string, filter?: SceneIndexFilter): Search => [
    mode,
    (i) => reopened.keywordSearch(timed.queries[i]!, { limit: 10, filter }),
  ];
  const hybrid = (mode: string, filter?: SceneIndexFilter) =>
    twoWays(mode, (i) => reopened.hybridSearch(timed.queries[i]!, timed.vectors[i]!, { limit: 10, filter }));
  const searches: Search[] = [
    keyword("KEYWORD"),
    ["KEYWORD_EXACT_FTS5", (i) => reopened.keywordSearchExact(timed.queries[i]!, { limit: 10 })],
    ["SEMANTIC", (i) => reopened.vectorSearch(timed.vectors[i]!, { limit: 10 })],
    ...hybrid("HYBRID"),
  ];
  for (const [name, f] of Object.entries(filters))
    searches.push(...hybrid(`HYBRID+${name}`, f.filter), keyword(`KEYWORD+${name}`, f.filter), [
      `SEMANTIC+${name}`,
      (i) => reopened.vectorSearch(timed.vectors[i]!, { limit: 10, filter: f.filter }),
    ]);
  searches.push([
    "EXACT_SCAN",
    (i) => Promise.resolve(exactSearch(all, timed.vectors[i]!, embedder.dimension, 10, MetricKind.IP, 1)),
  ]);
  const modes = searches.map(([mode]) => mode);
  // each mode searches queries of its own, drawn alike: a query another mode searched a few steps before
  // found its pages still in the 256 MiB page cache (two modes on one code path differed by 20-30 % at p50)
  [timed.queries, timed.vectors] = await makeQueries(QUERIES * searches.length);
  const runs: Array<Record<string, number[]>> = [];
  let keywordSide = "";
  const loads: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const times: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, [] as number[]]));
    // Each step runs every mode once, on its own query, in a new order each step: in a fixed order each
    // mode followed the same one (which search ran before, on which thread, and what it left in the caches
    // and the heap, is part of a search's cost)
    const order = searches.map((_, m) => m);
    for (let step = 0; step < QUERIES; step++)
      for (const m of shuffle(order)) {
        const [mode, search] = searches[m]!;
        const i = m * QUERIES + step;
        const t0 = performance.now();
        await search(i);
        times[mode]!.push(performance.now() - t0);
      }
    runs.push(times);
    loads.push(os.loadavg()[0]!);
    // where a language-filtered one ran its keyword side ("thread": shared with it)
    await reopened.hybridSearch(queries[0]!, vectors[0]!, { limit: 10, filter: filters.fr.filter });
    keywordSide = reopened.lastKeywordSide;
  }
  const stat = (m: string, q: number) => runs.map((t) => percentile(t[m]!, q)).sort((a, b) => a - b);
  const mmm = (xs: number[]) =>
    `${xs[0]!.toFixed(2)} / ${xs[Math.floor(xs.length / 2)]!.toFixed(2)} / ${xs[xs.length - 1]!.toFixed(2)}`;
  console.log(`latency, ms (min / median / max over ${REPEATS} repeats of ${QUERIES} queries)`);
  console.table(modes.map((mode) => ({ mode, p50_ms: mmm(stat(mode, 50)), p95_ms: mmm(stat(mode, 95)) })));
  console.log(
    `load average (1 min) after each repeat (other processes share these ${os.cpus().length} CPUs): ${loads
      .map((x) => x.toFixed(2))
      .join(" ")}; now ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  const med = (m: string, q: number) => {
    const xs = stat(m, q);
    return xs[Math.floor(xs.length / 2)]!;
  };
  const ratioSem = runs.map((t) => percentile(t.SEMANTIC!, 50) / percentile(t.EXACT_SCAN!, 50)).sort((a, b) => a - b);
  const ratioKw = runs
    .map((t) => percentile(t.KEYWORD!, 50) / percentile(t.KEYWORD_EXACT_FTS5!, 50))
    .sort((a, b) => a - b);
  console.log(
    `hybrid p95 ${med("HYBRID", 95).toFixed(1)} ms, filtered hybrid p95 ${Math.max(
      med("HYBRID+clip", 95),
      med("HYBRID+fr", 95),
      med("HYBRID+en+time", 95),
    ).toFixed(
      1,
    )} ms (target <= 50 ms: ${Math.max(med("HYBRID", 95), med("HYBRID+en+time", 95), med("HYBRID+fr", 95), med("HYBRID+clip", 95)) <= 50 ? "met" : "NOT met"}); ` +
      `semantic p50 / exact float32 scan p50 = ${mmm(ratioSem)} (min/median/max; target <= 1); ` +
      `keyword p50 / FTS5 bm25() over every match p50 = ${mmm(ratioKw)}`,
  );
  // the keyword thread against the same searches on one thread, repeat by repeat
  const hybridModes = ["HYBRID", ...Object.keys(filters).map((f) => `HYBRID+${f}`)];
  console.log(
    `hybrid search with its keyword side shared with the keyword thread (under a language filter: ${keywordSide}) / ` +
      `on one thread, p50 and p95 (min/median/max): ` +
      hybridModes
        .map((m) => {
          const ratio = (q: number) =>
            runs.map((t) => percentile(t[m]!, q) / percentile(t[`${m} one thread`]!, q)).sort((a, b) => a - b);
          return `${m} ${mmm(ratio(50))}, ${mmm(ratio(95))}`;
        })
        .join("; "),
  );
  console.log(
    `recall@10 against the exact scan (${recallQueries} queries): semantic ${(recall / (10 * recallQueries)).toFixed(3)}, ` +
      Object.keys(filters)
        .map((n) => `filter ${n} ${(filteredRecall[n]! / (10 * recallQueries)).toFixed(3)}`)
        .join(", ") +
      " (target >= 0.95)",
  );
  console.log(
    `keyword overlap@10 with FTS5's exact bm25(): ${(keywordOverlap.none! / Math.max(1, keywordWanted)).toFixed(3)}, ` +
      Object.keys(filters)
        .map((n) => `filter ${n} ${(keywordOverlap[n]! / Math.max(1, keywordWantedFiltered[n]!)).toFixed(3)}`)
        .join(", ") +
      `; per query (mean): ${(matches / recallQueries).toFixed(0)} matching scenes, ` +
      `${(postingsRead / recallQueries).toFixed(0)} postings read, ${(scored / recallQueries).toFixed(0)} scenes scored; ` +
      `${capped} of ${recallQueries} queries stopped at the postings budget`,
  );
  console.log(
    `hybrid recall@10 against an exact hybrid (bm25() over every match + the exact scan, fused alike): ${(hybridRecall.none! / Math.max(1, hybridWanted)).toFixed(3)}, ` +
      Object.keys(filters)
        .map((n) => `filter ${n} ${(hybridRecall[n]! / Math.max(1, hybridWantedFiltered[n]!)).toFixed(3)}`)
        .join(", ") +
      " (target >= 0.95)",
  );
  console.log(`RSS after the queries ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  await reopened.close();
  if (keepDir === undefined) fs.rmSync(dir, { recursive: true, force: true });
}

function builtSize(dir: string): number {
  return Number(fs.readFileSync(path.join(dir, "built"), "utf8"));
}

/** a scene number as a search hit (for fusing the exact lists) */
function asHit(i: number): SceneHit {
  return { sceneId: `scene-${i}`, clipId: `clip-${Math.floor(i / 100)}`, score: 0, matchedBy: [], highlights: [] };
}

function exactTop(all: Float32Array, q: Float32Array, dim: number, k: number, keep: (i: number) => boolean): number[] {
  const n = all.length / dim;
  const best: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    if (!keep(i)) continue;
    let s = 0;
    const o = i * dim;
    for (let j = 0; j < dim; j++) s += q[j]! * all[o + j]!;
    if (best.length < k || s > best[best.length - 1]![1]) {
      best.push([i, s]);
      best.sort((a, b) => b[1] - a[1]);
      if (best.length > k) best.pop();
    }
  }
  return best.map(([i]) => i);
}

/** How many scenes the query's terms match (what a full BM25 scores). */
function countMatches(index: EmbeddedSceneIndex, q: string): number {
  return index.countKeywordMatches(q);
}

function overlap(a: number[], b: number[]): number {
  const s = new Set(b);
  return a.filter((x) => s.has(x)).length;
}

/**
 * SEARCH_MODE=keyword: the keyword side alone at a size whose ANN graph this machine cannot build in the
 * time at hand: scenes without vectors (same generated text), then the postings' top 10 (default budget, and
 * unbounded: run until certified) against FTS5's bm25() over every match (time and overlap), unfiltered
 * and under the three filters.
 */
async function keywordOnly(): Promise<void> {
  // SEARCH_FILE: the queries alone, over an index this mode built before (kept, e.g. from a run cut short)
  const reuse = process.env.SEARCH_FILE;
  const dir = reuse ? path.dirname(reuse) : fs.mkdtempSync(path.join(os.tmpdir(), "cinerag-search-bench-"));
  const file = reuse ?? path.join(dir, "search.db");
  // a reused file keeps the model it was built with (the full bench's, say): the keyword side ignores it.
  // meta() reads what the file holds without the model check that init() makes
  let model = { modelId: "keyword-only", dimension: 8 };
  if (reuse) {
    const probe = new EmbeddedSceneIndex({ file: reuse, model });
    const stored = await probe.meta();
    await probe.close();
    if (stored) model = { modelId: stored.modelId, dimension: stored.dimension };
  }
  const index = new EmbeddedSceneIndex({ file, model, ...keywordBudget });
  await index.init();
  const texts: string[] = [];
  let indexMs = 0;
  const scenes = reuse ? await index.count() : SCENES;
  console.log(
    `search bench, keyword side only: ${scenes} scenes${reuse ? ` (${reuse})` : ""}, ${QUERIES} queries, ${os.cpus().length} CPUs`,
  );
  if (reuse) {
    const db = new Database(file, { readonly: true });
    const text = db.prepare("SELECT text FROM scenes_fts WHERE rowid = ?").pluck();
    while (texts.length < QUERIES) {
      const t = text.get(1 + Math.floor(rand() * scenes)) as string | undefined;
      if (t) texts.push(t);
    }
    db.close();
  }
  for (let start = 0; start < (reuse ? 0 : SCENES); start += BATCH) {
    const docs = batchDocs(start, texts);
    const t0 = performance.now();
    index.upsertSync(docs);
    indexMs += performance.now() - t0;
    if ((start / BATCH + 1) % Math.max(1, Math.round(SCENES / BATCH / 10)) === 0)
      console.log(`  rows: ${start + docs.length} written in ${(indexMs / 1000).toFixed(1)} s`);
  }
  const size = fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
  if (reuse) console.log(`files ${(size / 2 ** 20).toFixed(0)} MiB (built before)`);
  else
    console.log(
      `build: rows with FTS5 and postings ${(indexMs / 1000).toFixed(1)} s (${Math.round(SCENES / (indexMs / 1000))} scenes/s); ` +
        `files ${(size / 2 ** 20).toFixed(0)} MiB; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
    );
  const queries = Array.from({ length: QUERIES }, () => {
    const words = texts[Math.floor(rand() * texts.length)]!.split(/\s+/);
    const n = 2 + Math.floor(rand() * 3);
    const from = Math.floor(rand() * Math.max(1, words.length - n));
    return words.slice(from, from + n).join(" ");
  });
  const filters: Record<string, SceneIndexFilter | undefined> = {
    none: undefined,
    clip: { clipIds: ["clip-7"] },
    fr: { languages: ["fr"] },
    "en+time": { languages: ["en"], timeRange: { from: 600, to: 3000 } },
  };
  // the same file through an unbounded budget: the threshold algorithm run to certification
  const certified = new EmbeddedSceneIndex({
    file,
    model,
    keywordBudget: Infinity,
  });
  await certified.init();
  for (const q of queries.slice(0, 5)) await index.keywordSearch(q);
  const rows = [];
  for (const [name, filter] of Object.entries(filters)) {
    const fast: number[] = [];
    const exact: number[] = [];
    const full: number[] = [];
    let capped = 0;
    let fullRead = 0;
    let same = 0;
    let wanted = 0;
    let read = 0;
    let scored = 0;
    let matches = 0;
    for (const [qi, q] of queries.entries()) {
      // the three in turn, each first for a third of the queries (the first to touch a query's pages pays)
      const runs = [
        async () => {
          const t0 = performance.now();
          const got = await index.keywordSearch(q, { limit: 10, filter });
          fast.push(performance.now() - t0);
          read += index.lastKeywordCost.postingsRead;
          scored += index.lastKeywordCost.scored;
          if (index.lastKeywordCost.capped) capped++;
          return got;
        },
        async () => {
          const t0 = performance.now();
          await certified.keywordSearch(q, { limit: 10, filter });
          full.push(performance.now() - t0);
          fullRead += certified.lastKeywordCost.postingsRead;
          return [];
        },
        async () => {
          const t0 = performance.now();
          const hits = await index.keywordSearchExact(q, { limit: 10, filter });
          exact.push(performance.now() - t0);
          return hits;
        },
      ];
      const results: SceneHit[][] = [[], [], []];
      for (let j = 0; j < 3; j++) {
        const r = (qi + j) % 3;
        results[r] = await runs[r]!();
      }
      const [got, , want] = results as [SceneHit[], SceneHit[], SceneHit[]];
      same += overlap(
        want.map((h) => Number(h.sceneId.slice(6))),
        got.map((h) => Number(h.sceneId.slice(6))),
      );
      wanted += want.length;
      if (!filter) matches += index.countKeywordMatches(q);
    }
    rows.push({
      filter: name,
      postings_p50_ms: +percentile(fast, 50).toFixed(2),
      postings_p95_ms: +percentile(fast, 95).toFixed(2),
      fts5_all_matches_p50_ms: +percentile(exact, 50).toFixed(2),
      fts5_all_matches_p95_ms: +percentile(exact, 95).toFixed(2),
      overlap_at_10: +(same / Math.max(1, wanted)).toFixed(3),
      capped: capped,
      certified_p50_ms: +percentile(full, 50).toFixed(2),
      certified_p95_ms: +percentile(full, 95).toFixed(2),
      certified_postings_read: Math.round(fullRead / QUERIES),
      postings_read: Math.round(read / QUERIES),
      scenes_scored: Math.round(scored / QUERIES),
      ...(filter ? {} : { matching_scenes: Math.round(matches / QUERIES) }),
    });
  }
  // wide: one row per line as JSON too, for logs cut at 120 columns
  console.table(rows);
  for (const r of rows) console.log(JSON.stringify(r));
  console.log(
    `load average: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
  await certified.close();
  await index.close();
  if (!reuse) fs.rmSync(dir, { recursive: true, force: true });
}

if (process.env.SEARCH_MODE === "keyword") await keywordOnly();
else await main();
