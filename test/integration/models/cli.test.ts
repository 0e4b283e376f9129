// `cinerag models list`, `cinerag models pull` (failing fast offline), `cinerag doctor`, and an offline
// `cinerag ingest` whose enrichment falls back and says so. Runs the built binary (npm test builds first).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import Database from "better-sqlite3";
import { runCli } from "../../e2e/ingest/cli-helpers.js";
import { talkClip, tempDir } from "../../fixtures/media.js";
import { writeTinyEmotionModel } from "../../fixtures/tiny-models.js";
import { migrateDatabase } from "../../../src/store/migrate.js";

let dir: string;
let emotionDir: string;

beforeAll(async () => {
  dir = await tempDir("cinerag-models-cli-");
  emotionDir = await writeTinyEmotionModel(path.join(dir, "tiny-emotion"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("cinerag models list", () => {
  it("shows each task's model, whether it is on disk with its size, and the fallback", async () => {
    const env = {
      CINERAG_DATA_DIR: path.join(dir, "data-list"),
      CINERAG_MODEL_EMOTION: emotionDir,
      CINERAG_MODEL_GENERATION: "off",
      CINERAG_OFFLINE: "1",
    };
    const json = await runCli(["models", "list", "--json"], env);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe("");
    const rows = JSON.parse(json.stdout) as Array<{
      task: string;
      model: string;
      state: string;
      sizeBytes: number | null;
      fallback: string | null;
    }>;
    expect(rows.map((r) => r.task)).toEqual([
      "embedding",
      "emotion",
      "zero-shot",
      "caption",
      "clip",
      "asr",
      "generation",
    ]);
    const byTask = Object.fromEntries(rows.map((r) => [r.task, r]));
    expect(byTask.emotion).toMatchObject({ model: emotionDir, state: "present" });
    expect(byTask.emotion!.sizeBytes).toBeGreaterThan(1000);
    expect(byTask.embedding).toMatchObject({ model: "Xenova/multilingual-e5-small", state: "unavailable" });
    expect(byTask.embedding!.fallback).toMatch(/hashing/);
    expect(byTask.generation!.state).toBe("skipped");

    const text = await runCli(["models", "list"], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^emotion\s+\S+tiny-emotion\s+on disk, \d+(\.\d)? KiB/m);
    expect(text.stdout).toMatch(/^caption\s+Xenova\/vit-gpt2-image-captioning\s+not downloaded; offline/m);
  });
});

describe("cinerag models pull", () => {
  it("fails fast offline with one line naming the model and the command", async () => {
    // "fast": offline, no download is attempted (the cache stays empty); no wall-clock bound
    const run = await runCli(["models", "pull", "emotion"], {
      CINERAG_DATA_DIR: path.join(dir, "data-pull"),
      CINERAG_OFFLINE: "1",
    });
    const cache = path.join(dir, "data-pull", "models");
    expect(
      existsSync(cache) ? readdirSync(cache, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [],
    ).toEqual([]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^cinerag: model for emotion \(SamLowe\/roberta-base-go_emotions-onnx\) is not in the model cache and CINERAG_OFFLINE=1 forbids downloading it: run `cinerag models pull emotion`/,
    );
  });

  it("reports a model already on disk, and refuses unknown tasks", async () => {
    const env = {
      CINERAG_DATA_DIR: path.join(dir, "data-pull"),
      CINERAG_MODEL_EMOTION: emotionDir,
      CINERAG_OFFLINE: "1",
    };
    const ok = await runCli(["models", "pull", "emotion", "--json"], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ task: "emotion", ok: true, state: "present" });
    const bad = await runCli(["models", "pull", "colour"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown model task colour/);
  });
});

describe("cinerag doctor", () => {
  it("checks ffmpeg, the database, the search index and every model; warnings do not fail it", async () => {
    const dataDir = path.join(dir, "data-doctor");
    await migrateDatabase(path.join(dataDir, "cinerag.db"));
    const run = await runCli(["doctor", "--json"], { CINERAG_DATA_DIR: dataDir, CINERAG_OFFLINE: "1" });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      ok: boolean;
      checks: Array<{ name: string; level: string; detail: string }>;
    };
    expect(out.ok).toBe(true);
    const check = (name: string) => out.checks.find((c) => c.name === name)!;
    expect(check("ffmpeg")).toMatchObject({ level: "ok" });
    expect(check("ffmpeg").detail).toMatch(/ffmpeg version .*\((system|npm|config):/);
    expect(check("ffprobe")).toMatchObject({
      level: "ok",
      detail: expect.stringMatching(/ffprobe version .*\((system|npm|config):/) as unknown,
    });
    expect(check("database").detail).toMatch(/\d+ migrations applied, none pending/);
    expect(check("search index").level).toBe("ok");
    expect(check("model emotion")).toMatchObject({ level: "warn" });
    expect(check("model emotion").detail).toMatch(/cinerag models pull emotion/);
  });

  it("exits non-zero when something required is broken", async () => {
    const run = await runCli(["doctor"], {
      CINERAG_DATA_DIR: path.join(dir, "data-doctor"),
      CINERAG_MODEL_CAPTION: path.join(dir, "no-such-model"),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^fail\s+model caption\s+.*no-such-model holds no model/m);
    expect(run.stdout).toMatch(/something required is broken/);
  });
});

describe("cinerag ingest, offline, without models", () => {
  it("stores the clip, with lexicon emotions and hashing embeddings, and skips captions, quietly", async () => {
    const clip = await talkClip(dir);
    const dataDir = path.join(dir, "data-ingest");
    // the hashing embedder asked for by name (the default offline embedder, word vectors, has its own tests)
    const run = await runCli(["ingest", "--json", clip], {
      CINERAG_DATA_DIR: dataDir,
      CINERAG_OFFLINE: "1",
      CINERAG_MODEL_EMBEDDING: "hashing",
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      enrichment: Array<{ step: string; status: string; method?: string; reason?: string }>;
    };
    expect(out.enrichment.map((e) => [e.step, e.status, e.method])).toEqual([
      ["embedding", "done", "hashing"],
      ["emotion", "done", "lexicon"],
      ["caption", "skipped", undefined],
      ["clip", "skipped", undefined],
    ]);
    expect(out.enrichment[2]!.reason).toMatch(/cinerag models pull caption/);
    const db = new Database(path.join(dataDir, "cinerag.db"), { readonly: true });
    try {
      const rows = db
        .prepare("SELECT q.text, e.label, e.method FROM CueEmotion e JOIN Cue q ON q.id = e.cueId ORDER BY q.startTime")
        .all();
      expect(rows).toEqual([
        { text: "I am so happy!", label: "joy", method: "lexicon" },
        { text: "I'm scared.", label: "fear", method: "lexicon" },
      ]);
    } finally {
      db.close();
    }
    // a second ingest of the same clip computes nothing new
    const again = await runCli(["ingest", "--json", clip], {
      CINERAG_DATA_DIR: dataDir,
      CINERAG_OFFLINE: "1",
      CINERAG_MODEL_EMBEDDING: "hashing",
    });
    const second = JSON.parse(again.stdout) as {
      clip: { alreadyIngested: boolean };
      enrichment: Array<{ computed: number }>;
    };
    expect(second.clip.alreadyIngested).toBe(true);
    expect(second.enrichment.map((e) => e.computed)).toEqual([0, 0, 0, 0]);
  });
});
