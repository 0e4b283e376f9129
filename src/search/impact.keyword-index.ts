// Top-k BM25 for the embedded index without scoring every match: impact-ordered postings read by the
// threshold algorithm (Fagin, Lotem, Naor 2001), with the scores of FTS5's own bm25() (fts5_aux.c):
//   score(d) = sum over query phrases p of idf(p) * f(p,d) * (k1 + 1) / (f(p,d) + k1 * (1 - b + b * |d| / avgdl))
//   idf(p) = ln((N - n(p) + 0.5) / (n(p) + 0.5)), 1e-6 where that is <= 0; k1 = 1.2, b = 0.75
// with f(p,d) the column-weighted count of p in d, |d| the tokens of every column, N the scenes.
//
// Tables (in the search database, kept in the same write transaction as scenes_fts):
//   - kw_terms:    term -> id and n(term), the number of scenes holding it
//   - kw_docs:     per scene its token count, its language and its terms as text, " id:text:captions" per
//                  term (term id, count in text, count in captions): the random access that scores a
//                  candidate exactly, by finding each query term's " id:" in the string
//   - kw_postings: (term, language, key, scene) in one B-tree, each (term, language) list read from the
//                  highest key down. key is the term's score in the scene without idf, computed with a
//                  reference average length fixed when the index got its first text (avgdl moves
//                  afterwards; the bound below allows for that). The language (a scene's primary subtag, ''
//                  for none) splits each term's list, so that a language filter reads only its own scenes
//   - kw_term_langs: (term, language) -> the scenes of that language holding the term
// Terms are FTS5's own tokens (porter + unicode61, read back through fts5vocab from a scratch table), so
// the two can never tokenize differently. CJK text is indexed one character per token (text-analysis.ts)
// and queried as two-character phrases: adjacent CJK tokens are also stored as a bigram term ("東 京").
//
// Query: each language is a partition holding one list per term. Lists are read in blocks, from the partition
// whose bound is highest, its list with the highest remaining bound first; every new scene is scored exactly
// from kw_docs. A scene not yet seen scores at most the sum of its terms' bounds at the read positions in
// its language's lists, so the search stops as soon as the k-th best exceeds the highest such sum. The result
// is the exact BM25 top k (ties aside), and its cost follows how deep the top k lies, not how many scenes
// match. A language filter searches only its partitions.
import type Database from "better-sqlite3";
import { FTS_TOKENIZER } from "./text-analysis.js";

const K1 = 1.2;
const B = 0.75;
const FIRST_BLOCK = 32;
const MAX_BLOCK = 4096;
const CJK_TOKEN = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3005\u30FC\uFF70]$/u;

export interface KeywordDoc {
  id: number;
  /** the text as written to scenes_fts (segmented) */
  text: string;
  captions: string | null;
  /** primary language subtag, '' for none */
  lang: string;
}

export interface ScoredId {
  id: number;
  score: number;
}

/** A scene's tokens: per term (text count, captions count), and its length in tokens. */
interface DocStats {
  length: number;
  counts: Map<string, [number, number]>;
}

type Statements = (sql: string) => Database.Statement;

export const KEYWORD_SCHEMA = `
  CREATE TABLE kw_terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE, df INTEGER NOT NULL);
  CREATE TABLE kw_docs (id INTEGER PRIMARY KEY, length INTEGER NOT NULL, terms NOT NULL,
                        lang TEXT NOT NULL DEFAULT '');
  CREATE TABLE kw_postings (term INTEGER NOT NULL, lang TEXT NOT NULL, key REAL NOT NULL, id INTEGER NOT NULL,
                            PRIMARY KEY (term, lang, key, id)) WITHOUT ROWID;
  CREATE TABLE kw_term_langs (term INTEGER NOT NULL, lang TEXT NOT NULL, df INTEGER NOT NULL,
                              PRIMARY KEY (term, lang)) WITHOUT ROWID;
`;
export const KEYWORD_TABLES = ["kw_terms", "kw_docs", "kw_postings", "kw_term_langs"];

