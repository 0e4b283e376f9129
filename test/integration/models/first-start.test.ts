// Real models by default (issue 13): on a machine with a network, the first `cinerag ingest` (or `serve`)
// downloads the embedding and emotion models before it opens the app, so a new user following the README
// gets them, not the fallbacks. The hub here is a real HTTP server on 127.0.0.1 with the Hugging Face URL
// layout (`/<id>/resolve/main/<file>`, CINERAG_MODEL_HUB) serving tiny generated models of the real
// architectures; transformers.js downloads them over HTTP and onnxruntime runs them. The suite's default
// (vitest.config.ts) switches the first-start pull off; these tests switch it on. Runs the built binary.
import { copyFile, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../e2e/ingest/cli-helpers.js";
import { talkClip, tempDir } from "../../fixtures/media.js";
import { writeTinyEmbeddingModel, writeTinyEmotionModel } from "../../fixtures/tiny-models.js";
import { DEFAULT_MODELS } from "../../../src/models/model-registry.js";

let dir: string;
let hub: Server;
let hubUrl: string;
let clip: string;
const requests: string[] = [];
const EMBEDDING = DEFAULT_MODELS.embedding.id;
const EMOTION = DEFAULT_MODELS.emotion.id;

interface IngestOut {
  enrichment: Array<{ step: string; status: string; method?: string; model?: string }>;
}

beforeAll(async () => {
  dir = await tempDir("cinerag-first-start-");
  const root = path.join(dir, "hub");
  for (const [id, write] of [
    [EMBEDDING, writeTinyEmbeddingModel],
    [EMOTION, writeTinyEmotionModel],
  ] as const) {
    await write(path.join(root, id));
    // the hub holds every dtype's file; the registry asks for the quantized one (q8) by default
    await copyFile(path.join(root, id, "onnx", "model.onnx"), path.join(root, id, "onnx", "model_quantized.onnx"));
  }
  hub = createServer((req, res) => {
    requests.push(req.url ?? "");
    const m = /^\/(.+?)\/resolve\/main\/(.+)$/.exec(decodeURIComponent(req.url ?? ""));
    const file = m && !m[2]!.includes("..") ? path.join(root, m[1]!, m[2]!) : undefined;
    readFile(file ?? "/nonexistent")
      .then((bytes) => res.writeHead(200, { "content-length": bytes.length }).end(bytes))
      .catch(() => res.writeHead(404).end("not found"));
  });
  await new Promise<void>((resolve) => hub.listen(0, "127.0.0.1", resolve));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`;
  clip = await talkClip(dir);
});
afterAll(async () => {
  await new Promise((resolve) => hub?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const env = (data: string, hubAt = hubUrl) => ({
  CINERAG_DATA_DIR: path.join(dir, data),
  CINERAG_MODEL_HUB: hubAt,
  CINERAG_MODELS_FIRST_PULL: "embedding,emotion",
  CINERAG_ENRICH: "embedding,emotion",
});

describe("first start online", () => {
  it("downloads the embedding and emotion models, then ingests with them", async () => {
    const run = await runCli(["ingest", "--json", clip], env("online"));
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^cinerag: first start: downloading the embedding model ${EMBEDDING}`, "m"));
    expect(run.stderr).toMatch(new RegExp(`^cinerag: emotion: ${EMOTION} downloaded \\(\\d`, "m"));
    expect(requests).toContain(`/${EMBEDDING}/resolve/main/onnx/model_quantized.onnx`);
    const out = JSON.parse(run.stdout) as IngestOut;
    const step = (name: string) => out.enrichment.find((e) => e.step === name);
    expect(step("embedding")).toMatchObject({ status: "done", method: "model", model: EMBEDDING });
    expect(step("emotion")).toMatchObject({ status: "done", method: "model", model: EMOTION });

    const list = await runCli(["models", "list", "--json"], { ...env("online"), CINERAG_OFFLINE: "1" });
    const states = Object.fromEntries(
      (JSON.parse(list.stdout) as Array<{ task: string; state: string }>).map((r) => [r.task, r.state]),
    );
    expect(states).toMatchObject({ embedding: "present", emotion: "present" });
  });

  it("the next start downloads nothing and says nothing about it", async () => {
    const before = requests.length;
    const run = await runCli(["ingest", "--json", clip], env("online"));
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/first start/);
    expect(requests.length).toBe(before);
  });

  it("offline nothing touches the network; with the pull off the embedding model is not fetched", async () => {
    const before = requests.length;
    const offline = await runCli(["ingest", "--json", clip], { ...env("offline"), CINERAG_OFFLINE: "1" });
    expect(offline.code).toBe(0);
    expect(requests.length).toBe(before);
    const off = await runCli(["ingest", "--json", clip], { ...env("off"), CINERAG_MODELS_FIRST_PULL: "none" });
    expect(off.code).toBe(0);
    expect(off.stderr).not.toMatch(/first start/);
    // the emotion model is still fetched on first use by the enrichment (as before); the embedding never is
    expect(requests.slice(before).filter((r) => r.startsWith(`/${EMBEDDING}/`))).toEqual([]);
  });

  it("an unreachable hub costs one line per model and the fallback is used", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runCli(["ingest", "--json", clip], env("unreachable", `http://127.0.0.1:${port}/`));
    expect(run.code).toBe(0);
    const failures = run.stderr.split("\n").filter((l) => /using the fallback/.test(l));
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatch(/embedding/);
    const out = JSON.parse(run.stdout) as IngestOut;
    expect(out.enrichment.find((e) => e.step === "embedding")?.method).not.toBe("model");
  });
});
