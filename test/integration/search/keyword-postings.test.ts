// The embedded index's keyword path (impact-ordered postings, src/search/impact.keyword-index.ts) against
// FTS5's own bm25() over every match (keywordSearchExact), on seeded generated corpora: the same scenes in
// the same order with the same scores, after upserts, re-upserts and deletes, under every filter (scored
// directly and checked as the postings propose), a language filter reading only its own lists, across a
// restart and a second connection, an index written before the lists were split by language (split in
// place), one whose term lists are Int32 blobs (rewritten as text in place), and an index of the previous
// schema asking for a reindex. Real SQLite files in a temp dir.
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { EMBEDDED_SCHEMA_VERSION, EmbeddedSceneIndex } from "../../../src/search/embedded.scene-index.js";
import { decodeTerms } from "../../../src/search/impact.keyword-index.js";
import type { SceneDocument, SceneHit, SceneIndexFilter } from "../../../src/search/scene-index.port.js";
import { mulberry32 } from "../../../src/util/prng.js";
import { trackedIndexes } from "./indexes.js";

const MODEL = { modelId: "keyword-test", dimension: 8 };
const indexes = trackedIndexes("cinerag-kw-", { model: MODEL });
const newFile = indexes.newFile;
const openIndex = (file: string, filterExactMax?: number): EmbeddedSceneIndex => indexes.open(file, { filterExactMax });

// a small vocabulary with a skewed distribution (many matches, many ties), English word forms that stem
// alike, and CJK text (one token per character, bigram phrases)
const WORDS = (
  "run running runs ran harbour night knife rain train violin storm captain letter fire moon " +
  "market balloon jazz fence lighthouse detective kitchen lovers money paris seagull rock " +
  "basement club farmer earth astronaut children square midnight concert hall"
).split(" ");
const CJK = ["東京", "京都", "タワー", "学校", "학교에서", "夜の港", "雨"];

function corpus(count: number, seed: number, prefix = "s"): SceneDocument[] {
  const rand = mulberry32(seed);
  const pick = () => WORDS[Math.floor(WORDS.length * rand() ** 2.5)]!; // low indexes are frequent
  return Array.from({ length: count }, (_, i) => {
    const words = Array.from({ length: 3 + Math.floor(rand() * 25) }, pick);
    if (rand() < 0.15) words.push(CJK[Math.floor(rand() * CJK.length)]!);
    return {
      sceneId: `${prefix}${i}`,
      clipId: `clip-${i % 12}`,
      clipTitle: `Clip ${i % 12}`,
      startTime: (i % 30) * 20,
      endTime: (i % 30) * 20 + 20 + (i % 3) * 15,
      language: i % 5 === 0 ? "fr" : i % 7 === 0 ? undefined : "en-GB",
      text: rand() < 0.03 ? "" : words.join(" "),
      captions: rand() < 0.3 ? Array.from({ length: 4 }, pick).join(" ") : undefined,
    };
  });
}

const QUERIES = [
  "run",
  "running knife",
  "runs ran run", // three phrases, one stem: FTS5 counts the term three times
  "harbour night rain",
  "the captain at night", // stopwords dropped
  "moon market balloon jazz fence",
  "concert hall midnight",
  "東京",
  "京都タワー",
  "学校",
  "夜の港 rain",
  "nothing-matches-this zzz",
];

/** Same scores in the same order; scenes with equal scores may be cut differently only at the last score. */
function expectSameRanking(got: SceneHit[], want: SceneHit[], label: string): void {
  expect(got.map((h) => h.score).length, label).toBe(want.length);
  got.forEach((h, i) => expect(h.score, `${label} #${i}`).toBeCloseTo(want[i]!.score, 9));
  const last = want[want.length - 1]?.score;
  const above = (hits: SceneHit[]) => hits.filter((h) => Math.abs(h.score - last!) > 1e-9).map((h) => h.sceneId);
  if (last !== undefined) expect(above(got), label).toEqual(above(want));
  for (const h of got) expect(h.matchedBy).toEqual(["KEYWORD"]);
}

async function compareAll(index: EmbeddedSceneIndex, filter?: SceneIndexFilter, limits = [1, 10, 40]): Promise<number> {
  let compared = 0;
  for (const q of QUERIES) {
    for (const limit of limits) {
      const got = await index.keywordSearch(q, { limit, filter });
      const want = await index.keywordSearchExact(q, { limit, filter });
      expectSameRanking(got, want, `${q} / ${limit} / ${JSON.stringify(filter)}`);
      compared += want.length;
    }
  }
  return compared;
}

