// The real transformers.js + onnxruntime-node path (no doubles) on tiny generated models
// (test/fixtures/tiny-models.ts): feature extraction with mean pooling, text classification mapped to
// Ekman, zero-shot NLI; loading once per process, batching, thread options.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rm } from "node:fs/promises";
import { TINY_EMBEDDING_DIMENSION, writeTinyModels } from "../../fixtures/tiny-models.js";
import { TransformersEmbedder } from "../../../src/models/transformers/transformers.embedder.js";
import { TransformersEmotionClassifier } from "../../../src/models/transformers/transformers.emotion-classifier.js";
import { EMOTIONS } from "../../../src/models/model-ports.js";
import { TransformersZeroShotClassifier } from "../../../src/models/transformers/transformers.zero-shot.js";
import { countingRegistry, cosine, modelsOptions, norm, tempRoot } from "./helpers.js";

let root: string;
let dirs: { embedding: string; emotion: string; nli: string };

beforeAll(async () => {
  root = await tempRoot();
  dirs = await writeTinyModels(`${root}/tiny`);
});
afterAll(() => rm(root, { recursive: true, force: true }));

function setup(extra: Parameters<typeof modelsOptions>[2] = {}) {
  return countingRegistry(
    modelsOptions(`${root}/cache`, { embedding: dirs.embedding, emotion: dirs.emotion, "zero-shot": dirs.nli }, extra),
  );
}

