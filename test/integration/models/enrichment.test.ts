// Ingest enrichment against a real SQLite database: cue emotions (the tiny emotion model through
// transformers.js, then the lexicon), scene embeddings through the search module's EmbeddingCache (tiny
// embedding model), keyframe captions and CLIP vectors through TEST DOUBLES of the captioning and CLIP
// ports (no tiny model of those kinds can be built; test/integration/models/real-models.test.ts runs the
// real ones when CINERAG_TEST_MODELS_DIR holds them). Checks provenance, resumability (a second run
// computes nothing; only rows missing a result for the current model are computed), skipping and outbox.
import { FALLBACK_EMOTION_ID } from "../../../src/models/emotion-fallback/fallback.emotion-classifier.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { createPrismaClient, type PrismaClient } from "../../../src/store/prisma.client.js";
import { ModelRegistry, type ModelsOptions } from "../../../src/models/model-registry.js";
import type { ImageCaptioner, ImageTextEmbedder } from "../../../src/models/model-ports.js";
import { Enricher } from "../../../src/ingest/enrich/enricher.js";
import { sceneCaptions, withSceneCaptions } from "../../../src/ingest/enrich/scene-captions.js";
import { EmbeddingCache } from "../../../src/search/scene-documents.js";
import { EmbeddingCacheRepository } from "../../../src/store/embedding-cache.repository.js";
import { EnrichmentRepository } from "../../../src/store/enrichment.repository.js";
import { SearchOutboxRepository } from "../../../src/store/search-outbox.repository.js";
import { EmbeddedSceneIndex } from "../../../src/search/embedded.scene-index.js";
import { writeTinyModels } from "../../fixtures/tiny-models.js";
import { modelsOptions, tempRoot } from "../../unit/models/helpers.js";

let root: string;

/** every file below `dir` (none when it does not exist) */
function filesUnder(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
    : [];
}
let prisma: PrismaClient;
let dirs: { embedding: string; emotion: string; nli: string };

/** The captioning and CLIP ports as test doubles (counting calls); everything else is the real registry. */
class DoubleRegistry extends ModelRegistry {
  captionCalls = 0;
  clipCalls = 0;
  override available(task: Parameters<ModelRegistry["available"]>[0]): boolean {
    return task === "caption" || task === "clip" ? true : super.available(task);
  }
  override status(task: Parameters<ModelRegistry["status"]>[0]) {
    const s = super.status(task);
    return task === "caption" || task === "clip" ? { ...s, state: "present" as const, id: `double-${task}` } : s;
  }
  override captioner(): Promise<ImageCaptioner> {
    return Promise.resolve({
      provenance: { method: "model", model: "double-caption" },
      caption: (paths) => {
        this.captionCalls++;
        return Promise.resolve(paths.map((p) => `a picture of ${path.basename(p, ".jpg")}`));
      },
    });
  }
  override imageText(): Promise<ImageTextEmbedder> {
    return Promise.resolve({
      provenance: { method: "model", model: "double-clip" },
      dimension: 4,
      embedImages: (paths) => {
        this.clipCalls++;
        return Promise.resolve(paths.map(() => Float32Array.from([1, 0, 0, 0])));
      },
      embedTexts: (texts) => Promise.resolve(texts.map(() => Float32Array.from([0, 1, 0, 0]))),
    });
  }
}