/**
 * Splits the postings of an index written before they were split by language (once, in one transaction):
 * `langs` is a query giving (id, lang) for every scene. At a million scenes this rewrites every posting
 * (minutes), far less than a reindex.
 */
export function splitPostingsByLanguage(db: Database.Database, langs: string): boolean {
  const columns = db.prepare("SELECT name FROM pragma_table_info('kw_postings')").pluck().all();
  if (columns.length === 0 || columns.includes("lang")) return false;
  db.transaction(() => {
    db.exec(`
      ALTER TABLE kw_docs ADD COLUMN lang TEXT NOT NULL DEFAULT '';
      UPDATE kw_docs SET lang = coalesce((SELECT l.lang FROM (${langs}) l WHERE l.id = kw_docs.id), '');
      ALTER TABLE kw_postings RENAME TO kw_postings_unsplit;
      CREATE TABLE kw_postings (term INTEGER NOT NULL, lang TEXT NOT NULL, key REAL NOT NULL, id INTEGER NOT NULL,
                                PRIMARY KEY (term, lang, key, id)) WITHOUT ROWID;
      INSERT INTO kw_postings (term, lang, key, id)
        SELECT p.term, d.lang, p.key, p.id FROM kw_postings_unsplit p JOIN kw_docs d ON d.id = p.id
        ORDER BY 1, 2, 3, 4;
      DROP TABLE kw_postings_unsplit;
      CREATE TABLE IF NOT EXISTS kw_term_langs (term INTEGER NOT NULL, lang TEXT NOT NULL, df INTEGER NOT NULL,
                                  PRIMARY KEY (term, lang)) WITHOUT ROWID;
      INSERT INTO kw_term_langs (term, lang, df) SELECT term, lang, count(*) FROM kw_postings GROUP BY term, lang;
    `);
  }).immediate();
  return true;
}

/**
 * Rewrites the term lists of kw_docs written as Int32 (term, text, captions) blobs into the text form (once, in
 * one transaction). Why text: better-sqlite3 copies every blob into a new Buffer, and at a million scenes those
 * copies and the loop over every triple were half of scoring a candidate; a string is cheaper to hand over
 * and indexOf finds a query term without decoding the rest (and the text is a third smaller).
 */
export function textTermLists(db: Database.Database): boolean {
  const done = () => db.prepare("SELECT value FROM index_meta WHERE key = 'kwTermsText'").pluck().get() !== undefined;
  if (done()) return false;
  db.transaction(() => {
    if (done()) return; // another process converted it first
    const update = db.prepare("UPDATE kw_docs SET terms = ? WHERE id = ?");
    // in batches by id: a million scenes' blobs read at once would hold ~1 GB; each batch is read whole before
    // it is rewritten (an update while iterating the same table may revisit rows)
    const batch = db.prepare("SELECT id, terms FROM kw_docs WHERE id > ? ORDER BY id LIMIT 256").raw();
    for (let after = 0; ;) {
      const rows = batch.all(after) as Array<[number, Buffer | string]>;
      if (rows.length === 0) break;
      for (const [id, terms] of rows) if (typeof terms !== "string") update.run(encodeTerms(blobTriples(terms)), id);
      after = rows[rows.length - 1]![0];
    }
    db.prepare("INSERT INTO index_meta (key, value) VALUES ('kwTermsText', 1)").run();
  }).immediate();
  return true;
}

/** The scratch tables a connection tokenizes with (temp schema: private to it). */
export function createScratch(db: Database.Database): void {
  db.exec(
    `CREATE VIRTUAL TABLE IF NOT EXISTS temp.kw_tok USING fts5 (text, captions, tokenize = "${FTS_TOKENIZER}");
     CREATE VIRTUAL TABLE IF NOT EXISTS temp.kw_tok_v USING fts5vocab(temp, kw_tok, instance);`,
  );
}

/** What the last top-k read: postings, and scenes scored exactly (the cost, against the matches). */
export interface KeywordCost {
  postingsRead: number;
  scored: number;
  /** scenes met in the postings that could not reach the top k, so were not scored */
  pruned: number;
  /** the budget ran out before the top k was certified (the result is then the best of what was read) */
  capped: boolean;
}