describe("embedded index: keyword postings", () => {
  it("ranks as FTS5's bm25() does, with its scores, on small corpora", async () => {
    for (const seed of [1, 2, 3]) {
      const index = openIndex(newFile());
      await index.upsert(corpus(500, seed));
      expect(await compareAll(index)).toBeGreaterThan(300);
    }
  });

  it("finds the top scenes without scoring every match", async () => {
    const index = openIndex(newFile());
    await index.upsert(corpus(3000, 9));
    const matches = index.countKeywordMatches("run");
    const got = await index.keywordSearch("run", { limit: 10 });
    expectSameRanking(got, await index.keywordSearchExact("run", { limit: 10 }), "run");
    expect(matches).toBeGreaterThan(1000);
    expect(index.lastKeywordCost.scored).toBeLessThan(matches / 4);
  });

  it("scores only the scenes that could still reach the top k, and ranks as an unpruned read does", async () => {
    const index = openIndex(newFile());
    await index.upsert(corpus(3000, 10));
    let pruned = 0;
    for (const q of ["harbour night rain", "moon market balloon jazz fence", "run knife"]) {
      const got = await index.keywordSearch(q, { limit: 10 });
      expectSameRanking(got, await index.keywordSearchExact(q, { limit: 10 }), q);
      const cost = index.lastKeywordCost;
      // every posting read either brought a scene already met, one scored, or one pruned unscored
      expect(cost.scored + cost.pruned, q).toBeLessThanOrEqual(cost.postingsRead);
      pruned += cost.pruned;
    }
    // "harbour night rain" alone: 171 of its 729 postings' scenes (seen when this test was written)
    expect(pruned).toBeGreaterThan(100);
  });

  it("stops at its postings budget with the best of what it read, exactly scored", async () => {
    const file = newFile();
    await openIndex(file).upsert(corpus(3000, 12));
    const capped = new EmbeddedSceneIndex({ file, model: MODEL, keywordBudget: 20 });
    indexes.track(capped);
    const exact = new Map(
      (await capped.keywordSearchExact("run harbour", { limit: 1000 })).map((h) => [h.sceneId, h.score]),
    );
    const got = await capped.keywordSearch("run harbour", { limit: 10 });
    expect(capped.lastKeywordCost).toMatchObject({ capped: true });
    expect(capped.lastKeywordCost.postingsRead).toBeLessThanOrEqual(20);
    expect(got).toHaveLength(10);
    for (const h of got) expect(h.score).toBeCloseTo(exact.get(h.sceneId)!, 9);
    expect(got.map((h) => h.score)).toEqual([...got.map((h) => h.score)].sort((a, b) => b - a));
    // the default budget certifies the same query exactly on this corpus
    const full = openIndex(file);
    expectSameRanking(
      await full.keywordSearch("run harbour", { limit: 10 }),
      await full.keywordSearchExact("run harbour", { limit: 10 }),
      "run harbour",
    );
    expect(full.lastKeywordCost.capped).toBe(false);
  });

  it("keeps in step with re-upserts, deletes and clip deletes", async () => {
    const index = openIndex(newFile());
    const docs = corpus(400, 4);
    await index.upsert(docs);
    // half the scenes get other text (another seed), some lose their captions
    const changed = corpus(200, 5).map((d, i) => ({ ...docs[i * 2]!, text: d.text, captions: undefined }));
    await index.upsert(changed);
    await compareAll(index);
    await index.delete(["s1", "s3", "s5", "s-unknown"]);
    await index.deleteClip("clip-4");
    expect(await index.count()).toBe(
      400 - 3 - docs.filter((d) => d.clipId === "clip-4" && !["s1", "s3", "s5"].includes(d.sceneId)).length,
    );
    await compareAll(index);
    const all = await index.keywordSearch("run running harbour knife", { limit: 1000 });
    expect(all.some((h) => ["s1", "s3", "s5"].includes(h.sceneId) || h.clipId === "clip-4")).toBe(false);
    // a scene written again with the text it had before scores as before
    await index.upsert([docs[1]!]);
    await compareAll(index, undefined, [10]);
  });

  it("answers clip, language and time filters as the full scan does, scored directly or checked as found", async () => {
    const file = newFile();
    await openIndex(file).upsert(corpus(600, 6));
    const filters: SceneIndexFilter[] = [
      { clipIds: ["clip-3"] },
      { clipIds: ["clip-1", "clip-2", "unknown"] },
      { languages: ["fr"] },
      { languages: ["en", "fr"] },
      { timeRange: { from: 100, to: 250 } },
      { timeRange: { from: 500 } },
      { languages: ["fr"], timeRange: { to: 120 }, clipIds: ["clip-5", "clip-6"] },
    ];
    for (const filterExactMax of [undefined, 0]) {
      const index = openIndex(file, filterExactMax);
      for (const filter of filters) expect(await compareAll(index, filter, [3, 10])).toBeGreaterThan(0);
    }
  });

  it("reads only the filtered languages' postings, and follows a scene that changes language", async () => {
    const file = newFile();
    const docs = corpus(3000, 13);
    const index = openIndex(file, 0); // never scored directly: always through the postings
    await index.upsert(docs);
    const db = new Database(file, { readonly: true });
    const postingsOf = (lang: string, word: string) =>
      db
        .prepare("SELECT count(*) FROM kw_postings p JOIN kw_terms t ON t.id = p.term WHERE t.term = ? AND p.lang = ?")
        .pluck()
        .get(word, lang) as number;
    const fr: SceneIndexFilter = { languages: ["fr"] };
    const got = await index.keywordSearch("run", { limit: 10, filter: fr });
    expectSameRanking(got, await index.keywordSearchExact("run", { limit: 10, filter: fr }), "run / fr");
    expect(got.length).toBe(10);
    // the French list only (a fifth of the scenes), not the whole list checked scene by scene
    expect(index.lastKeywordCost.postingsRead).toBeGreaterThan(0);
    expect(index.lastKeywordCost.postingsRead).toBeLessThanOrEqual(postingsOf("fr", "run"));
    expect(postingsOf("en", "run")).toBeGreaterThan(2 * postingsOf("fr", "run"));
    // English scenes become French, French ones lose their language
    const moved = docs.slice(0, 600).map((d) => ({ ...d, language: d.language === "fr" ? undefined : "fr-CA" }));
    await index.upsert(moved);
    for (const filter of [fr, { languages: ["en"] }, undefined]) await compareAll(index, filter, [10]);
    const total = db.prepare("SELECT sum(df) FROM kw_term_langs").pluck().get() as number;
    expect(total).toBe(db.prepare("SELECT count(*) FROM kw_postings").pluck().get());
    db.close();
  });

  it("splits the postings of an index written before they were split by language, with the same answers", async () => {
    const file = newFile();
    const first = openIndex(file, 0);
    await first.upsert(corpus(800, 14));
    const filters = [undefined, { languages: ["fr"] }, { languages: ["en"], timeRange: { from: 100, to: 400 } }];
    const search = (index: EmbeddedSceneIndex) =>
      Promise.all(filters.flatMap((filter) => QUERIES.map((q) => index.keywordSearch(q, { limit: 10, filter }))));
    const before = await search(first);
    await first.close();
    // the layout before: one list per term, no language in kw_docs, no kw_term_langs
    const db = new Database(file);
    db.exec(`
      CREATE TABLE old_postings (term INTEGER NOT NULL, key REAL NOT NULL, id INTEGER NOT NULL,
                                 PRIMARY KEY (term, key, id)) WITHOUT ROWID;
      INSERT INTO old_postings SELECT term, key, id FROM kw_postings;
      DROP TABLE kw_postings; ALTER TABLE old_postings RENAME TO kw_postings;
      DROP TABLE kw_term_langs; ALTER TABLE kw_docs DROP COLUMN lang;`);
    db.close();
    const reopened = openIndex(file, 0);
    expect(await search(reopened)).toEqual(before);
    await compareAll(reopened, { languages: ["fr"] }, [10]);
    const check = new Database(file, { readonly: true });
    const columns = check.prepare("SELECT name FROM pragma_table_info('kw_postings')").pluck().all();
    const docsWithLang = check.prepare("SELECT count(*) FROM kw_docs WHERE lang = 'fr'").pluck().get();
    check.close();
    expect(columns).toEqual(["term", "lang", "key", "id"]);
    expect(docsWithLang).toBe(160);
  });

  it("rewrites the term lists of an index written as Int32 blobs into text, with the same answers", async () => {
    const file = newFile();
    const first = openIndex(file, 0);
    await first.upsert(corpus(600, 15));
    const search = (index: EmbeddedSceneIndex) =>
      Promise.all(
        [undefined, { languages: ["fr"] }].flatMap((filter) =>
          QUERIES.map((q) => index.keywordSearch(q, { limit: 10, filter })),
        ),
      );
    const before = await search(first);
    await first.close();
    // the layout before: (term, text count, captions count) as little-endian Int32 triples, no marker
    const db = new Database(file);
    const toBlob = (terms: string) => Buffer.from(Int32Array.from(decodeTerms(terms)).buffer);
    db.transaction(() => {
      const update = db.prepare("UPDATE kw_docs SET terms = ? WHERE id = ?");
      for (const r of db.prepare("SELECT id, terms FROM kw_docs").all() as Array<{ id: number; terms: string }>)
        update.run(toBlob(r.terms), r.id);
      db.prepare("DELETE FROM index_meta WHERE key = 'kwTermsText'").run();
    })();
    const blobs = db.prepare("SELECT count(*) FROM kw_docs WHERE typeof(terms) = 'blob'").pluck().get();
    db.close();
    expect(blobs).toBe(600);
    const reopened = openIndex(file, 0);
    expect(await search(reopened)).toEqual(before);
    // the removal path reads the converted lists: a delete and a re-upsert still agree with FTS5
    await reopened.delete(["s1", "s4"]);
    await reopened.upsert(corpus(600, 16).slice(10, 30));
    expect(await compareAll(reopened)).toBeGreaterThan(100);
    const check = new Database(file, { readonly: true });
    const kinds = check.prepare("SELECT typeof(terms) AS t, count(*) AS n FROM kw_docs GROUP BY 1").all();
    const marker = check.prepare("SELECT value FROM index_meta WHERE key = 'kwTermsText'").pluck().get();
    check.close();
    expect(kinds).toEqual([{ t: "text", n: 598 }]);
    expect(marker).toBe(1);
  });

  it("keeps highlights for the hits the postings return", async () => {
    const index = openIndex(newFile());
    await index.upsert(corpus(200, 7));
    const [hit] = await index.keywordSearch("violin", { limit: 1 });
    expect(hit).toBeDefined();
    expect(hit!.highlights.join(" ").toLowerCase()).toContain("<mark>violin</mark>");
    const [cjk] = await index.keywordSearch("東京", { limit: 1 });
    expect(cjk!.highlights.join(" ")).toContain("<mark>東京</mark>");
  });

  it("survives a restart, and sees what a second connection wrote", async () => {
    const file = newFile();
    const first = openIndex(file);
    await first.upsert(corpus(300, 8));
    const before = await first.keywordSearch("harbour night", { limit: 20 });
    await first.close();
    const reopened = openIndex(file);
    expect(await reopened.keywordSearch("harbour night", { limit: 20 })).toEqual(before);
    // another process (cinerag ingest beside serve) writes; this connection's next search sees it
    const other = openIndex(file);
    await other.upsert(corpus(150, 10, "o"));
    await other.delete(["s0", "s2"]);
    expect(await reopened.count()).toBe(448);
    await compareAll(reopened, undefined, [10]);
  });

  it("answers a phrase the postings do not hold (a multi-word Thai run) through FTS5", async () => {
    const index = openIndex(newFile());
    await index.upsert([
      { sceneId: "th", clipId: "c", clipTitle: "C", startTime: 0, endTime: 5, text: "สวัสดีครับ ยินดีต้อนรับ" },
      { sceneId: "en", clipId: "c", clipTitle: "C", startTime: 5, endTime: 9, text: "hello and welcome" },
    ]);
    const got = await index.keywordSearch("สวัสดีครับ");
    expect(got.map((h) => h.sceneId)).toEqual(["th"]);
    expectSameRanking(got, await index.keywordSearchExact("สวัสดีครับ"), "thai");
  });

  it("asks for a reindex when the index has the previous schema (no postings)", async () => {
    const file = newFile();
    const index = openIndex(file);
    await index.upsert(corpus(20, 11));
    await index.close();
    const db = new Database(file);
    db.prepare("UPDATE index_meta SET value = ? WHERE key = 'schemaVersion'").run(String(EMBEDDED_SCHEMA_VERSION - 1));
    db.close();
    const old = openIndex(file);
    await expect(old.keywordSearch("run")).rejects.toMatchObject({ code: "REINDEX_REQUIRED" });
    await old.reset(MODEL.modelId, MODEL.dimension);
    await old.upsert(corpus(20, 11));
    await compareAll(old, undefined, [10]);
  });
});