async function seed(texts: string[]): Promise<{ clipId: string; sceneIds: string[] }> {
  const clipId = randomUUID();
  const trackId = randomUUID();
  const sceneIds = texts.map(() => randomUUID());
  await prisma.clip.create({
    data: {
      id: clipId,
      contentHash: `h-${clipId}`,
      path: "/m/x.mkv",
      title: "x",
      status: "READY",
      sizeBytes: 1,
      formatName: "mkv",
      duration: texts.length * 10,
      frameRate: 24,
      width: 64,
      height: 36,
    },
  });
  await prisma.subtitleTrack.create({
    data: { id: trackId, clipId, index: 0, source: "SIDECAR", codec: "subrip", language: "en" },
  });
  await prisma.scene.createMany({
    data: texts.map((text, i) => ({
      id: sceneIds[i]!,
      clipId,
      index: i,
      startTime: i * 10,
      endTime: i * 10 + 10,
      text,
    })),
  });
  await prisma.cue.createMany({
    data: texts.map((text, i) => ({
      id: randomUUID(),
      clipId,
      trackId,
      sceneId: sceneIds[i]!,
      index: i,
      startTime: i * 10,
      endTime: i * 10 + 4,
      rawText: text,
      text,
    })),
  });
  for (const [i, sceneId] of sceneIds.entries()) {
    const shotId = randomUUID();
    await prisma.shot.create({
      data: {
        id: shotId,
        clipId,
        sceneId,
        index: i,
        startTime: i * 10,
        endTime: i * 10 + 10,
        startFrame: i * 240,
        endFrame: i * 240 + 239,
        transition: i === 0 ? "START" : "CUT",
      },
    });
    await prisma.keyframe.create({
      data: {
        id: randomUUID(),
        clipId,
        shotId,
        time: i * 10 + 5,
        path: `keyframes/${clipId}/shot${i}.jpg`,
        width: 64,
        height: 36,
        brightness: 0.5,
        contrast: 0.1,
        saturation: 0.2,
        colourfulness: 10,
        palette: "[]",
      },
    });
  }
  return { clipId, sceneIds };
}

/** the repositories the enricher writes through (src/store) */
function stores() {
  return { store: new EnrichmentRepository(prisma), outbox: new SearchOutboxRepository(prisma) };
}

function enricher(options: ModelsOptions, registry = new DoubleRegistry(options)) {
  const embeddings = new EmbeddingCache(new EmbeddingCacheRepository(prisma), registry.embedder());
  return {
    registry,
    embeddings,
    enricher: new Enricher({
      ...stores(),
      registry,
      embeddings,
      dataDir: root,
      steps: ["embedding", "emotion", "caption", "clip"],
    }),
  };
}

beforeAll(async () => {
  root = await tempRoot("cinerag-enrich-");
  dirs = await writeTinyModels(path.join(root, "tiny"));
  await migrateDatabase(path.join(root, "cinerag.db"));
  prisma = createPrismaClient(path.join(root, "cinerag.db"));
});
afterAll(async () => {
  await prisma.$disconnect();
  await rm(root, { recursive: true, force: true });
});

