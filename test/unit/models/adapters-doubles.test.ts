// The captioning and CLIP adapters on TEST DOUBLES of the transformers.js pipeline/models: batching, output
// shapes, normalisation, provenance. The real transformers.js path runs on tiny generated models of both
// architectures in transformers-tiny-vision.test.ts, and on the real models in
// test/integration/models/real-models.test.ts when CINERAG_TEST_MODELS_DIR holds them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rm } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { TransformersCaptioner } from "../../../src/models/transformers/transformers.captioner.js";
import { TransformersClipEmbedder, type ClipParts } from "../../../src/models/transformers/transformers.clip.js";
import { TransformersRuntime } from "../../../src/models/transformers/runtime.js";
import { batches, mapBatched } from "../../../src/models/batching.js";
import { progressAggregator } from "../../../src/models/transformers/runtime.js";
import { norm, tempRoot } from "./helpers.js";

let root: string;
let images: string[];
const runtime = new TransformersRuntime({ cacheDir: "/nonexistent", offline: true });

beforeAll(async () => {
  root = await tempRoot();
  images = [];
  for (let i = 0; i < 5; i++) {
    const file = path.join(root, `k${i}.jpg`);
    await sharp({ create: { width: 32, height: 18, channels: 3, background: { r: i * 40, g: 10, b: 10 } } })
      .jpeg()
      .toFile(file);
    images.push(file);
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("TransformersCaptioner (pipeline double)", () => {
  it("reads the images, captions each batch with one generate call, cuts rows at the end token and trims", async () => {
    const batchSizes: number[] = [];
    const END = 0;
    const words = ["<end>", "an", "image", "32", "wide", "after"];
    const pipe = Object.assign(() => Promise.reject(new Error("the pipeline's own call is not used")), {
      processor: (imgs: unknown) =>
        Promise.resolve({ pixel_values: (imgs as Array<{ width: number }>).map((i) => i.width) }),
      model: {
        config: { decoder: { eos_token_id: END } },
        generate: ({ inputs }: { inputs: number[] }) => {
          batchSizes.push(inputs.length);
          // start token, the caption, the end token, then what a decoder says after it
          return Promise.resolve({ tolist: () => inputs.map(() => [END, 1, 2, 3, 4, END, 5].map(BigInt)) });
        },
      },
      tokenizer: {
        batch_decode: (rows: bigint[][]) =>
          rows.map((r) => ` ${r.map((t) => (t === BigInt(END) ? "" : words[Number(t)])).join(" ")} `),
      },
    });
    const captioner = new TransformersCaptioner(pipe, {
      model: "Xenova/vit-gpt2-image-captioning",
      batchSize: 2,
      runtime,
    });
    expect(await captioner.caption(images)).toEqual(Array(5).fill("an image 32 wide"));
    expect(batchSizes).toEqual([2, 2, 1]);
    expect(captioner.calls).toBe(3);
    expect(captioner.provenance).toEqual({ method: "model", model: "Xenova/vit-gpt2-image-captioning" });
  });
});

describe("TransformersClipEmbedder (model doubles)", () => {
  it("gives unit image and text vectors of the projection dimension", async () => {
    const tensor = (n: number) => ({ dims: [n, 3], data: Float32Array.from({ length: n * 3 }, (_, i) => (i % 3) + 1) });
    const parts: ClipParts = {
      processor: (imgs: unknown) => Promise.resolve({ n: (imgs as unknown[]).length }),
      tokenizer: (texts: unknown) => Promise.resolve({ n: (texts as unknown[]).length }),
      vision: Object.assign(
        (inputs: unknown) => Promise.resolve({ image_embeds: tensor((inputs as { n: number }).n) }),
        {
          config: { projection_dim: 3 },
        },
      ),
      text: Object.assign((inputs: unknown) => Promise.resolve({ text_embeds: tensor((inputs as { n: number }).n) }), {
        config: { projection_dim: 3 },
      }),
    };
    const clip = new TransformersClipEmbedder(parts, { model: "Xenova/clip-vit-base-patch32", batchSize: 4, runtime });
    expect(clip.dimension).toBe(3);
    const v = await clip.embedImages(images);
    expect(v).toHaveLength(5);
    for (const x of v) expect(norm(x)).toBeCloseTo(1, 5);
    const t = await clip.embedTexts(["a red room"]);
    expect(norm(t[0]!)).toBeCloseTo(1, 5);
  });
});

describe("helpers", () => {
  it("batches and checks result counts", async () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    await expect(mapBatched([1, 2], 2, () => Promise.resolve([1]))).rejects.toThrow(/gave 1 results/);
  });

  it("turns per-file download events into one total", () => {
    const seen: number[] = [];
    const cb = progressAggregator((p) => seen.push(Math.round(p.percent)));
    cb({ status: "progress", file: "a", loaded: 50, total: 100 });
    cb({ status: "progress", file: "b", loaded: 0, total: 100 });
    cb({ status: "done", file: "a" });
    cb({ status: "progress", file: "b", loaded: 100, total: 100 });
    expect(seen).toEqual([50, 25, 50, 100]);
  });
});
