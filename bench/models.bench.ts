// Embedding throughput through the real transformers.js + onnxruntime path: texts per second at batch 1
// and at batch 32, and their ratio. `npm run bench:models` (TEXTS=... to change the count, THREADS=... for
// onnxruntime's intra-op threads).
// The model: the real Xenova/multilingual-e5-small when CINERAG_TEST_MODELS_DIR (or CINERAG_DATA_DIR's model
// cache) holds it; otherwise the tiny generated model of the tests (a Gather over a 32-d table, no layers),
// which measures the pipeline's overhead (tokenising, session calls, pooling), not a transformer's compute:
// the output says which.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DEFAULT_MODELS, ModelRegistry, modelFilesPresent } from "../src/models/model-registry.js";
import { TransformersEmbedder } from "../src/models/transformers/transformers.embedder.js";
import { writeTinyEmbeddingModel, TINY_TOPICS } from "../test/fixtures/tiny-models.js";

const TEXTS = Number(process.env.TEXTS ?? 512);
const THREADS = process.env.THREADS ? Number(process.env.THREADS) : undefined;

function findRealModel(): string | undefined {
  const roots = [
    process.env.CINERAG_TEST_MODELS_DIR,
    process.env.CINERAG_DATA_DIR && path.join(process.env.CINERAG_DATA_DIR, "models"),
  ].filter((r): r is string => Boolean(r));
  for (const root of roots) {
    const dir = path.join(root, DEFAULT_MODELS.embedding.id);
    if (modelFilesPresent(dir)) return dir;
  }
  return undefined;
}

// subtitle-like lines: 6 to 14 words from the tiny model's vocabulary plus common words
const WORDS = [
  ...Object.values(TINY_TOPICS).flat(),
  "the",
  "a",
  "is",
  "and",
  "we",
  "they",
  "there",
  "was",
  "today",
  "happy",
  "sad",
  "very",
];
let seed = 11;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const line = () =>
  Array.from({ length: 6 + Math.floor(rand() * 9) }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(" ");
const texts = Array.from({ length: TEXTS }, line);

async function throughput(embedder: TransformersEmbedder, batch: number): Promise<number> {
  // warm-up (the first call also loads the model)
  await embedder.embed(texts.slice(0, batch), "passage");
  const started = performance.now();
  for (let i = 0; i < texts.length; i += batch) await embedder.embed(texts.slice(i, i + batch), "passage");
  return texts.length / ((performance.now() - started) / 1000);
}

const tmp = await mkdtemp(path.join(os.tmpdir(), "cinerag-bench-models-"));
try {
  const real = findRealModel();
  const dir = real ?? (await writeTinyEmbeddingModel(path.join(tmp, "tiny-embedding")));
  const which = real
    ? `${DEFAULT_MODELS.embedding.id} (real model, ${dir})`
    : "TINY generated test model (32-d Gather, no transformer layers): measures pipeline overhead only, not a real model's speed";
  const make = (batchSize: number) => {
    const registry = new ModelRegistry({
      overrides: { embedding: dir },
      cacheDir: path.join(tmp, "cache"),
      offline: true,
      threads: THREADS,
      batchSize,
    });
    const embedder = registry.embedder();
    if (!(embedder instanceof TransformersEmbedder)) throw new Error(`no neural embedder for ${dir}`);
    return { registry, embedder };
  };
  const one = make(1);
  const b1 = await throughput(one.embedder, 1);
  await one.registry.dispose();
  const many = make(32);
  const b32 = await throughput(many.embedder, 32);
  await many.registry.dispose();
  console.log(`model: ${which}`);
  console.log(
    `texts: ${texts.length} subtitle-like lines of 6-14 words; threads: ${THREADS ?? "onnxruntime default"}; cpus: ${os.cpus().length}`,
  );
  console.log(`batch 1:  ${b1.toFixed(0)} texts/s`);
  console.log(`batch 32: ${b32.toFixed(0)} texts/s`);
  console.log(`ratio (batch 32 / batch 1): ${(b32 / b1).toFixed(2)}x`);
  if (!existsSync(dir)) throw new Error("model folder vanished");
} finally {
  await rm(tmp, { recursive: true, force: true });
}
