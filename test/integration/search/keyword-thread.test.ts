// Hybrid search with its keyword side shared with the keyword thread (src/search/keyword.worker.ts, a
// connection of its own to the same SQLite file, scoring its share of the scenes) against the same search on
// one thread: the same hits in the same order with the same scores under every filter, the merged shares are
// the one ranking, writes made after the thread started are seen, a thread that dies leaves the search to
// the main thread, and a closed index does not leave the process open. Keyword search alone stays on the main
// thread. Real SQLite files and real worker threads (the build's script: `npm test` builds first).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { EmbeddedSceneIndex, keywordWorkerScript } from "../../../src/search/embedded.scene-index.js";
import { mergeShares } from "../../../src/search/impact.keyword-index.js";
import type { SceneDocument, SceneIndexFilter } from "../../../src/search/scene-index.port.js";
import { mulberry32 } from "../../../src/util/prng.js";
import { trackedIndexes } from "./indexes.js";

const MODEL = { modelId: "keyword-thread-test", dimension: 16 };
const indexes = trackedIndexes("cinerag-kwt-", { model: MODEL, exactMax: 200, filterExactMax: 100 });
const root = indexes.root;
const script = keywordWorkerScript();
const missing = script ? undefined : "no build (npm run build) holds the keyword thread's script";

const openIndex = indexes.open;

const WORDS = (
  "harbour night knife rain train violin storm captain letter fire moon market balloon jazz fence " +
  "lighthouse detective kitchen lovers money paris seagull rock basement club farmer"
).split(" ");

