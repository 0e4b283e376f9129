// The real transformers.js + onnxruntime-node path (no doubles) for the vision models, on tiny generated
// models of the real architectures (test/fixtures/tiny-vision-models.ts): CLIP's two towers through the
// registry, and the style analysis' look labels on them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rm } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import {
  TINY_CAPTIONS,
  TINY_CLIP_DIMENSION,
  writeTinyCaptionModel,
  writeTinyClipModel,
} from "../../fixtures/tiny-vision-models.js";
import { TransformersCaptioner } from "../../../src/models/transformers/transformers.captioner.js";
import { TransformersClipEmbedder, type ClipParts } from "../../../src/models/transformers/transformers.clip.js";
import { lookLabels } from "../../../src/analysis/style/look-labels.js";
import type { AnalysisReads, KeyframeData } from "../../../src/analysis/scope.js";
import {
  abortAtFirstRun,
  countingRegistry,
  countSessionRuns,
  cosine,
  modelsOptions,
  norm,
  tempRoot,
} from "./helpers.js";

let root: string;
let clipDir: string;
let captionDir: string;
const images: Record<string, string> = {};

const COLOURS: Record<string, { r: number; g: number; b: number }> = {
  red: { r: 255, g: 0, b: 0 },
  green: { r: 0, g: 255, b: 0 },
  blue: { r: 0, g: 0, b: 255 },
  white: { r: 255, g: 255, b: 255 },
  black: { r: 0, g: 0, b: 0 },
};