export const noKeywordCost = (): KeywordCost => ({ postingsRead: 0, scored: 0, pruned: 0, capped: false });

/**
 * A share of the scenes by id: those with from <= id % of < to. Two threads that search the same lists at
 * once, each scoring only its share, split the cost of one search: the scoring (a random read of kw_docs per
 * candidate) is most of it, and every share's top is exact when certified (as under any filter).
 */
export interface KeywordShare {
  of: number;
  from: number;
  to: number;
}

export function inShare(id: number, share: KeywordShare | undefined): boolean {
  if (!share) return true;
  const r = id % share.of;
  return r >= share.from && r < share.to;
}

/** What one share of a keyword search found (best first) and what it read. */
export interface KeywordPart {
  scored: ScoredId[];
  cost: KeywordCost;
}

/**
 * The k best of two shares' tops (disjoint scenes; best first, ties by the lower id as TopK cuts them), with
 * what the two read: each read the same lists in the same order, so the deeper of the two is the search's
 * depth, and the top is certified only when both were.
 */
export function mergeShares(a: KeywordPart, b: KeywordPart, k: number): KeywordPart {
  const scored = [...a.scored, ...b.scored].sort((x, y) => (better(x, y) ? -1 : better(y, x) ? 1 : 0)).slice(0, k);
  const cost: KeywordCost = {
    postingsRead: Math.max(a.cost.postingsRead, b.cost.postingsRead),
    scored: a.cost.scored + b.cost.scored,
    pruned: a.cost.pruned + b.cost.pruned,
    capped: a.cost.capped || b.cost.capped,
  };
  return { scored, cost };
}

export class ImpactKeywordIndex {
  private readonly termIds = new Map<string, number>();
  /** the last search's cost (for the benchmark and the tests) */
  lastCost: KeywordCost = noKeywordCost();

  constructor(
    private readonly stmt: Statements,
    private readonly weights: [number, number],
    /** postings one search reads at most (see EmbeddedSceneIndexOptions.keywordBudget) */
    private readonly budget = Infinity,
  ) {}

  // -------------------------------------------------------------------------------------------- writes

  /** Replaces the postings of these scenes (call inside the write transaction). */
  write(docs: KeywordDoc[]): void {
    if (docs.length === 0) return;
    this.remove(docs.map((d) => d.id));
    const stats = this.tokenize(docs);
    const ref = this.referenceLength(stats);
    const putDoc = this.stmt("INSERT INTO kw_docs(id, length, terms, lang) VALUES (?, ?, ?, ?)");
    const postings: Posting4[] = [];
    const dfDelta = new DfDelta();
    let tokens = 0;
    for (const d of docs) {
      const s = stats.get(d.id) ?? { length: 0, counts: new Map<string, [number, number]>() };
      const triples: number[] = [];
      for (const [term, [inText, inCaptions]] of s.counts) {
        const tid = this.termId(term);
        triples.push(tid, inText, inCaptions);
        postings.push([tid, d.lang, impact(this.frequency(inText, inCaptions), s.length, ref), d.id]);
        dfDelta.add(tid, d.lang, 1);
      }
      putDoc.run(d.id, s.length, encodeTerms(triples), d.lang);
      tokens += s.length;
    }
    // in key order: neighbouring inserts touch neighbouring pages
    postings.sort((a, b) => a[0] - b[0] || compare(a[1], b[1]) || a[2] - b[2] || a[3] - b[3]);
    const putPosting = this.stmt("INSERT INTO kw_postings(term, lang, key, id) VALUES (?, ?, ?, ?)");
    for (const p of postings) putPosting.run(...p);
    this.addDf(dfDelta);
    this.addTotals(docs.length, tokens);
  }

