// The behaviour every SceneIndex implementation must have. Run by embedded.scene-index.test.ts and
// elasticsearch.scene-index.test.ts with a factory for their engine.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { HashingEmbedder } from "../../../src/models/hashing.embedder.js";
import type { EmbeddingModelInfo, SceneDocument, SceneIndex } from "../../../src/search/scene-index.port.js";

export interface SceneIndexContractFactory {
  /** an index over the storage named `key` (same key = same storage) configured with `model` */
  open(key: string, model: EmbeddingModelInfo): Promise<SceneIndex>;
  /** remove every storage created (after all tests) */
  cleanup?(): Promise<void>;
}

const embedder = new HashingEmbedder({ dimension: 64 });
const MODEL: EmbeddingModelInfo = { modelId: embedder.modelId, dimension: embedder.dimension };
const W = { refresh: "wait_for" as const };

type Seed = Omit<SceneDocument, "vector" | "clipTitle">;
export const SEED: Seed[] = [
  {
    sceneId: "s-en-1",
    clipId: "clip-a",
    startTime: 0,
    endTime: 30,
    language: "en",
    text: "The detective examines the bloody knife in the kitchen. The knife is still wet.",
  },
  {
    sceneId: "s-en-2",
    clipId: "clip-a",
    startTime: 30,
    endTime: 60,
    language: "en",
    text: "Rain falls over the harbour while the old captain sings a sea shanty.",
  },
  {
    sceneId: "s-en-3",
    clipId: "clip-b",
    startTime: 0,
    endTime: 40,
    language: "en",
    text: "Marguerite Okonkwo-Bellweather arrives at the embassy with a forged passport.",
  },
  {
    sceneId: "s-en-4",
    clipId: "clip-b",
    startTime: 40,
    endTime: 90,
    language: "en",
    text: "Two lovers argue about money on the night train to Paris.",
    captions: "a dark railway carriage, rain on the window",
  },
  {
    sceneId: "s-en-5",
    clipId: "clip-e",
    startTime: 0,
    endTime: 30,
    language: "en-GB",
    text: 'She said: "AND then -- nothing*" and left the room (angrily).',
  },
  {
    sceneId: "s-en-6",
    clipId: "clip-e",
    startTime: 30,
    endTime: 50,
    language: "en",
    text: "The detective drinks coffee alone at the counter.",
  },
  {
    sceneId: "s-zh-1",
    clipId: "clip-c",
    startTime: 0,
    endTime: 20,
    language: "zh-Hans",
    text: "我们明天在北京火车站见面。别迟到。",
  },
  {
    sceneId: "s-ja-1",
    clipId: "clip-c",
    startTime: 20,
    endTime: 50,
    language: "ja",
    text: "東京タワーの下で猫が眠っている。静かな夜だ。",
  },
  {
    sceneId: "s-ko-1",
    clipId: "clip-d",
    startTime: 0,
    endTime: 25,
    language: "ko",
    text: "우리는 내일 학교에서 시험을 봅니다.",
  },
  {
    sceneId: "s-fr-1",
    clipId: "clip-d",
    startTime: 25,
    endTime: 60,
    language: "fr",
    text: "Le café était fermé à cause de la grève.",
  },
  {
    sceneId: "s-none",
    clipId: "clip-d",
    startTime: 60,
    endTime: 70,
    text: "Silence. A door closes somewhere upstairs.",
  },
];

export async function docs(seed: Seed[] = SEED): Promise<SceneDocument[]> {
  const vectors = await embedder.embed(
    seed.map((s) => `${s.text} ${s.captions ?? ""}`),
    "passage",
  );
  return seed.map((s, i) => ({ ...s, clipTitle: `Title of ${s.clipId}`, vector: vectors[i]! }));
}

async function q(text: string): Promise<Float32Array> {
  return (await embedder.embed([text], "query"))[0]!;
}

const ids = (hits: Array<{ sceneId: string }>) => hits.map((h) => h.sceneId);

