// `cinerag reindex` end to end: the real binary (bin/cinerag.js -> dist/, so build first: `npm test` does)
// over a data directory whose rows were written with Prisma.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HashingEmbedder } from "../../../src/models/hashing.embedder.js";
import { EmbeddedSceneIndex } from "../../../src/search/embedded.scene-index.js";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { createPrismaClient, type PrismaClient } from "../../../src/store/prisma.client.js";
import { runCli } from "../ingest/cli-helpers.js";
import { seedClip, TEXTS, type SeedClip } from "../../integration/search/seed.js";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cinerag-reindex-"));
// the test builds its index with the hashing embedder, so the CLI is configured with it too
const env = { CINERAG_DATA_DIR: dataDir, CINERAG_SEARCH: "embedded", CINERAG_MODEL_EMBEDDING: "hashing" };
const embedder = new HashingEmbedder({ dimension: 384 }); // what src/app.ts configures
const searchFile = path.join(dataDir, "search.db");
let prisma: PrismaClient;
let a: SeedClip;
let b: SeedClip;

beforeAll(async () => {
  await migrateDatabase(path.join(dataDir, "cinerag.db"));
  prisma = createPrismaClient(path.join(dataDir, "cinerag.db"));
  a = await seedClip(prisma, { title: "Alpha", texts: TEXTS });
  b = await seedClip(prisma, { title: "Beta", texts: TEXTS.slice(0, 4), language: "ja", outbox: false });
  // an index built with another model (a dimension change): everything must be rebuilt
  const old = new EmbeddedSceneIndex({ file: searchFile, model: { modelId: "old-model", dimension: 64 } });
  await old.init();
  await old.close();
});
afterAll(async () => {
  await prisma?.$disconnect();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function indexCount(filter?: Parameters<EmbeddedSceneIndex["count"]>[0]): Promise<number> {
  const index = new EmbeddedSceneIndex({
    file: searchFile,
    model: { modelId: embedder.modelId, dimension: embedder.dimension },
  });
  try {
    return await index.count(filter);
  } finally {
    await index.close();
  }
}

describe("cinerag reindex", () => {
  it("refuses a one-clip reindex after a model change, naming the full reindex", async () => {
    const r = await runCli(["reindex", "--clip", a.clipId], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^cinerag: .*old-model.*run `cinerag reindex` without --clip/);
  });

  it("rebuilds everything from the database with the configured model", async () => {
    const r = await runCli(["reindex", "--json"], env); // 14 scenes, 10 distinct texts (Beta repeats 4 of Alpha)
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      clips: 2,
      scenes: 14,
      embedded: 10,
      reset: true,
      modelId: embedder.modelId,
      dimension: 384,
    });
    expect(await indexCount()).toBe(14);
    expect(await indexCount({ clipIds: [b.clipId], languages: ["ja"] })).toBe(4);
    expect(await prisma.searchOutbox.count()).toBe(0); // the queued rows were made redundant
  });

  it("reindexes one clip, with vectors from the cache, and says so in plain text", async () => {
    await prisma.scene.update({ where: { id: a.sceneIds[0]! }, data: { text: "A brand new line about a submarine." } });
    const r = await runCli(["reindex", "--clip", a.clipId], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^reindexed 10 scenes of 1 clips into the embedded index .*1 vectors computed/);
    expect(await indexCount()).toBe(14);
    const index = new EmbeddedSceneIndex({
      file: searchFile,
      model: { modelId: embedder.modelId, dimension: embedder.dimension },
    });
    try {
      expect((await index.keywordSearch("submarine")).map((h) => h.sceneId)).toEqual([a.sceneIds[0]]);
    } finally {
      await index.close();
    }
  });

  it("answers an unknown clip with NOT_FOUND", async () => {
    const r = await runCli(["reindex", "--clip", "no-such-clip"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cinerag: no READY clip with id no-such-clip\n$/);
  });
});
