// The real models, when they are on this machine: set CINERAG_TEST_MODELS_DIR to a folder laid out like
// the model cache (<dir>/<hub id>/config.json, onnx/*.onnx, ...), e.g. filled by `CINERAG_DATA_DIR=x
// cinerag models pull` (then CINERAG_TEST_MODELS_DIR=x/models). Each test is skipped, with the reason in
// its name, when its model is not there; CI has no model weights, so there they are all skipped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { DEFAULT_MODELS, ModelRegistry, modelFilesPresent } from "../../../src/models/model-registry.js";
import type { ModelTask } from "../../../src/models/model-ports.js";
import { TransformersEmbedder } from "../../../src/models/transformers/transformers.embedder.js";

const MODELS_DIR = process.env.CINERAG_TEST_MODELS_DIR;
const has = (task: ModelTask) =>
  Boolean(
    MODELS_DIR && modelFilesPresent(path.join(MODELS_DIR, DEFAULT_MODELS[task].id), DEFAULT_MODELS[task].pipeline),
  );
const title = (task: ModelTask, what: string) =>
  has(task)
    ? what
    : `${what} (skipped: ${MODELS_DIR ? `CINERAG_TEST_MODELS_DIR has no ${DEFAULT_MODELS[task].id}` : "CINERAG_TEST_MODELS_DIR is not set"})`;

let registry: ModelRegistry;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "cinerag-real-models-"));
  registry = new ModelRegistry({ overrides: {}, cacheDir: MODELS_DIR ?? tmp, offline: true, batchSize: 8 });
});
afterAll(async () => {
  await registry.dispose();
  await rm(tmp, { recursive: true, force: true });
});

async function square(colour: { r: number; g: number; b: number }, name: string): Promise<string> {
  const file = path.join(tmp, `${name}.png`);
  await sharp({ create: { width: 224, height: 224, channels: 3, background: colour } })
    .png()
    .toFile(file);
  return file;
}

describe("real models (CINERAG_TEST_MODELS_DIR)", () => {
  it.skipIf(!has("caption"))(title("caption", "captions an image"), async () => {
    const captioner = await registry.captioner();
    const [caption] = await captioner.caption([await square({ r: 220, g: 30, b: 30 }, "red")]);
    expect(caption!.length).toBeGreaterThan(3);
    expect(captioner.provenance).toEqual({ method: "model", model: DEFAULT_MODELS.caption.id });
  });

  it.skipIf(!has("clip"))(title("clip", "puts an image near the text that describes it"), async () => {
    const clip = await registry.imageText();
    const [red] = await clip.embedImages([await square({ r: 220, g: 30, b: 30 }, "red2")]);
    const [redText, blueText] = await clip.embedTexts(["a red square", "a blue square"]);
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    expect(red!.length).toBe(clip.dimension);
    expect(dot(red!, redText!)).toBeGreaterThan(dot(red!, blueText!));
  });

  it.skipIf(!has("asr"))(title("asr", "transcribes audio with timestamps"), async () => {
    const whisper = await registry.transcriber();
    const samples = new Float32Array(16000 * 5).map((_, i) => 0.1 * Math.sin((2 * Math.PI * 440 * i) / 16000));
    const out = await whisper.transcribe(samples);
    expect(Array.isArray(out.segments)).toBe(true);
    for (const s of out.segments) expect(s.endTime).toBeGreaterThanOrEqual(s.startTime);
  });

  it.skipIf(!has("embedding"))(
    title("embedding", "finds English dialogue for a Chinese question (multilingual e5)"),
    async () => {
      const embedder = registry.embedder();
      expect(embedder).toBeInstanceOf(TransformersEmbedder);
      expect(embedder.dimension).toBe(384);
      const [q] = await embedder.embed(["猫在哪里？"], "query");
      const [cat, war] = await embedder.embed(
        ["Where is the cat? It was sleeping on the sofa.", "The soldiers marched to the front."],
        "passage",
      );
      const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
      expect(dot(q!, cat!)).toBeGreaterThan(dot(q!, war!));
    },
  );

  it.skipIf(!has("emotion"))(title("emotion", "classifies emotion"), async () => {
    const classifier = await registry.emotion();
    const [s] = await classifier.classify(["I'm so happy for you!"]);
    expect(classifier.provenance.method).toBe("model");
    expect(s!.joy).toBeGreaterThan(s!.sadness);
  });

  it.skipIf(!has("zero-shot"))(title("zero-shot", "classifies themes zero-shot"), async () => {
    const zs = await registry.zeroShot();
    const [r] = await zs.classify(
      ["The soldiers charged across the battlefield under fire."],
      ["war", "romance", "cooking"],
    );
    expect(r!.labels[0]!.label).toBe("war");
  });

  it.skipIf(!has("generation"))(title("generation", "generates a short answer, streaming tokens"), async () => {
    const generator = await registry.generator();
    const tokens: string[] = [];
    const text = await generator.generate([{ role: "user", content: "Say hello in French, one word." }], {
      maxTokens: 8,
      onToken: (t) => tokens.push(t),
    });
    expect(text.length).toBeGreaterThan(0);
    expect(tokens.length).toBeGreaterThan(0);
  });
});
