// The registry without models on disk: configuration overrides, fast detection, offline fallbacks with
// provenance, coded errors that name `cinerag models pull`, and a failed download remembered (not retried
// per call). No network is used: offline tests never reach fetch, and "online" ones get a fetch that fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_MODELS, ModelRegistry, pickDtype, resolveModel } from "../../../src/models/model-registry.js";
import { isModelUnavailable, ModelUnavailableError } from "../../../src/models/model-errors.js";
import { HashingEmbedder } from "../../../src/models/hashing.embedder.js";
import {
  FALLBACK_EMOTION_ID,
  FallbackEmotionClassifier,
} from "../../../src/models/emotion-fallback/fallback.emotion-classifier.js";
import { WordVecEmbedder } from "../../../src/models/wordvec/wordvec.embedder.js";
import { loadConfig } from "../../../src/config.js";
import { writeTinyEmotionModel } from "../../fixtures/tiny-models.js";
import { countingRegistry, modelsOptions, tempRoot } from "./helpers.js";

let root: string;
beforeAll(async () => {
  root = await tempRoot();
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("configuration", () => {
  it("names a default for every task: e5-small (384-d, query/passage prefixes) for embeddings", () => {
    expect(Object.keys(DEFAULT_MODELS).sort()).toEqual([
      "asr",
      "caption",
      "clip",
      "embedding",
      "emotion",
      "generation",
      "zero-shot",
    ]);
    expect(DEFAULT_MODELS.embedding).toMatchObject({
      id: "Xenova/multilingual-e5-small",
      dimension: 384,
      prefixes: { query: "query: ", passage: "passage: " },
    });
    expect(DEFAULT_MODELS.emotion.multilingual).toMatch(/multilingual/);
    expect(DEFAULT_MODELS.asr.id).toMatch(/whisper/);
  });

  it("reads CINERAG_MODEL_<TASK> as a hub id, a local folder, off, or (embedding) hashing", () => {
    const config = loadConfig({
      CINERAG_DATA_DIR: root,
      CINERAG_MODEL_EMOTION: "someone/emotion-onnx",
      CINERAG_MODEL_ZERO_SHOT: "./models/nli",
      CINERAG_MODEL_CAPTION: "off",
      CINERAG_MODEL_EMBEDDING: "hashing",
      CINERAG_MODEL_THREADS: "3",
      CINERAG_ENRICH: "emotion,caption",
    });
    expect(config.models.cacheDir).toBe(path.join(root, "models"));
    expect(config.models.threads).toBe(3);
    expect(config.enrich).toEqual(["emotion", "caption"]);
    const r = (t: Parameters<typeof resolveModel>[0]) => resolveModel(t, config.models);
    expect(r("emotion")).toMatchObject({
      kind: "hub",
      id: "someone/emotion-onnx",
      dir: path.join(root, "models", "someone/emotion-onnx"),
    });
    expect(r("zero-shot")).toMatchObject({ kind: "local", id: path.resolve("./models/nli") });
    expect(r("caption").kind).toBe("off");
    expect(r("embedding").kind).toBe("hashing");
    expect(r("clip")).toMatchObject({ kind: "hub", configured: "default", id: DEFAULT_MODELS.clip.id });
    expect(loadConfig({ CINERAG_ENRICH: "none" }).enrich).toEqual([]);
    expect(loadConfig({}).enrich).toEqual(["embedding", "emotion", "caption", "clip", "asr"]);
    expect(() => loadConfig({ CINERAG_ENRICH: "emotion,colour" })).toThrow(/CINERAG_ENRICH: unknown step colour/);
  });

  it("picks the dtype from the files on disk", async () => {
    const dir = path.join(root, "dtypes");
    await mkdir(path.join(dir, "onnx"), { recursive: true });
    await writeFile(path.join(dir, "onnx", "model.onnx"), "");
    expect(pickDtype(dir, "q8")).toBe("fp32");
    await writeFile(path.join(dir, "onnx", "model_quantized.onnx"), "");
    expect(pickDtype(dir, "q8")).toBe("q8");
  });
});

describe("offline (CINERAG_OFFLINE=1) with nothing downloaded", () => {
  const offline = () => new ModelRegistry(modelsOptions(path.join(root, "empty-cache"), {}, { offline: true }));

  it("reports every model unavailable, without loading anything", () => {
    // "fast" is checked structurally: no pipeline is created (no wall-clock bound: machines are noisy)
    const { runtime, registry } = countingRegistry(
      modelsOptions(path.join(root, "empty-cache"), {}, { offline: true }),
    );
    expect(registry.list().map((s) => s.state)).toEqual(Array(7).fill("unavailable"));
    expect(registry.available("emotion")).toBe(false);
    expect(runtime.created).toEqual([]);
  });

  it("falls back to the word-vector embedder (the hashing one when asked for), and says so", () => {
    const registry = offline();
    expect(registry.embedder()).toBeInstanceOf(WordVecEmbedder);
    expect(registry.embeddingProvenance()).toEqual({ method: "wordvec", model: registry.embedder().modelId });
    const hashing = new ModelRegistry(
      modelsOptions(path.join(root, "empty-cache"), { embedding: "hashing" }, { offline: true }),
    );
    expect(hashing.embeddingProvenance()).toEqual({
      method: "hashing",
      model: new HashingEmbedder({ dimension: 384 }).modelId,
    });
  });

  it("falls back to the lexicon for emotion, with its provenance on the classifier", async () => {
    const classifier = await offline().emotion();
    expect(classifier).toBeInstanceOf(FallbackEmotionClassifier);
    expect(classifier.provenance).toEqual({ method: "lexicon", model: FALLBACK_EMOTION_ID });
    const [s] = await classifier.classify(["I am so happy!"]);
    expect(s!.joy).toBeGreaterThan(s!.neutral);
  });

  it("fails tasks without a fallback with a coded error naming the model and `cinerag models pull <task>`", async () => {
    const registry = offline();
    for (const [task, load] of [
      ["caption", () => registry.captioner()],
      ["zero-shot", () => registry.zeroShot()],
      ["asr", () => registry.transcriber()],
      ["clip", () => registry.imageText()],
      ["generation", () => registry.generator()],
    ] as const) {
      const error = await load().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isModelUnavailable(error)).toBe(true);
      expect((error as ModelUnavailableError).code).toBe("MODEL_UNAVAILABLE");
      expect((error as Error).message).toContain(DEFAULT_MODELS[task].id);
      expect((error as Error).message).toContain(`cinerag models pull ${task}`);
      expect((error as Error).message).not.toContain("\n");
    }
  });

  it("refuses `pull` at once, without trying the network", async () => {
    let fetches = 0;
    const counting: typeof fetch = () => {
      fetches++;
      return Promise.reject(new TypeError("fetch failed"));
    };
    const { runtime, registry } = countingRegistry(
      modelsOptions(path.join(root, "empty-cache"), {}, { offline: true }),
      { fetch: counting },
    );
    await expect(registry.pull("emotion")).rejects.toThrow(
      /CINERAG_OFFLINE=1 forbids downloading it: run `cinerag models pull emotion`/,
    );
    expect(fetches).toBe(0);
    expect(runtime.created).toEqual([]);
  });

  it("uses a model that is in the cache even offline", async () => {
    const cache = path.join(root, "offline-cache");
    await writeTinyEmotionModel(path.join(cache, DEFAULT_MODELS.emotion.id));
    const registry = new ModelRegistry(modelsOptions(cache, {}, { offline: true }));
    expect(registry.status("emotion")).toMatchObject({ state: "present" });
    expect(registry.status("emotion").sizeBytes).toBeGreaterThan(1000);
    const classifier = await registry.emotion();
    expect(classifier.provenance).toEqual({ method: "model", model: DEFAULT_MODELS.emotion.id });
    await registry.dispose();
  });
});

describe("online, but the download fails", () => {
  it("tries once, falls back, and does not try again for the next task", async () => {
    let fetches = 0;
    const failing: typeof fetch = () => {
      fetches++;
      return Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } }));
    };
    const { registry } = countingRegistry(modelsOptions(path.join(root, "online-cache")), { fetch: failing });
    expect(registry.status("emotion").state).toBe("downloadable");
    const classifier = await registry.emotion();
    expect(classifier.provenance.method).toBe("lexicon");
    const first = fetches;
    expect(first).toBeGreaterThan(0);
    // the network is known to be down now: the caption model is not attempted
    expect(registry.available("caption")).toBe(false);
    const error = await registry.captioner().catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /could not be downloaded.*hub could not be reached earlier in this run.*cinerag models pull caption/,
    );
    expect(fetches).toBe(first);
    // the same load is not retried either (the failure is cached)
    await expect(registry.load("emotion")).rejects.toThrow(/could not be downloaded/);
    expect(fetches).toBe(first);
  });

  it("never downloads the embedding model implicitly (the index's model would change mid-run)", () => {
    const registry = new ModelRegistry(modelsOptions(path.join(root, "online-cache-2")));
    expect(registry.status("embedding").state).toBe("downloadable");
    expect(registry.available("embedding")).toBe(false);
    expect(registry.embedder()).toBeInstanceOf(WordVecEmbedder);
  });

  it("reports a configured local folder that holds no model", async () => {
    const registry = new ModelRegistry(modelsOptions(path.join(root, "c"), { emotion: path.join(root, "nope") }));
    expect(registry.status("emotion").state).toBe("missing-local-folder");
    expect((await registry.emotion()).provenance.method).toBe("lexicon");
    await expect(registry.pull("emotion")).rejects.toThrow(/CINERAG_MODEL_EMOTION/);
  });
});