function unitVector(rand: () => number): Float32Array {
  const v = Float32Array.from({ length: MODEL.dimension }, () => rand() - 0.5);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function corpus(count: number, seed: number): SceneDocument[] {
  const rand = mulberry32(seed);
  const pick = () => WORDS[Math.floor(WORDS.length * rand() ** 2)]!;
  return Array.from({ length: count }, (_, i) => ({
    sceneId: `s${i}`,
    clipId: `clip-${i % 20}`,
    clipTitle: `Clip ${i % 20}`,
    startTime: (i % 40) * 30,
    endTime: (i % 40) * 30 + 30,
    language: i % 10 === 0 ? "fr" : "en",
    text: Array.from({ length: 4 + Math.floor(rand() * 20) }, pick).join(" "),
    vector: unitVector(rand),
  }));
}

const FILTERS: Record<string, SceneIndexFilter | undefined> = {
  none: undefined,
  clip: { clipIds: ["clip-3"] },
  fr: { languages: ["fr"] },
  "en+time": { languages: ["en"], timeRange: { from: 300, to: 900 } },
};

async function built(name: string, scenes = 3000): Promise<string> {
  const file = path.join(root, name, "search.db");
  const writer = openIndex(file, { keywordThreadFrom: Infinity });
  await writer.upsert(corpus(scenes, 7));
  await writer.close();
  return file;
}

describe.skipIf(missing)(
  `keyword search shared with the keyword thread${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    it("answers as one thread does, under every filter, and only from the size it is set for", async () => {
      const file = await built("same");
      const threaded = openIndex(file, { keywordThreadFrom: 1000 });
      const alone = openIndex(file, { keywordThreadFrom: Infinity });
      const rand = mulberry32(11);
      let compared = 0;
      for (const query of ["harbour night", "knife rain storm", "jazz", "seagull basement farmer"]) {
        const vector = unitVector(rand);
        for (const [name, filter] of Object.entries(FILTERS)) {
          const options = { limit: 10, candidates: 40, filter };
          const got = await threaded.hybridSearch(query, vector, options);
          // a clip's few scenes are scored here (see keywordThreadFor)
          const side = filter?.clipIds ? "here" : "thread";
          expect(threaded.lastKeywordSide, `${query} ${name}`).toBe(side);
          const want = await alone.hybridSearch(query, vector, options);
          expect(alone.lastKeywordSide).toBe("here");
          expect(got.length, `${query} ${name}`).toBeGreaterThan(0);
          expect(got, `${query} ${name}`).toEqual(want);
          compared += got.filter((h) => h.matchedBy.includes("KEYWORD")).length;
          // deeper than the hybrid side, the shares merged are the one ranking, and their cost adds up to the
          // whole's
          const whole = alone.keywordPart(query, 40, filter, undefined);
          const merged = mergeShares(
            alone.keywordPart(query, 40, filter, { of: 6, from: 0, to: 2 }),
            alone.keywordPart(query, 40, filter, { of: 6, from: 2, to: 6 }),
            40,
          );
          expect(merged.scored, `${query} ${name}`).toEqual(whole.scored);
          expect(whole.scored.length).toBeGreaterThan(10);
          expect(merged.cost.scored).toBeGreaterThanOrEqual(whole.cost.scored);
          expect(merged.cost.postingsRead).toBeGreaterThanOrEqual(whole.cost.postingsRead);
          // a keyword search alone is not shared (see SHARES)
          const keyword = await threaded.keywordSearch(query, { limit: 10, filter });
          expect(threaded.lastKeywordSide).toBe("here");
          expect(keyword).toEqual(await alone.keywordSearch(query, { limit: 10, filter }));
        }
      }
      expect(compared).toBeGreaterThan(50); // the keyword side took part
      // below the size it is set for, the search stays here
      const small = openIndex(file, { keywordThreadFrom: 5000 });
      await small.hybridSearch("harbour", unitVector(rand), { limit: 5, filter: FILTERS.fr });
      expect(small.lastKeywordSide).toBe("here");
      // a query without terms asks no thread
      await threaded.hybridSearch(" ?! — ", unitVector(rand), { limit: 5, filter: FILTERS.fr });
      expect(threaded.lastKeywordSide).toBe("none");
      // a phrase the postings do not hold (a multi-word Thai run) goes to FTS5's bm25() whole, in the share that
      // starts at 0, once: each scene is found once
      const thai = { ...corpus(1, 5)[0]!, sceneId: "th", text: "สวัสดีครับ ยินดีต้อนรับ", language: "th" };
      await threaded.upsert([thai, { ...thai, sceneId: "th2", text: "สวัสดีครับ" }]);
      const vector = unitVector(rand);
      const phrase = await threaded.hybridSearch("สวัสดีครับ", vector, { limit: 10 });
      expect(threaded.lastKeywordSide).toBe("thread");
      const byKeyword = phrase.filter((h) => h.matchedBy.includes("KEYWORD")).map((h) => h.sceneId);
      expect(byKeyword.sort()).toEqual(["th", "th2"]);
      expect(phrase).toEqual(await alone.hybridSearch("สวัสดีครับ", vector, { limit: 10 }));
      // under a language filter the thread scores every share (see hybridHere): still found once
      const thaiOnly = { limit: 10, filter: { languages: ["th"] } };
      const inThai = await threaded.hybridSearch("สวัสดีครับ", vector, thaiOnly);
      expect(threaded.lastKeywordSide).toBe("thread");
      expect(inThai.map((h) => h.sceneId).sort()).toEqual(["th", "th2"]);
      expect(inThai).toEqual(await alone.hybridSearch("สวัสดีครับ", vector, thaiOnly));
    });

    it("sees what was written after it started", async () => {
      const file = await built("writes");
      const index = openIndex(file, { keywordThreadFrom: 1000 });
      const rand = mulberry32(3);
      const before = await index.hybridSearch("zeppelin", unitVector(rand), { limit: 5, filter: FILTERS.fr });
      expect(before.filter((h) => h.matchedBy.includes("KEYWORD"))).toEqual([]);
      await index.upsert([{ ...corpus(1, 99)[0]!, sceneId: "new", text: "a zeppelin over the harbour" }]);
      const hits = await index.hybridSearch("zeppelin", unitVector(rand), { limit: 5, filter: FILTERS.fr });
      expect(index.lastKeywordSide).toBe("thread");
      expect(hits[0]?.sceneId).toBe("new");
      expect(hits[0]?.matchedBy).toContain("KEYWORD");
      await index.delete(["new"]);
      const after = await index.hybridSearch("zeppelin", unitVector(rand), { limit: 5, filter: FILTERS.fr });
      expect(after.map((h) => h.sceneId)).not.toContain("new");
    });

    it("leaves the search to the main thread when the thread dies", async () => {
      const file = await built("dies");
      const dying = path.join(root, "dying.worker.mjs");
      fs.writeFileSync(
        dying,
        `import { parentPort } from "node:worker_threads"; parentPort.on("message", () => process.exit(3));`,
      );
      const index = openIndex(file, { keywordThreadFrom: 1000, keywordThreadScript: pathToFileURL(dying) });
      const alone = openIndex(file, { keywordThreadFrom: Infinity });
      const vector = unitVector(mulberry32(5));
      for (let i = 0; i < 2; i++) {
        const got = await index.hybridSearch("knife rain", vector, { limit: 10, filter: FILTERS.fr });
        expect(index.lastKeywordSide).toBe("here");
        expect(got).toEqual(await alone.hybridSearch("knife rain", vector, { limit: 10, filter: FILTERS.fr }));
        const unfiltered = await index.hybridSearch("knife rain storm", vector, { limit: 20, candidates: 40 });
        expect(index.lastKeywordSide).toBe("here");
        expect(unfiltered).toEqual(await alone.hybridSearch("knife rain storm", vector, { limit: 20, candidates: 40 }));
      }
    });

    it("fails a search the index was closed under with a one-line error, and lets the process end", async () => {
      const file = await built("closed");
      const index = new EmbeddedSceneIndex({ file, model: MODEL, keywordThreadFrom: 1000 });
      const pending = index.hybridSearch("knife", unitVector(mulberry32(8)), { limit: 5, filter: FILTERS.fr });
      await index.close();
      await expect(pending).rejects.toMatchObject({ code: "SEARCH_UNAVAILABLE" });
      // a process that searched through the thread and never closed the index still ends
      const module = pathToFileURL(path.resolve("dist/src/search/embedded.scene-index.js")).href;
      const program = `
      const { EmbeddedSceneIndex } = await import(${JSON.stringify(module)});
      const index = new EmbeddedSceneIndex({ file: ${JSON.stringify(file)}, model: ${JSON.stringify(MODEL)}, keywordThreadFrom: 1000 });
      const hits = await index.hybridSearch("knife", new Float32Array(${MODEL.dimension}).fill(0.25), { limit: 3, filter: { languages: ["fr"] } });
      console.log(index.lastKeywordSide, hits.length);`;
      const child = spawnSync(process.execPath, ["--input-type=module", "-e", program], { timeout: 60_000 });
      expect(child.stderr.toString()).toBe("");
      expect(child.stdout.toString().trim()).toBe("thread 3");
    });
  },
);