export function sceneIndexContract(name: string, factory: SceneIndexContractFactory): void {
  describe(`SceneIndex contract: ${name}`, () => {
    let n = 0;
    let index: SceneIndex;
    let key: string;
    const opened: SceneIndex[] = [];
    const open = async (k: string, model: EmbeddingModelInfo) => {
      const i = await factory.open(k, model);
      opened.push(i);
      return i;
    };

    beforeEach(async () => {
      key = `t${Date.now().toString(36)}-${n++}`;
      index = await open(key, MODEL);
      await index.upsert(await docs(), W);
    });
    afterEach(async () => {
      for (const i of opened.splice(0)) await i.close();
    });
    afterAll(async () => {
      await factory.cleanup?.();
    });

    describe("writes", () => {
      it("counts what was upserted, and the same scene twice is one document", async () => {
        expect(await index.count()).toBe(SEED.length);
        await index.upsert(await docs(), W);
        await index.upsert(await docs(SEED.slice(0, 2)), W);
        expect(await index.count()).toBe(SEED.length);
      });

      it("replaces a scene on upsert (old words no longer match, new ones do)", async () => {
        const [changed] = await docs([{ ...SEED[0]!, text: "A violin plays in an empty concert hall." }]);
        await index.upsert([changed!], W);
        expect(ids(await index.keywordSearch("knife"))).not.toContain("s-en-1");
        expect(ids(await index.keywordSearch("violin"))).toEqual(["s-en-1"]);
        expect(ids(await index.vectorSearch(await q("violin concert hall"), { limit: 1 }))).toEqual(["s-en-1"]);
      });

      it("keeps a scene without a vector searchable by keywords only", async () => {
        const [d] = await docs([{ ...SEED[1]!, text: "The lighthouse keeper counts seagulls." }]);
        await index.upsert([{ ...d!, vector: undefined }], W);
        expect(ids(await index.keywordSearch("lighthouse"))).toEqual(["s-en-2"]);
        expect(ids(await index.vectorSearch(await q("lighthouse keeper seagulls"), { limit: 20 }))).not.toContain(
          "s-en-2",
        );
      });

      it("deletes scenes by id and all scenes of a clip", async () => {
        await index.delete(["s-en-1", "missing"], W);
        expect(await index.count()).toBe(SEED.length - 1);
        expect(ids(await index.keywordSearch("knife"))).toEqual([]);
        expect(ids(await index.vectorSearch(await q("bloody knife detective kitchen"), { limit: 20 }))).not.toContain(
          "s-en-1",
        );
        await index.deleteClip("clip-b", W);
        expect(await index.count()).toBe(SEED.length - 3);
        expect(await index.count({ clipIds: ["clip-b"] })).toBe(0);
        expect(await index.count({ clipIds: ["clip-a"] })).toBe(1);
      });

      it("guards vectors: an all-zero one is no vector, a non-finite one is refused (issue #13)", async () => {
        const [d] = await docs([{ ...SEED[1]!, text: "The lighthouse keeper counts seagulls." }]);
        await index.upsert([{ ...d!, vector: new Float32Array(MODEL.dimension) }], W);
        expect(ids(await index.keywordSearch("lighthouse"))).toEqual(["s-en-2"]);
        expect(ids(await index.vectorSearch(await q("lighthouse keeper seagulls"), { limit: 20 }))).not.toContain(
          "s-en-2",
        );
        const nan = new Float32Array(MODEL.dimension).fill(Number.NaN);
        const inf = (await q("knife")).map((x, i) => (i === 0 ? Infinity : x));
        await expect(index.upsert([{ ...d!, sceneId: "s-nan", vector: nan }], W)).rejects.toMatchObject({
          code: "BAD_INPUT",
        });
        await expect(index.upsert([{ ...d!, sceneId: "s-inf", vector: inf }], W)).rejects.toMatchObject({
          code: "BAD_INPUT",
        });
        expect(await index.count()).toBe(SEED.length); // nothing of a refused batch is written
        await expect(index.vectorSearch(nan)).rejects.toMatchObject({ code: "BAD_INPUT" });
        // a query the model knows nothing of: similar to nothing, not to everything
        const zero = new Float32Array(MODEL.dimension);
        expect(await index.vectorSearch(zero, { limit: 20 })).toEqual([]);
        const hybrid = await index.hybridSearch("knife", zero, { limit: 20 });
        expect(hybrid.length).toBeGreaterThan(0);
        expect(hybrid.every((h) => h.matchedBy.join() === "KEYWORD")).toBe(true);
      });

      it("rejects a vector of the wrong dimension", async () => {
        const [d] = await docs([SEED[0]!]);
        await expect(index.upsert([{ ...d!, vector: new Float32Array(8) }], W)).rejects.toMatchObject({
          code: "BAD_INPUT",
        });
        await expect(index.vectorSearch(new Float32Array(8))).rejects.toMatchObject({ code: "BAD_INPUT" });
      });
    });

    describe("keyword search (BM25)", () => {
      it("ranks the scene matching more and rarer terms first", async () => {
        const hits = await index.keywordSearch("detective knife");
        expect(ids(hits).slice(0, 2)).toEqual(["s-en-1", "s-en-6"]);
        expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
        expect(hits[0]!.matchedBy).toEqual(["KEYWORD"]);
        expect(hits[0]!.clipId).toBe("clip-a");
      });

      it("finds rare names, stems English and folds diacritics", async () => {
        expect(ids(await index.keywordSearch("okonkwo bellweather"))[0]).toBe("s-en-3");
        expect(ids(await index.keywordSearch("argued"))).toEqual(["s-en-4"]);
        expect(ids(await index.keywordSearch("cafe greve"))).toEqual(["s-fr-1"]);
      });

      it("searches captions too", async () => {
        expect(ids(await index.keywordSearch("railway carriage"))).toEqual(["s-en-4"]);
      });

      it("respects limit", async () => {
        expect(await index.keywordSearch("the", { limit: 2 })).toHaveLength(2);
      });

      it.each([
        ['"'],
        ["AND"],
        ["OR NOT"],
        ["*"],
        ["-"],
        [":"],
        ["text:knife"],
        ["NEAR(knife detective)"],
        ["("],
        [")"],
        ["^knife"],
        ['"unbalanced knife'],
        ["knife*"],
        ["-knife"],
        ["knife AND"],
        ['""'],
        ["'"],
        ["+"],
        ["knife:"],
        ["{captions}: rain"],
        ["   "],
        [""],
      ])("never fails on FTS syntax: %j", async (query) => {
        const hits = await index.keywordSearch(query);
        expect(Array.isArray(hits)).toBe(true);
        if (/knife/.test(query)) expect(ids(hits)).toContain("s-en-1");
        await index.hybridSearch(query, await q(query || "x"));
      });

      it("treats operators and punctuation as text", async () => {
        expect(ids(await index.keywordSearch('she said: "and then -- nothing*'))[0]).toBe("s-en-5");
        expect(ids(await index.keywordSearch("angrily)"))).toEqual(["s-en-5"]);
      });
    });

    describe("CJK", () => {
      it("finds Chinese words inside unsegmented text", async () => {
        expect(ids(await index.keywordSearch("北京"))).toEqual(["s-zh-1"]);
        expect(ids(await index.keywordSearch("火车站"))).toEqual(["s-zh-1"]);
        expect(ids(await index.keywordSearch("见面"))).toEqual(["s-zh-1"]);
      });

      it("finds Japanese words, single kanji included", async () => {
        expect(ids(await index.keywordSearch("東京"))).toEqual(["s-ja-1"]);
        expect(ids(await index.keywordSearch("東京タワー"))).toEqual(["s-ja-1"]);
        expect(ids(await index.keywordSearch("猫"))).toEqual(["s-ja-1"]);
      });

      it("finds Korean words with particles attached in the text", async () => {
        expect(ids(await index.keywordSearch("학교"))).toEqual(["s-ko-1"]);
        expect(ids(await index.keywordSearch("시험"))).toEqual(["s-ko-1"]);
      });

      it("highlights CJK matches in the original text", async () => {
        const [hit] = await index.keywordSearch("北京");
        expect(hit!.highlights.join(" ")).toContain("<mark>北京</mark>");
        expect(hit!.highlights.join(" ")).not.toMatch(/\u200B/);
      });
    });

    describe("vector search (kNN)", () => {
      it("drops neighbours under minSimilarity, in vector and hybrid search alike", async () => {
        const nonsense = await q("zzqx qqvz");
        expect((await index.vectorSearch(nonsense, { limit: 5 })).length).toBeGreaterThan(0); // kNN always answers
        expect(await index.vectorSearch(nonsense, { limit: 5, minSimilarity: embedder.unrelatedBelow })).toEqual([]);
        expect(
          await index.hybridSearch("zzqx qqvz", nonsense, { limit: 5, minSimilarity: embedder.unrelatedBelow }),
        ).toEqual([]);
        const related = await index.vectorSearch(await q("the detective examines a bloody knife"), {
          limit: 5,
          minSimilarity: embedder.unrelatedBelow,
        });
        expect(related[0]!.sceneId).toBe("s-en-1");
        expect(related.every((h) => h.score >= embedder.unrelatedBelow)).toBe(true);
      });

      it("returns the nearest scene first with cosine similarity scores", async () => {
        const hits = await index.vectorSearch(await q("the detective examines a bloody knife"), { limit: 3 });
        expect(hits[0]!.sceneId).toBe("s-en-1");
        expect(hits[0]!.matchedBy).toEqual(["SEMANTIC"]);
        expect(hits[0]!.highlights).toEqual([]);
        expect(hits[0]!.score).toBeGreaterThan(0.3);
        expect(hits[0]!.score).toBeLessThanOrEqual(1.0001);
        expect(hits[0]!.score).toBeGreaterThanOrEqual(hits[1]!.score);
        expect(hits).toHaveLength(3);
      });
    });

    describe("hybrid search (RRF)", () => {
      it("fuses both lists and says which matched", async () => {
        const hits = await index.hybridSearch("Okonkwo passport", await q("Okonkwo passport"));
        expect(hits[0]!.sceneId).toBe("s-en-3");
        expect(hits[0]!.matchedBy).toEqual(["KEYWORD", "SEMANTIC"]);
        expect(hits[0]!.score).toBeCloseTo(2 / 61, 6);
        expect(hits[0]!.highlights.join(" ")).toContain("<mark>passport</mark>");
        expect(new Set(ids(hits)).size).toBe(hits.length);
      });

      it("returns semantic matches when no keyword matches", async () => {
        const hits = await index.hybridSearch("zzzqqq", await q("harbour captain shanty"), { limit: 1 });
        expect(hits[0]).toMatchObject({ sceneId: "s-en-2", matchedBy: ["SEMANTIC"] });
      });
    });

    describe("filters", () => {
      it("filters by clip", async () => {
        expect(ids(await index.keywordSearch("detective", { filter: { clipIds: ["clip-e"] } }))).toEqual(["s-en-6"]);
        const v = await index.vectorSearch(await q("detective knife"), {
          filter: { clipIds: ["clip-b", "clip-c"] },
          limit: 20,
        });
        expect(v.length).toBe(4);
        expect(v.every((h) => h.clipId === "clip-b" || h.clipId === "clip-c")).toBe(true);
        expect(await index.keywordSearch("detective", { filter: { clipIds: [] } })).toEqual([]);
      });

      it("filters by time range overlap", async () => {
        const filter = { clipIds: ["clip-a"], timeRange: { from: 35, to: 50 } };
        expect(ids(await index.vectorSearch(await q("knife"), { filter, limit: 20 }))).toEqual(["s-en-2"]);
        expect(ids(await index.keywordSearch("the", { filter, limit: 20 }))).toEqual(["s-en-2"]);
        expect(await index.count({ timeRange: { from: 60 } })).toBe(2); // s-en-4 (40-90), s-none (60-70)
        expect(await index.count({ timeRange: { to: 0.5 } })).toBe(5); // the five scenes starting at 0
      });

      it("filters by language on the primary subtag", async () => {
        const v = await index.vectorSearch(await q("北京"), { filter: { languages: ["zh-Hant"] }, limit: 20 });
        expect(ids(v)).toEqual(["s-zh-1"]);
        expect(ids(await index.keywordSearch("said", { filter: { languages: ["EN"] } }))).toEqual(["s-en-5"]);
        expect(await index.count({ languages: ["en"] })).toBe(6);
        const h = await index.hybridSearch("door", await q("door"), { filter: { languages: ["fr", "ko"] }, limit: 20 });
        expect(h.every((x) => x.sceneId === "s-fr-1" || x.sceneId === "s-ko-1")).toBe(true);
      });
    });

    describe("highlights", () => {
      it("marks matched terms in fragments of the scene text", async () => {
        const [hit] = await index.keywordSearch("knife");
        expect(hit!.highlights.length).toBeGreaterThan(0);
        expect(hit!.highlights.join(" ")).toContain("<mark>knife</mark>");
      });

      it("gives every hit fragments of its own text only, also the hits found by meaning alone", async () => {
        const hits = await index.hybridSearch("detective knife", await q("detective knife"), { limit: 20 });
        expect(hits.length).toBeGreaterThan(2);
        for (const hit of hits) {
          const own = SEED.find((d) => d.sceneId === hit.sceneId)!;
          for (const fragment of hit.highlights) {
            const plain = fragment
              .replace(/<\/?mark>/g, "")
              .replace(/^…|…$/g, "")
              .trim();
            expect(`${own.text} ${own.captions ?? ""}`).toContain(plain.slice(0, 20));
          }
        }
      });

      it("highlights every keyword hit in an index of many clips, not only the lowest row ids", async () => {
        // issue #13: 40 clips x 5 scenes, the matching scenes spread over all of them
        const many: Seed[] = [];
        for (let c = 0; c < 40; c++)
          for (let s = 0; s < 5; s++)
            many.push({
              sceneId: `m-${c}-${s}`,
              clipId: `many-${c}`,
              startTime: s * 10,
              endTime: s * 10 + 10,
              language: "en",
              text: s === 2 ? `In reel ${c} the courier hides a lantern under the stairs.` : `Reel ${c}, take ${s}.`,
            });
        await index.upsert(await docs(many), W);
        const hits = await index.keywordSearch("lantern", { limit: 100 });
        expect(hits).toHaveLength(40);
        for (const hit of hits) {
          const reel = hit.sceneId.split("-")[1];
          expect(hit.highlights.join(" ")).toContain("<mark>lantern</mark>");
          expect(hit.highlights.join(" ")).toContain(`reel ${reel} `);
        }
        const hybrid = await index.hybridSearch("lantern", await q("lantern"), { limit: 40 });
        const lanternScenes = hybrid.filter((h) => /^m-\d+-2$/.test(h.sceneId));
        expect(lanternScenes.length).toBeGreaterThan(20);
        expect(lanternScenes.every((h) => h.highlights.join(" ").includes("<mark>lantern</mark>"))).toBe(true);
      });

      it("takes configurable tags and can HTML-escape the text", async () => {
        const [hit] = await index.keywordSearch("angrily", {
          highlight: { preTag: "[", postTag: "]", encoder: "html" },
        });
        const text = hit!.highlights.join(" ");
        expect(text).toContain("[angrily]");
        expect(text).toContain("&quot;");
        const [none] = await index.keywordSearch("angrily", { highlight: { maxFragments: 0 } });
        expect(none!.highlights).toEqual([]);
      });
    });

    describe("embedding model bookkeeping", () => {
      it("remembers the model and refuses another one until reset", async () => {
        expect(await index.meta()).toMatchObject({ modelId: MODEL.modelId, dimension: MODEL.dimension });
        await index.close();
        const other = await open(key, { modelId: "another-model", dimension: 128 });
        await expect(other.init()).rejects.toMatchObject({
          code: "REINDEX_REQUIRED",
          message: expect.stringContaining("cinerag reindex") as unknown,
        });
        await expect(other.keywordSearch("knife")).rejects.toMatchObject({ code: "REINDEX_REQUIRED" });
        const sameDimension = await open(key, { modelId: "another-model", dimension: MODEL.dimension });
        await expect(sameDimension.count()).rejects.toMatchObject({ code: "REINDEX_REQUIRED" });

        await other.reset("another-model", 128);
        expect(await other.meta()).toMatchObject({ modelId: "another-model", dimension: 128 });
        expect(await other.count()).toBe(0);
        const v = new Float32Array(128);
        v[3] = 1;
        await other.upsert([{ ...(await docs([SEED[0]!]))[0]!, vector: v }], W);
        expect(ids(await other.vectorSearch(v))).toEqual(["s-en-1"]);
        await expect(open(key, MODEL).then((i) => i.init())).rejects.toMatchObject({ code: "REINDEX_REQUIRED" });
      });

      it("answers ping", async () => {
        expect(await index.ping()).toBe(true);
      });
    });
  });
}