  /** Drops the postings of these scenes (call inside the write transaction). */
  remove(ids: number[]): void {
    const getDoc = this.stmt("SELECT length, terms, lang FROM kw_docs WHERE id = ?");
    const delPosting = this.stmt("DELETE FROM kw_postings WHERE term = ? AND lang = ? AND key = ? AND id = ?");
    const delDoc = this.stmt("DELETE FROM kw_docs WHERE id = ?");
    const ref = this.storedReference();
    const dfDelta = new DfDelta();
    let docs = 0;
    let tokens = 0;
    for (const id of ids) {
      const row = getDoc.get(id) as { length: number; terms: string; lang: string } | undefined;
      if (!row) continue;
      const t = decodeTerms(row.terms);
      for (let i = 0; i < t.length; i += 3) {
        // the key is recomputed with the same arithmetic that wrote it, so it is the same double
        delPosting.run(t[i]!, row.lang, impact(this.frequency(t[i + 1]!, t[i + 2]!), row.length, ref), id);
        dfDelta.add(t[i]!, row.lang, -1);
      }
      delDoc.run(id);
      docs -= 1;
      tokens -= row.length;
    }
    this.addDf(dfDelta);
    if (docs !== 0) this.addTotals(docs, tokens);
  }

  /** Forgets cached term ids (after a rolled-back write or a reset). */
  forget(): void {
    this.termIds.clear();
  }

  // -------------------------------------------------------------------------------------------- reads

  /**
   * The index terms of a query's phrases (each a quoted FTS5 string's text), as FTS5 would tokenize them;
   * undefined when a phrase is longer than what the postings hold (more than one token, other than two
   * CJK characters): the caller then asks FTS5 itself.
   */
  queryTerms(phrases: string[]): string[] | undefined {
    const tokens = this.tokenize(
      phrases.map((text, i) => ({ id: i + 1, text, captions: null, lang: "" })),
      true,
    );
    const out: string[] = [];
    for (let i = 0; i < phrases.length; i++) {
      const seq = tokens.get(i + 1)?.sequence ?? [];
      if (seq.length === 1) out.push(seq[0]!);
      else if (seq.length === 2 && CJK_TOKEN.test(seq[0]!) && CJK_TOKEN.test(seq[1]!)) out.push(`${seq[0]} ${seq[1]}`);
      else if (seq.length > 1) return undefined;
    }
    return out;
  }

  /**
   * The k best scenes for the index terms (duplicates count twice, as two FTS5 phrases would), among those
   * of the languages `langs` (primary subtags; all when absent) in `share` (all when absent) that `accept`
   * keeps (all when it is absent; called with batches of candidate ids, returns those that pass).
   */
  topK(terms: string[], k: number, filter: KeywordFilter = {}): ScoredId[] {
    this.lastCost = noKeywordCost();
    const query = this.prepare(terms);
    if (!query) return [];
    const parts = this.partitions(query, filter.langs);
    const lists = parts.flat();
    if (lists.length === 0) return [];
    const partOf = new Map(parts.flatMap((part) => part.map((l) => [l, part] as const)));
    const ratio = query.lengthRatio;
    const top = new TopK(k);
    const seen = new Set<number>();
    const block = new Map<ListCursor, number>();
    const pending = (list: ListCursor, rows: Posting[]) => {
      // A scene first met here holds this term with at most the weight of its key, and every other term
      // with at most the bound of its language's list for it (it would have been met there otherwise).
      // When even that sum cannot beat the k-th best, it never can (bounds only fall, the k-th best only
      // rises): it is not scored. Exact pruning: the scoring (a random read of kw_docs) was most of a
      // search's cost.
      const others = partOf.get(list)!.reduce((sum, l) => (l === list ? sum : sum + l.bound(ratio)), 0);
      const fresh: number[] = [];
      for (const [key, id] of rows) {
        if (seen.has(id) || !inShare(id, filter.share)) continue;
        seen.add(id);
        if (top.full && (list.boundAt(key, ratio) + others) * (1 + 1e-12) < top.worst) {
          this.lastCost.pruned++;
          continue;
        }
        fresh.push(id);
      }
      if (fresh.length === 0) return;
      const passing = filter.accept ? filter.accept(fresh) : undefined;
      const scored = this.scoreIds(passing ? fresh.filter((id) => passing.has(id)) : fresh, query);
      for (const s of scored) top.offer(s);
    };
    // every list's first block (a term's first read shared among its languages by their sizes), then the
    // list whose bound is highest in the partition whose bound is highest, until nothing unseen can enter
    const first = Math.max(1, Math.min(FIRST_BLOCK, Math.floor(this.budget / query.idfs.size)));
    const termDf = new Map<number, number>();
    for (const l of lists) termDf.set(l.term, (termDf.get(l.term) ?? 0) + l.df);
    for (const list of lists) {
      const size = Math.max(1, Math.round((first * list.df) / termDf.get(list.term)!));
      block.set(list, size);
      pending(list, this.readBlock(list, size));
    }
    for (;;) {
      let next: ListCursor | undefined;
      let threshold = 0;
      for (const part of parts) {
        const sum = part.reduce((s, l) => s + l.bound(ratio), 0);
        if (sum <= threshold) continue;
        threshold = sum;
        next = part.reduce((a, b) => (b.bound(ratio) > a.bound(ratio) ? b : a));
      }
      if (!next) break; // every list read to its end
      if (top.full && top.worst > threshold * (1 + 1e-12)) break;
      const left = this.budget - this.lastCost.postingsRead;
      if (left <= 0) {
        this.lastCost.capped = true;
        break;
      }
      // blocks grow by half: a list read too far costs scoring what it brought
      const size = Math.min(MAX_BLOCK, Math.ceil(block.get(next)! * 1.5));
      block.set(next, size);
      pending(next, this.readBlock(next, Math.min(size, left)));
    }
    return top.sorted();
  }