beforeAll(async () => {
  root = await tempRoot();
  clipDir = await writeTinyClipModel(path.join(root, "clip"));
  captionDir = await writeTinyCaptionModel(path.join(root, "caption"));
  // not square and larger than the model's 32 × 32: the processor must resize and crop
  for (const [name, background] of Object.entries(COLOURS)) {
    images[name] = path.join(root, `${name}.png`);
    await sharp({ create: { width: 64, height: 48, channels: 3, background } })
      .png()
      .toFile(images[name]);
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Counts the calls of each tower (the embedder calls the parts the registry loaded). */
function countTowerCalls(parts: ClipParts): { vision: number; text: number } {
  const calls = { vision: 0, text: 0 };
  for (const tower of ["vision", "text"] as const) {
    const model = parts[tower];
    parts[tower] = Object.assign(
      (inputs: unknown) => {
        calls[tower]++;
        return model(inputs);
      },
      { config: model.config },
    );
  }
  return calls;
}

function setup(extra: Parameters<typeof modelsOptions>[2] = {}) {
  return countingRegistry(modelsOptions(path.join(root, "cache"), { clip: clipDir, caption: captionDir }, extra));
}

describe("CLIP (vision and text towers with projections) on a tiny model", () => {
  it("is loaded by the registry from its folder, with the dimension of its config's projection_dim", async () => {
    const { registry } = setup();
    expect(registry.status("clip")).toMatchObject({ state: "present", dir: clipDir });
    const clip = await registry.imageText();
    expect(clip).toBeInstanceOf(TransformersClipEmbedder);
    expect(clip.dimension).toBe(TINY_CLIP_DIMENSION);
    expect(clip.provenance).toEqual({ method: "model", model: clipDir });
  });

  it("puts each colour's image nearest the text naming it, in unit vectors of the model's dimension", async () => {
    const { registry } = setup({ batchSize: 2 });
    const clip = await registry.imageText();
    const calls = countTowerCalls(await registry.load<ClipParts>("clip"));
    const names = Object.keys(COLOURS);
    const imageVectors = await clip.embedImages(names.map((n) => images[n]!));
    const textVectors = await clip.embedTexts(["a red car", "a green field", "the blue sea", "white", "black night"]);
    expect(calls).toEqual({ vision: 3, text: 3 }); // 5 images and 5 texts in batches of 2, 2 and 1
    for (const v of [...imageVectors, ...textVectors]) {
      expect(v).toHaveLength(TINY_CLIP_DIMENSION);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    imageVectors.forEach((image, i) => {
      const scores = textVectors.map((t) => cosine(image, t));
      const best = scores.indexOf(Math.max(...scores));
      expect(names[best], `image ${names[i]} scores ${scores.map((s) => s.toFixed(2)).join(", ")}`).toBe(names[i]);
    });
    // the same text alone and in a padded batch gives the same vector: the attention mask reaches the model
    const [alone] = await clip.embedTexts(["red"]);
    const [, padded] = await clip.embedTexts(["a photo of the sea at night", "red"]);
    alone!.forEach((x, i) => expect(x).toBeCloseTo(padded![i]!, 5));
    // the image's pixels reach the model normalised with the processor's mean and std: pure red is "red"
    expect(cosine(imageVectors[0]!, alone!)).toBeGreaterThan(0.999);
  });

  it("gives the style analysis' look labels: a black keyframe looks dark (horror), a white one bright", async () => {
    const { registry } = setup();
    const clip = await registry.imageText();
    const keyframe = (id: string, file: string): KeyframeData => ({
      id,
      clipId: "c",
      shotId: `s-${id}`,
      sceneId: null,
      time: 0,
      path: file,
      brightness: 0,
      contrast: 0,
      saturation: 0,
      colourfulness: 0,
      palette: [],
      weight: 1,
    });
    const reads = { keyframeVectors: () => Promise.resolve([]) } as unknown as AnalysisReads;
    const dark = await lookLabels(clip, [keyframe("k1", images.black!)], { reads, dataDir: root });
    expect(dark).toMatchObject({ available: true, model: clipDir, keyframes: 1 });
    expect(dark.labels[0]!.label).toBe("horror");
    expect(dark.labels.reduce((a, l) => a + l.confidence, 0)).toBeCloseTo(1, 2);
    const bright = await lookLabels(clip, [keyframe("k2", images.white!)], { reads, dataDir: root });
    expect(bright.labels[0]!.label).toBe("romantic comedy");
  });
});

describe("captioning (image-to-text: ViT encoder, GPT-2 decoder with a cache) on a tiny model", () => {
  it("is loaded by the registry from its folder and writes each image's caption", async () => {
    const { registry, runtime } = setup();
    const captioner = await registry.captioner();
    expect(captioner).toBeInstanceOf(TransformersCaptioner);
    expect(captioner.provenance).toEqual({ method: "model", model: captionDir });
    const names = ["red", "blue", "green", "red"];
    expect(await captioner.caption(names.map((n) => images[n]!))).toEqual(names.map((n) => TINY_CAPTIONS[n]));
    expect(runtime.created.map((c) => c.task)).toEqual(["image-to-text"]);
  });

  it("runs one encoder pass and one generate call per batch, stopping when the batch's last caption ends", async () => {
    const { registry } = setup({ batchSize: 3 });
    const captioner = (await registry.captioner()) as TransformersCaptioner;
    const runs = countSessionRuns(await registry.load("caption"));
    const names = ["red", "blue", "green", "blue"];
    // blue ends after one word, the others after two: in the batch blue's row is held on the end token
    // (the decoder would say "again" after it) and cut there
    expect(await captioner.caption(names.map((n) => images[n]!))).toEqual(names.map((n) => TINY_CAPTIONS[n]));
    expect(captioner.calls).toBe(2); // [red, blue, green] and [blue]
    expect(runs.model).toBe(2);
    // the first batch: colour word, then car/end/field, then end for all = 3 decoder steps; the second 2
    expect(runs.decoder_model_merged).toBe(3 + 2);
  });

  it("stops mid-generation when its signal aborts, within one decoder step", async () => {
    const { registry } = setup({ batchSize: 3 });
    const captioner = await registry.captioner();
    const controller = new AbortController();
    // uninterrupted, the first batch of three takes 3 decoder steps and the second 2
    const decoder = abortAtFirstRun(await registry.load("caption"), "decoder_model_merged", controller);
    const names = ["red", "blue", "green", "blue"];
    await expect(
      captioner.caption(
        names.map((n) => images[n]!),
        controller.signal,
      ),
    ).rejects.toThrow("cancelled by the test");
    expect(decoder.runs).toBe(1);
  });
});