describe("embeddings (feature-extraction, mean pooling) on a tiny model", () => {
  it("is chosen by the registry when its folder is present, with the dimension read from config.json", () => {
    const { registry } = setup();
    const embedder = registry.embedder();
    expect(embedder).toBeInstanceOf(TransformersEmbedder);
    expect(embedder.dimension).toBe(TINY_EMBEDDING_DIMENSION);
    expect(embedder.modelId).toBe(dirs.embedding);
    expect(registry.embeddingProvenance()).toEqual({ method: "model", model: dirs.embedding });
  });

  it("gives unit vectors that put texts of one topic together", async () => {
    const { registry } = setup();
    const [q, cat, war] = await registry
      .embedder()
      .embed(["kitten", "the dog and the cat", "soldiers in battle"], "passage");
    for (const v of [q!, cat!, war!]) {
      expect(v).toHaveLength(TINY_EMBEDDING_DIMENSION);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    expect(cosine(q!, cat!)).toBeGreaterThan(cosine(q!, war!) + 0.3);
  });

  it("gives the zero vector for an empty text without calling the model", async () => {
    const { registry, runtime } = setup();
    const [v] = await registry.embedder().embed(["   "], "query");
    expect(norm(v!)).toBe(0);
    expect(runtime.created).toHaveLength(0);
  });

  it("loads the model once per process, even for concurrent first calls, and batches inference", async () => {
    const { registry, runtime } = setup({ batchSize: 32 });
    const embedder = registry.embedder() as TransformersEmbedder;
    const texts = Array.from({ length: 70 }, (_, i) => `cat ${i % 7 === 0 ? "war" : "dog"}`);
    const [a, b] = await Promise.all([embedder.embed(texts, "passage"), embedder.embed(texts.slice(0, 5), "query")]);
    expect(a).toHaveLength(70);
    expect(b).toHaveLength(5);
    expect(runtime.created.filter((c) => c.task === "feature-extraction")).toHaveLength(1);
    expect(embedder.calls).toBe(3 + 1); // 70 texts in batches of 32 = 3 calls, plus 1 for the 5 queries
    // a later call reuses the loaded pipeline
    await embedder.embed(["dog"], "query");
    expect(runtime.created).toHaveLength(1);
    expect(runtime.created[0]!.options.localOnly).toBe(true);
  });

  it("passes the configured thread count to onnxruntime's session options", () => {
    const { runtime } = setup({ threads: 2 });
    expect(runtime.pretrainedOptions({ dtype: "fp32", localOnly: true })).toMatchObject({
      session_options: { intraOpNumThreads: 2 },
      local_files_only: true,
      device: "cpu",
    });
  });

  it("prefixes e5 inputs with query: / passage:", async () => {
    const seen: string[][] = [];
    const fake = Object.assign((texts: unknown) => {
      seen.push(texts as string[]);
      return Promise.resolve({
        dims: [(texts as string[]).length, 2],
        data: new Float32Array((texts as string[]).length * 2).fill(Math.SQRT1_2),
      });
    }, {});
    const e5 = new TransformersEmbedder(() => Promise.resolve(fake), {
      modelId: "e5",
      dimension: 2,
      prefixes: { query: "query: ", passage: "passage: " },
    });
    await e5.embed(["who"], "query");
    await e5.embed(["he said"], "passage");
    expect(seen).toEqual([["query: who"], ["passage: he said"]]);
  });
});

describe("emotion (text-classification, GoEmotions labels → Ekman) on a tiny model", () => {
  it("maps model labels to Ekman's six + neutral, with the model as provenance", async () => {
    const { registry } = setup();
    const classifier = await registry.emotion();
    expect(classifier).toBeInstanceOf(TransformersEmotionClassifier);
    expect(classifier.provenance).toEqual({ method: "model", model: dirs.emotion });
    const [happy, grief, scared, plain] = await classifier.classify([
      "I am so happy today",
      "mourning and sad",
      "terrified and afraid",
      "the mat",
    ]);
    const top = (s: Record<string, number>) => Object.entries(s).sort((a, b) => b[1] - a[1])[0]![0];
    expect(top(happy!)).toBe("joy");
    expect(top(grief!)).toBe("sadness"); // grief + sadness are both Ekman sadness
    expect(top(scared!)).toBe("fear"); // nervousness + fear
    expect(top(plain!)).toBe("neutral");
    for (const s of [happy!, grief!, scared!, plain!]) {
      expect(Object.keys(s).sort()).toEqual([...EMOTIONS].sort());
      expect(Object.values(s).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
  });

  it("classifies in batches of the configured size", async () => {
    const { registry } = setup({ batchSize: 4 });
    const classifier = (await registry.emotion()) as TransformersEmotionClassifier;
    const out = await classifier.classify(Array.from({ length: 10 }, () => "glad"));
    expect(out).toHaveLength(10);
    expect(classifier.calls).toBe(3);
  });
});

describe("zero-shot (NLI) on a tiny model", () => {
  it("ranks the entailed label first, single- and multi-label", async () => {
    const { registry } = setup();
    const zs = await registry.zeroShot();
    expect(zs.provenance.method).toBe("model");
    const [single] = await zs.classify(["a film about war and soldiers"], ["love", "war", "food"]);
    expect(single!.labels[0]!.label).toBe("war");
    expect(single!.labels.reduce((a, l) => a + l.score, 0)).toBeCloseTo(1, 5);
    const [multi] = await zs.classify(["a kiss at the wedding"], ["love", "war", "food"], { multiLabel: true });
    expect(multi!.labels[0]!.label).toBe("love");
    expect(multi!.labels[0]!.score).toBeGreaterThan(0.5);
    expect(multi!.labels[2]!.score).toBeLessThan(0.5);
  });

  it("keeps the hypothesis of a long scene: the premise is cut, never the label (issue 13)", async () => {
    const { registry } = setup();
    const zs = await registry.zeroShot();
    // 600 filler words: premise + hypothesis is past the model's 512 tokens; cutting the pair's end (as the
    // pipeline does) removes "This example is <label>." and every label then scores the same
    const long = `a kiss at the wedding ${"and ".repeat(600)}`;
    const [r] = await zs.classify([long], ["love", "war", "food"]);
    expect(r!.labels[0]!.label).toBe("love");
    expect(r!.labels[0]!.score - r!.labels[1]!.score).toBeGreaterThan(0.2);
  });

  it("scores every (text, label) pair in batches, with the same scores as one pair at a time", async () => {
    const batched = setup({ batchSize: 32 }).registry;
    const single = setup({ batchSize: 1 }).registry;
    const texts = ["soldiers at war", "a kiss at the wedding", "soup for dinner", "rain and storm"];
    const labels = ["love", "war", "food", "weather"];
    const a = (await batched.zeroShot()) as TransformersZeroShotClassifier;
    const b = (await single.zeroShot()) as TransformersZeroShotClassifier;
    const ra = await a.classify(texts, labels);
    const rb = await b.classify(texts, labels);
    // 16 pairs: one forward pass at batch 32, sixteen at batch 1
    expect(a.calls).toBe(1);
    expect(b.calls).toBe(16);
    expect(ra.map((r) => r.labels[0]!.label)).toEqual(["war", "love", "food", "weather"]);
    ra.forEach((r, i) => r.labels.forEach((l, j) => expect(l.score).toBeCloseTo(rb[i]!.labels[j]!.score, 5)));
  });

  it("stops between batches when aborted", async () => {
    const zs = (await setup({ batchSize: 1 }).registry.zeroShot()) as TransformersZeroShotClassifier;
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(zs.classify(["soldiers at war"], ["love", "war"], { signal: controller.signal })).rejects.toThrow(
      "stop",
    );
    expect(zs.calls).toBe(0);
  });
});