  /** Exact BM25 of the given scenes (those holding none of the terms are left out); best first. */
  scoreAll(terms: string[], ids: number[], k: number): ScoredId[] {
    this.lastCost = noKeywordCost();
    const query = this.prepare(terms);
    if (!query) return [];
    const top = new TopK(k);
    for (let i = 0; i < ids.length; i += 500) for (const s of this.scoreIds(ids.slice(i, i + 500), query)) top.offer(s);
    return top.sorted();
  }

  // -------------------------------------------------------------------------------------------- internals

  private prepare(terms: string[]): PreparedQuery | undefined {
    const totals = this.totals();
    if (totals.docs === 0 || terms.length === 0) return undefined;
    const avgdl = totals.tokens / totals.docs;
    const find = this.stmt("SELECT id, df FROM kw_terms WHERE term = ?");
    const idfs = new Map<number, number[]>();
    const order: number[] = [];
    for (const term of terms) {
      const row = find.get(term) as { id: number; df: number } | undefined;
      // FTS5 computes idf for every phrase; one that matches nothing adds nothing to any score
      if (!row || row.df <= 0) continue;
      let idf = Math.log((totals.docs - row.df + 0.5) / (row.df + 0.5));
      if (idf <= 0) idf = 1e-6;
      order.push(row.id);
      const existing = idfs.get(row.id);
      if (existing) existing.push(idf);
      else idfs.set(row.id, [idf]);
    }
    if (idfs.size === 0) return undefined;
    const ref = this.storedReference();
    return {
      order,
      idfs,
      patterns: [...idfs.keys()].map((tid) => [tid, ` ${tid}:`] as [number, string]),
      avgdl,
      // the key used ref for avgdl; the true norm is at least min(1, ref / avgdl) of the key's
      lengthRatio: Math.min(1, ref / avgdl),
    };
  }

  /** The query's lists, grouped by language: one partition per language that holds any of its terms. */
  private partitions(query: PreparedQuery, langs: string[] | undefined): ListCursor[][] {
    const wanted = langs ? new Set(langs) : undefined;
    const sublists = this.stmt("SELECT lang, df FROM kw_term_langs WHERE term = ? AND df > 0");
    const byLang = new Map<string, ListCursor[]>();
    for (const [term, idfs] of query.idfs) {
      for (const { lang, df } of sublists.all(term) as Array<{ lang: string; df: number }>) {
        if (wanted && !wanted.has(lang)) continue;
        let part = byLang.get(lang);
        if (!part) byLang.set(lang, (part = []));
        part.push(new ListCursor(term, lang, idfs, df));
      }
    }
    return [...byLang.values()];
  }

