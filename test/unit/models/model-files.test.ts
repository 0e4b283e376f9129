// Presence means every file a pipeline reads, in one dtype, of the manifest's sizes; `pull` verifies the
// manifest's sha256 sums and repairs; only an unreachable hub stops other downloads; the zero-shot and
// CLIP reasons name their own model. Real transformers.js + onnxruntime on tiny generated models; the hub
// is a fake fetch over folders (test/unit/models/fake-hub.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendFile, cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_MODELS, ModelRegistry, pickDtype } from "../../../src/models/model-registry.js";
import { checkFolder, completeDtype, MANIFEST, requiredFiles } from "../../../src/models/model-files.js";
import { writeTinyEmotionModel, writeTinyNliModel } from "../../fixtures/tiny-models.js";
import { fakeHub } from "./fake-hub.js";
import { countingRegistry, modelsOptions, tempRoot } from "./helpers.js";

let root: string;
let emotionSrc: string;
let nliSrc: string;
beforeAll(async () => {
  root = await tempRoot();
  emotionSrc = await writeTinyEmotionModel(path.join(root, "src-emotion"));
  nliSrc = await writeTinyNliModel(path.join(root, "src-nli"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function touch(dir: string, files: string[]) {
  for (const f of files) {
    await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await writeFile(path.join(dir, f), "{}");
  }
}

describe("dtype", () => {
  it("is chosen only when every session of the pipeline has a file with its suffix", async () => {
    const dir = path.join(root, "asr-dtypes");
    await touch(dir, ["onnx/encoder_model_quantized.onnx", "onnx/decoder_model_merged.onnx"]);
    // one q8 file and one fp32 file: neither dtype is complete
    expect(completeDtype(dir, "automatic-speech-recognition", "q8")).toBeUndefined();
    await touch(dir, ["onnx/encoder_model.onnx"]);
    expect(completeDtype(dir, "automatic-speech-recognition", "q8")).toBe("fp32");
    await touch(dir, ["onnx/decoder_model_merged_quantized.onnx"]);
    expect(completeDtype(dir, "automatic-speech-recognition", "q8")).toBe("q8");
  });

  it("knows transformers.js 4.3's q2 and q1 suffixes (not taken for fp32)", async () => {
    const dir = path.join(root, "q2");
    await touch(dir, ["onnx/model_q2.onnx"]);
    expect(pickDtype(dir, "q8")).toBe("q2");
    const q1 = path.join(root, "q1");
    await touch(q1, ["onnx/model_q1f16.onnx"]);
    expect(pickDtype(q1, "fp32")).toBe("q1f16");
  });

  it("lists external data chunks as required when the config says so", async () => {
    const dir = path.join(root, "external");
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, "config.json"),
      JSON.stringify({ "transformers.js_config": { use_external_data_format: { "model_q4.onnx": 2 } } }),
    );
    expect(requiredFiles(dir, "text-generation", "q4")).toEqual(
      expect.arrayContaining(["onnx/model_q4.onnx", "onnx/model_q4.onnx_data", "onnx/model_q4.onnx_data_1"]),
    );
  });
});

describe("a half-downloaded model", () => {
  it("is not present: config.json plus one .onnx of a Whisper is missing its other files", async () => {
    const cache = path.join(root, "half-cache");
    const dir = path.join(cache, DEFAULT_MODELS.asr.id);
    await touch(dir, ["config.json", "onnx/encoder_model_quantized.onnx"]);
    const registry = new ModelRegistry(modelsOptions(cache, {}, { offline: true }));
    const s = registry.status("asr");
    expect(s.state).toBe("unavailable");
    expect(s.missing).toEqual(expect.arrayContaining(["onnx/decoder_model_merged_quantized.onnx"]));
    expect(checkFolder(dir, "automatic-speech-recognition", "q8").complete).toBe(false);
  });

  it("is fetched by `pull`, which writes a manifest; a damaged file is then found and fetched again", async () => {
    const cache = path.join(root, "repair-cache");
    const id = DEFAULT_MODELS.emotion.id;
    const dir = path.join(cache, id);
    // what an interrupted download leaves: config.json and the tokenizer, no weights
    await mkdir(dir, { recursive: true });
    await cp(path.join(emotionSrc, "config.json"), path.join(dir, "config.json"));
    await cp(path.join(emotionSrc, "tokenizer.json"), path.join(dir, "tokenizer.json"));
    const hub = fakeHub({ [id]: emotionSrc });
    // the tiny folder has model.onnx (fp32); the hub answers 404 for the q8 name, as a repo without it would
    const { registry } = countingRegistry(modelsOptions(cache), { fetch: hub.fetch });
    expect(registry.status("emotion").state).toBe("downloadable");
    expect(registry.status("emotion").missing).toEqual(
      expect.arrayContaining(["tokenizer_config.json", "onnx/model_quantized.onnx"]),
    );
    const pulled = await registry.pull("emotion").catch((e: unknown) => e);
    // the registry asks for the spec's dtype (q8): the fake hub has only fp32, so the pull fails cleanly ...
    expect(String(pulled)).toMatch(/could not be downloaded/);
    await registry.dispose();

    // ... and with the q8 file on the hub it completes and records a manifest
    await cp(path.join(emotionSrc, "onnx", "model.onnx"), path.join(emotionSrc, "onnx", "model_quantized.onnx"));
    const second = countingRegistry(modelsOptions(cache), { fetch: hub.fetch });
    const after = await second.registry.pull("emotion");
    expect(after.state).toBe("present");
    expect(after.repaired).toEqual(expect.arrayContaining(["onnx/model_quantized.onnx"]));
    const manifest = JSON.parse(await readFile(path.join(dir, MANIFEST), "utf8")) as { files: object };
    expect(Object.keys(manifest.files)).toEqual(expect.arrayContaining(["onnx/model_quantized.onnx", "config.json"]));
    await second.registry.dispose();

    // a file of the wrong size: not present any more, `pull` fetches it again
    await appendFile(path.join(dir, "tokenizer.json"), " ");
    const third = countingRegistry(modelsOptions(cache), { fetch: hub.fetch });
    expect(third.registry.status("emotion")).toMatchObject({ state: "downloadable", missing: ["tokenizer.json"] });
    const before = hub.requests.length;
    expect((await third.registry.pull("emotion")).repaired).toEqual(["tokenizer.json"]);
    expect(hub.requests.slice(before).some((r) => r.endsWith("/tokenizer.json"))).toBe(true);
    await third.registry.dispose();

    // same size, other bytes: only the checksum tells; `pull` finds and repairs it
    const tok = path.join(dir, "tokenizer_config.json");
    const text = await readFile(tok, "utf8");
    await writeFile(tok, text.replace(/"/, "'"));
    const fourth = countingRegistry(modelsOptions(cache), { fetch: hub.fetch });
    expect(fourth.registry.status("emotion").state).toBe("present");
    expect((await fourth.registry.pull("emotion")).repaired).toEqual(["tokenizer_config.json"]);
    expect(await readFile(tok, "utf8")).toBe(text);
    await fourth.registry.dispose();
  });
});

describe("load failures", () => {
  it("a model the hub does not have does not stop downloads of the others", async () => {
    const cache = path.join(root, "404-cache");
    const hub = fakeHub({ [DEFAULT_MODELS["zero-shot"].id]: nliSrc });
    await cp(path.join(nliSrc, "onnx", "model.onnx"), path.join(nliSrc, "onnx", "model_quantized.onnx"));
    const { registry } = countingRegistry(modelsOptions(cache), { fetch: hub.fetch });
    // the emotion repo answers 404: a failure of that model only
    expect((await registry.emotion()).provenance.method).toBe("lexicon");
    expect(registry.available("zero-shot")).toBe(true);
    const zs = await registry.zeroShot();
    expect(zs.provenance.model).toBe(DEFAULT_MODELS["zero-shot"].id);
    await registry.dispose();
  });

  it("an unreachable hub stops later downloads, and their reason names the hub, not another model", async () => {
    const failing = (() =>
      Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } }))) as typeof fetch;
    const { registry } = countingRegistry(modelsOptions(path.join(root, "down-cache")), { fetch: failing });
    await registry.emotion();
    for (const [task, load] of [
      ["zero-shot", () => registry.zeroShot()],
      ["clip", () => registry.imageText()],
    ] as const) {
      const message = await load().then(
        () => "",
        (e: unknown) => (e as Error).message,
      );
      expect(message).toContain(DEFAULT_MODELS[task].id);
      expect(message).toMatch(/huggingface\.co: ENOTFOUND/);
      expect(message).not.toContain(DEFAULT_MODELS.emotion.id);
    }
  });
});
