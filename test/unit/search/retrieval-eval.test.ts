// Retrieval evaluation on generated scenes with known relevant scenes per query. Two kinds of query
// where one side should win:
//   - RARE: a unique name among many common words. BM25's IDF finds it; the hashing embedder has no IDF,
//     so the common words dominate its vector.
//   - VARIANT: a misspelt / variant form of a scene's distinctive words (colour/color, typos) that no
//     tokenizer or stemmer conflates; the embedder's character n-grams still overlap.
// plus PLAIN queries (a scene's own distinctive words) that both should answer. recall@10 per mode is
// printed; hybrid (RRF) must be at least as good as the better of the two.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HashingEmbedder } from "../../../src/models/hashing.embedder.js";
import { EmbeddedSceneIndex } from "../../../src/search/embedded.scene-index.js";
import type { SceneDocument } from "../../../src/search/scene-index.port.js";
import { mulberry32 } from "../../../src/util/prng.js";

const rand = mulberry32(42);
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
const SYLLABLES = "ka lo mi ren tor vel sa quin dra po lu mer zan fi gol bre ish tha wen cor".split(" ");
const word = (syllables: number) => Array.from({ length: syllables }, () => pick(SYLLABLES)).join("");

// frequent words: each scene has 6 of 60, so each is in ~10% of scenes
const COMMON = Array.from({ length: 60 }, () => word(2));
const VOCAB = Array.from({ length: 600 }, () => word(2 + Math.floor(rand() * 2)));
const SCENES = 400;

interface Query {
  kind: "RARE" | "VARIANT" | "PLAIN";
  text: string;
  relevant: string;
}

function typo(w: string): string {
  const i = 2 + Math.floor(rand() * (w.length - 4));
  const c = w[i] === "e" ? "a" : "e";
  return w.slice(0, i) + c + w.slice(i + 1);
}

const embedder = new HashingEmbedder({ dimension: 384 });
const index = new EmbeddedSceneIndex({
  file: ":memory:",
  model: { modelId: embedder.modelId, dimension: embedder.dimension },
});
const queries: Query[] = [];

beforeAll(async () => {
  const docs: SceneDocument[] = [];
  for (let i = 0; i < SCENES; i++) {
    const words: string[] = [];
    for (let j = 0; j < 6; j++) words.push(pick(COMMON));
    for (let j = 0; j < 12; j++) words.push(pick(VOCAB));
    const sceneId = `scene-${i}`;
    if (i % 10 === 0) {
      const name = `${word(3)}ix${word(2)}`; // a rare name, once in the corpus
      words.splice(Math.floor(rand() * words.length), 0, name);
      const filler = Array.from({ length: 4 }, () => pick(COMMON));
      queries.push({
        kind: "RARE",
        text: `${filler.slice(0, 2).join(" ")} ${name} ${filler.slice(2).join(" ")}`,
        relevant: sceneId,
      });
    } else if (i % 10 === 1) {
      const distinctive = [word(4), word(4), word(4)];
      words.push(...distinctive);
      queries.push({ kind: "VARIANT", text: distinctive.map(typo).join(" "), relevant: sceneId });
    } else if (i % 10 === 2) {
      const distinctive = [word(3), word(3)];
      words.push(...distinctive);
      queries.push({ kind: "PLAIN", text: `${distinctive.join(" ")} ${pick(COMMON)}`, relevant: sceneId });
    }
    docs.push({
      sceneId,
      clipId: `clip-${i % 17}`,
      clipTitle: "t",
      startTime: i,
      endTime: i + 1,
      language: "en",
      text: words.join(" "),
    });
  }
  const vectors = await embedder.embed(
    docs.map((d) => d.text),
    "passage",
  );
  docs.forEach((d, i) => (d.vector = vectors[i]));
  await index.upsert(docs);
});

afterAll(async () => {
  await index.close();
});

describe("retrieval evaluation (recall@10)", () => {
  it("hybrid is at least as good as the better of keyword and vector", async () => {
    const modes = ["KEYWORD", "SEMANTIC", "HYBRID"] as const;
    const found: Record<string, Record<(typeof modes)[number], number>> = {};
    const total: Record<string, number> = {};
    for (const q of queries) {
      const [v] = await embedder.embed([q.text], "query");
      const results = {
        KEYWORD: await index.keywordSearch(q.text, { limit: 10 }),
        SEMANTIC: await index.vectorSearch(v!, { limit: 10 }),
        HYBRID: await index.hybridSearch(q.text, v!, { limit: 10 }),
      };
      for (const kind of [q.kind, "ALL"]) {
        found[kind] ??= { KEYWORD: 0, SEMANTIC: 0, HYBRID: 0 };
        total[kind] = (total[kind] ?? 0) + 1;
        for (const m of modes) if (results[m].some((h) => h.sceneId === q.relevant)) found[kind][m]++;
      }
    }
    const recall = (kind: string, m: (typeof modes)[number]) => found[kind]![m] / total[kind]!;
    const table = Object.keys(found).map((kind) => ({
      queries: `${kind} (${total[kind]})`,
      KEYWORD: recall(kind, "KEYWORD").toFixed(3),
      SEMANTIC: recall(kind, "SEMANTIC").toFixed(3),
      HYBRID: recall(kind, "HYBRID").toFixed(3),
    }));
    console.log("recall@10 by query kind and mode");
    console.table(table);

    // each side wins where it should
    expect(recall("RARE", "KEYWORD")).toBeGreaterThan(recall("RARE", "SEMANTIC"));
    expect(recall("VARIANT", "SEMANTIC")).toBeGreaterThan(recall("VARIANT", "KEYWORD"));
    // fusion keeps the best of both
    for (const kind of Object.keys(found)) {
      expect(recall(kind, "HYBRID")).toBeGreaterThanOrEqual(
        Math.max(recall(kind, "KEYWORD"), recall(kind, "SEMANTIC")),
      );
    }
    expect(recall("ALL", "HYBRID")).toBeGreaterThanOrEqual(
      Math.max(recall("ALL", "KEYWORD"), recall("ALL", "SEMANTIC")),
    );
  });
});