  private readBlock(list: ListCursor, size: number): Posting[] {
    // a list cut short by the budget is not finished: only a block shorter than asked says so
    const rows = (
      list.lastKey === undefined
        ? this.stmt("SELECT key, id FROM kw_postings WHERE term = ? AND lang = ? ORDER BY key DESC, id DESC LIMIT ?")
            .raw()
            .all(list.term, list.lang, size)
        : this.stmt(
            "SELECT key, id FROM kw_postings WHERE term = ? AND lang = ? AND (key, id) < (?, ?) ORDER BY key DESC, id DESC LIMIT ?",
          )
            .raw()
            .all(list.term, list.lang, list.lastKey, list.lastId, size)
    ) as Posting[];
    this.lastCost.postingsRead += rows.length;
    if (rows.length < size) list.done = true;
    const last = rows[rows.length - 1];
    if (last) [list.lastKey, list.lastId] = last;
    return rows;
  }

  private scoreIds(ids: number[], query: PreparedQuery): ScoredId[] {
    if (ids.length === 0) return [];
    this.lastCost.scored += ids.length;
    const rows = this.stmt("SELECT id, length, terms FROM kw_docs WHERE id IN (SELECT value FROM json_each(?))")
      .raw()
      .all(JSON.stringify(ids)) as Array<[number, number, string]>;
    const out: ScoredId[] = [];
    const freq = new Map<number, number>();
    for (const [id, length, terms] of rows) {
      freq.clear();
      for (const [tid, pattern] of query.patterns) {
        const at = terms.indexOf(pattern);
        if (at < 0) continue;
        const [inText, inCaptions] = countsAt(terms, at + pattern.length);
        freq.set(tid, this.frequency(inText, inCaptions));
      }
      if (freq.size === 0) continue;
      // summed phrase by phrase in query order, as fts5_aux.c does
      let score = 0;
      const norm = K1 * (1 - B + (B * length) / query.avgdl);
      const used = new Map<number, number>();
      for (const tid of query.order) {
        const f = freq.get(tid) ?? 0;
        const n = used.get(tid) ?? 0;
        used.set(tid, n + 1);
        const idf = query.idfs.get(tid)![n]!;
        score += idf * ((f * (K1 + 1)) / (f + norm));
      }
      out.push({ id, score });
    }
    return out;
  }

  /**
   * FTS5's tokens of each document, through the connection's scratch table. With `sequence`, also the
   * tokens in order (for query phrases); documents also get their CJK bigrams counted.
   */
  private tokenize(docs: KeywordDoc[], sequence = false): Map<number, DocStats & { sequence?: string[] }> {
    const insert = this.stmt("INSERT INTO temp.kw_tok(rowid, text, captions) VALUES (?, ?, ?)");
    for (const d of docs) insert.run(d.id, d.text, d.captions);
    const instances = this.stmt("SELECT term, doc, col, offset FROM temp.kw_tok_v").all() as Array<{
      term: string;
      doc: number;
      col: string;
      offset: number;
    }>;
    this.stmt("DELETE FROM temp.kw_tok").run();
    const byDoc = new Map<number, Array<{ term: string; col: number; offset: number }>>();
    for (const r of instances) {
      let list = byDoc.get(r.doc);
      if (!list) byDoc.set(r.doc, (list = []));
      list.push({ term: r.term, col: r.col === "text" ? 0 : 1, offset: r.offset });
    }
    const out = new Map<number, DocStats & { sequence?: string[] }>();
    for (const [doc, list] of byDoc) {
      list.sort((a, b) => a.col - b.col || a.offset - b.offset);
      const counts = new Map<string, [number, number]>();
      const count = (term: string, col: number) => {
        let c = counts.get(term);
        if (!c) counts.set(term, (c = [0, 0]));
        c[col]! += 1;
      };
      list.forEach((x, i) => {
        count(x.term, x.col);
        const prev = list[i - 1];
        if (
          !sequence &&
          prev &&
          prev.col === x.col &&
          prev.offset === x.offset - 1 &&
          CJK_TOKEN.test(prev.term) &&
          CJK_TOKEN.test(x.term)
        )
          count(`${prev.term} ${x.term}`, x.col);
      });
      out.set(doc, { length: list.length, counts, sequence: sequence ? list.map((x) => x.term) : undefined });
    }
    return out;
  }