describe("enrichment of a stored clip", () => {
  it("computes every step once, with provenance, and nothing on a second run", async () => {
    const { clipId, sceneIds } = await seed(["I am so happy", "soldiers in battle, terrified", "the cat on the mat"]);
    const options = modelsOptions(path.join(root, "cache"), { embedding: dirs.embedding, emotion: dirs.emotion });
    const { enricher: e, registry } = enricher(options);
    const progress: string[] = [];
    const first = await e.enrichClip(clipId, { onProgress: (stage, p) => progress.push(`${stage}:${Math.round(p)}`) });
    expect(first.map((r) => [r.step, r.status, r.method, r.computed, r.total])).toEqual([
      ["embedding", "done", "model", 3, 3],
      ["emotion", "done", "model", 3, 3],
      ["caption", "done", "model", 3, 3],
      ["clip", "done", "model", 3, 3],
    ]);
    expect(first[0]!.model).toBe(dirs.embedding);
    expect(first[1]!.model).toBe(dirs.emotion);
    for (const stage of ["embedding", "emotion", "caption", "clip"]) {
      expect(progress).toContain(`${stage}:0`);
      expect(progress).toContain(`${stage}:100`);
    }

    const emotions = await prisma.cueEmotion.findMany({
      where: { clipId },
      include: { cue: true },
      orderBy: { cue: { index: "asc" } },
    });
    expect(emotions.map((r) => [r.label, r.method, r.model])).toEqual([
      ["joy", "model", dirs.emotion],
      ["fear", "model", dirs.emotion],
      ["neutral", "model", dirs.emotion],
    ]);
    expect(Object.keys(JSON.parse(emotions[0]!.scores) as object)).toHaveLength(7);
    expect(await prisma.embeddingCache.count({ where: { modelId: dirs.embedding } })).toBe(3);
    expect(await prisma.keyframeVector.count({ where: { clipId, model: "double-clip" } })).toBe(3);
    // captions queue the scenes for the index again, and their documents carry the captions
    expect(await prisma.searchOutbox.count({ where: { clipId, op: "UPSERT" } })).toBe(3);
    const captions = await sceneCaptions(new EnrichmentRepository(prisma), sceneIds);
    expect(captions.get(sceneIds[1]!)).toBe("a picture of shot1");

    // resumable: a second run computes nothing (embedding cache, rows per model)
    const second = await e.enrichClip(clipId);
    expect(second.map((r) => r.computed)).toEqual([0, 0, 0, 0]);
    expect(registry.captionCalls).toBe(1);
    expect(registry.clipCalls).toBe(1);
  });

  it("computes only what is missing for the current model (a crash mid-way, then a model change)", async () => {
    const { clipId } = await seed(["glad", "furious", "wow", "sad"]);
    const options = modelsOptions(path.join(root, "cache"), { embedding: dirs.embedding, emotion: dirs.emotion });
    const { enricher: e } = enricher(options);
    // as if a previous run had stopped after the first cue
    const firstCue = await prisma.cue.findFirstOrThrow({ where: { clipId, index: 0 } });
    await prisma.cueEmotion.create({
      data: { cueId: firstCue.id, clipId, model: dirs.emotion, method: "model", label: "joy", scores: "{}" },
    });
    const [emotion] = await e.enrichClip(clipId, { steps: ["emotion"] });
    expect(emotion).toMatchObject({ status: "done", computed: 3, total: 4 });

    // offline without the model: the lexicon adds its own rows beside the model's
    const lexicon = enricher(modelsOptions(path.join(root, "empty"), {}, { offline: true }));
    const [fallback] = await lexicon.enricher.enrichClip(clipId, { steps: ["emotion"] });
    expect(fallback).toMatchObject({
      status: "done",
      method: "lexicon",
      model: FALLBACK_EMOTION_ID,
      computed: 4,
    });
    expect(await prisma.cueEmotion.count({ where: { clipId } })).toBe(8);
  });

  it("skips a step whose model cannot be had, at once, with the reason", async () => {
    const { clipId } = await seed(["hello"]);
    const registry = new ModelRegistry(modelsOptions(path.join(root, "empty"), {}, { offline: true }));
    const e = new Enricher({
      ...stores(),
      registry,
      embeddings: new EmbeddingCache(new EmbeddingCacheRepository(prisma), registry.embedder()),
      dataDir: root,
      steps: ["embedding", "emotion", "caption", "clip"],
    });
    // "at once": nothing is fetched or written to the (empty, offline) model cache; no wall-clock bound
    const results = await e.enrichClip(clipId);
    expect(filesUnder(path.join(root, "empty"))).toEqual([]);
    expect(results.map((r) => [r.step, r.status, r.method])).toEqual([
      ["embedding", "done", "wordvec"],
      ["emotion", "done", "lexicon"],
      ["caption", "skipped", undefined],
      ["clip", "skipped", undefined],
    ]);
    expect(results[2]!.reason).toMatch(/cinerag models pull caption/);
  });

  it("runs only the configured steps", async () => {
    const { clipId } = await seed(["hello"]);
    const registry = new ModelRegistry(modelsOptions(path.join(root, "empty"), {}, { offline: true }));
    const e = new Enricher({ ...stores(), registry, dataDir: root, steps: ["emotion"] });
    expect((await e.enrichClip(clipId)).map((r) => r.step)).toEqual(["emotion"]);
  });

  it("adds captions to the documents written to the search index", async () => {
    const { clipId, sceneIds } = await seed(["a", "b"]);
    const { enricher: e } = enricher(modelsOptions(path.join(root, "empty"), {}, { offline: true }));
    await e.enrichClip(clipId, { steps: ["caption"] });
    // the real embedded index (no dialogue in these documents: only their captions can match)
    const index = new EmbeddedSceneIndex({
      file: path.join(root, `captions-${clipId}`, "search.db"),
      model: { modelId: "none", dimension: 4 },
    });
    try {
      await withSceneCaptions(index, new EnrichmentRepository(prisma)).upsert(
        sceneIds.map((sceneId) => ({ sceneId, clipId, clipTitle: "x", startTime: 0, endTime: 1, text: "" })),
      );
      expect((await index.keywordSearch("shot0")).map((h) => h.sceneId)).toEqual([sceneIds[0]]);
      expect((await index.keywordSearch("shot1")).map((h) => h.sceneId)).toEqual([sceneIds[1]]);
      expect((await index.keywordSearch("picture")).map((h) => h.sceneId).sort()).toEqual([...sceneIds].sort());
    } finally {
      await index.close();
    }
  });
});