  private frequency(inText: number, inCaptions: number): number {
    // fts5_aux.c adds the column's weight once per instance; the sums here are of the same values
    let f = 0;
    for (let i = 0; i < inText; i++) f += this.weights[0];
    for (let i = 0; i < inCaptions; i++) f += this.weights[1];
    return f;
  }

  private termId(term: string): number {
    const cached = this.termIds.get(term);
    if (cached !== undefined) return cached;
    const found = this.stmt("SELECT id FROM kw_terms WHERE term = ?").pluck().get(term) as number | undefined;
    const id =
      found ?? (this.stmt("INSERT INTO kw_terms(term, df) VALUES (?, 0) RETURNING id").pluck().get(term) as number);
    if (this.termIds.size > 200_000) this.termIds.clear();
    this.termIds.set(term, id);
    return id;
  }

  private addDf(delta: DfDelta): void {
    const update = this.stmt("UPDATE kw_terms SET df = df + ? WHERE id = ?");
    for (const [tid, d] of delta.byTerm) if (d !== 0) update.run(d, tid);
    const upsert = this.stmt(
      `INSERT INTO kw_term_langs(term, lang, df) VALUES (?, ?, ?)
       ON CONFLICT(term, lang) DO UPDATE SET df = df + excluded.df`,
    );
    for (const [tid, byLang] of delta.byTermLang) for (const [lang, d] of byLang) if (d !== 0) upsert.run(tid, lang, d);
  }

  private totals(): { docs: number; tokens: number } {
    const rows = this.stmt("SELECT key, value FROM index_meta WHERE key IN ('kwDocs', 'kwTokens')").all() as Array<{
      key: string;
      value: number;
    }>;
    const m = new Map(rows.map((r) => [r.key, Number(r.value)]));
    return { docs: m.get("kwDocs") ?? 0, tokens: m.get("kwTokens") ?? 0 };
  }

  private addTotals(docs: number, tokens: number): void {
    const update = this.stmt("UPDATE index_meta SET value = value + ? WHERE key = ?");
    update.run(docs, "kwDocs");
    update.run(tokens, "kwTokens");
  }

  /** The reference average length of the keys: fixed by the first write that has text. */
  private referenceLength(stats: Map<number, DocStats>): number {
    const stored = this.storedReference();
    if (stored > 0) return stored;
    let tokens = 0;
    for (const s of stats.values()) tokens += s.length;
    if (tokens === 0) return 0;
    const ref = tokens / stats.size;
    this.stmt("UPDATE index_meta SET value = ? WHERE key = 'kwReferenceLength'").run(ref);
    return ref;
  }

  private storedReference(): number {
    return Number(this.stmt("SELECT value FROM index_meta WHERE key = 'kwReferenceLength'").pluck().get() ?? 0);
  }
}

/** What index_meta needs for the keyword index (its rows are created with the schema). */
export const KEYWORD_META: Array<[string, number]> = [
  ["kwDocs", 0],
  ["kwTokens", 0],
  ["kwReferenceLength", 0],
  // kw_docs holds its term lists as text (textTermLists)
  ["kwTermsText", 1],
];

/** A term's BM25 weight in a scene without idf, with `ref` for avgdl: the postings' sort key. */
function impact(f: number, length: number, ref: number): number {
  return f / (f + K1 * (1 - B + (B * length) / ref));
}

/** (term, text count, captions count) triples as kw_docs stores them: " term:text:captions" per term. */
export function encodeTerms(triples: ArrayLike<number>): string {
  let out = "";
  for (let i = 0; i < triples.length; i += 3) out += ` ${triples[i]}:${triples[i + 1]}:${triples[i + 2]}`;
  return out;
}

export function decodeTerms(terms: string): number[] {
  const out: number[] = [];
  for (const entry of terms.split(" ")) if (entry) out.push(...entry.split(":").map(Number));
  return out;
}

/** The two counts that follow a term's " id:" in a kw_docs term list, read in place (no substrings). */
function countsAt(terms: string, from: number): [number, number] {
  let inText = 0;
  let i = from;
  for (let c = terms.charCodeAt(i); c >= 48 && c <= 57; c = terms.charCodeAt(++i)) inText = inText * 10 + c - 48;
  let inCaptions = 0;
  for (let c = terms.charCodeAt(++i); c >= 48 && c <= 57; c = terms.charCodeAt(++i))
    inCaptions = inCaptions * 10 + c - 48;
  return [inText, inCaptions];
}

/** The Int32 triples of a term list written before textTermLists (little-endian, as Int32Array wrote them). */
function blobTriples(b: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) out.push(b.readInt32LE(i));
  return out;
}

/**
 * What a top-k search keeps: the scenes of these languages (primary subtags) in this share that `accept`
 * passes.
 */
export interface KeywordFilter {
  langs?: string[];
  share?: KeywordShare;
  accept?: (ids: number[]) => Set<number>;
}

/** a row of kw_postings read for a term: [key, scene id] */
type Posting = [number, number];
/** a row of kw_postings written: [term, lang, key, scene id] */
type Posting4 = [number, string, number, number];

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Changes to the document frequencies, per term and per (term, language). */
class DfDelta {
  readonly byTerm = new Map<number, number>();
  readonly byTermLang = new Map<number, Map<string, number>>();
  add(term: number, lang: string, d: number): void {
    this.byTerm.set(term, (this.byTerm.get(term) ?? 0) + d);
    let byLang = this.byTermLang.get(term);
    if (!byLang) this.byTermLang.set(term, (byLang = new Map<string, number>()));
    byLang.set(lang, (byLang.get(lang) ?? 0) + d);
  }
}

interface PreparedQuery {
  /** term ids in the query's phrase order (a term twice when two phrases tokenize to it) */
  order: number[];
  /** per term of the query, one idf per phrase that is this term */
  idfs: Map<number, number[]>;
  /** per term of the query, what precedes its counts in a kw_docs term list */
  patterns: Array<[number, string]>;
  avgdl: number;
  lengthRatio: number;
}

/** One term's postings in one language, read from the highest key down. */
class ListCursor {
  lastKey: number | undefined;
  lastId = 0;
  done = false;
  constructor(
    readonly term: number,
    readonly lang: string,
    /** one idf per phrase of the query that is this term */
    readonly idfs: number[],
    /** how many postings the list holds */
    readonly df: number,
  ) {}

  /**
   * The most a scene not yet read from this list can get from its term. The key q was computed with the
   * reference length; with the current avgdl the term's weight is at most q / (q + r (1 - q)), r the
   * ratio of the two norms' lower bound (see prepare), times (k1 + 1) and the idf.
   */
  bound(lengthRatio: number): number {
    return this.done ? 0 : this.boundAt(this.lastKey ?? 1, lengthRatio);
  }

  /** The most a scene whose posting in this list has key q gets from the term. */
  boundAt(q: number, lengthRatio: number): number {
    const weight = q / (q + lengthRatio * (1 - q));
    return this.idfs.reduce((s, idf) => s + idf, 0) * (K1 + 1) * weight;
  }
}

/** The k best seen so far, best first; ties by the lower id (FTS5's order for equal bm25()). */
class TopK {
  private readonly items: ScoredId[] = [];
  constructor(private readonly k: number) {}
  get full(): boolean {
    return this.items.length >= this.k;
  }
  get worst(): number {
    return this.items[this.items.length - 1]?.score ?? -Infinity;
  }
  offer(s: ScoredId): void {
    if (this.full && !better(s, this.items[this.k - 1]!)) return;
    let i = this.full ? this.k - 1 : this.items.length;
    this.items[i] = s;
    while (i > 0 && better(this.items[i]!, this.items[i - 1]!)) {
      [this.items[i - 1], this.items[i]] = [this.items[i]!, this.items[i - 1]!];
      i--;
    }
  }
  sorted(): ScoredId[] {
    return [...this.items];
  }
}

function better(a: ScoredId, b: ScoredId): boolean {
  return a.score > b.score || (a.score === b.score && a.id < b.id);
}
