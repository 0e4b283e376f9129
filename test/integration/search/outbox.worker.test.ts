// The search outbox worker against a real database (Prisma, SQLite in a temp dir) and the embedded index.
// "Engine down" is simulated by FlakySceneIndex, a test double at the SceneIndex boundary: it forwards to a
// real EmbeddedSceneIndex and throws AppError("SEARCH_UNAVAILABLE") while `down` is set (as the
// Elasticsearch adapter does when the cluster cannot be reached).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../../src/errors/app-error.js";
import { HashingEmbedder } from "../../../src/models/hashing.embedder.js";
import type { EmbedKind } from "../../../src/models/embedder.port.js";
import { EmbeddedSceneIndex } from "../../../src/search/embedded.scene-index.js";
import { OutboxWorker } from "../../../src/search/outbox.worker.js";
import { EmbeddingCache } from "../../../src/search/scene-documents.js";
import type { SceneDocument, SceneIndex } from "../../../src/search/scene-index.port.js";
import { SearchService } from "../../../src/search/search.service.js";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { createPrismaClient, type PrismaClient } from "../../../src/store/prisma.client.js";
import { EmbeddingCacheRepository } from "../../../src/store/embedding-cache.repository.js";
import { SearchOutboxRepository } from "../../../src/store/search-outbox.repository.js";
import { SearchSourceRepository } from "../../../src/store/search-source.repository.js";
import { seedClip, TEXTS } from "./seed.js";

class CountingEmbedder extends HashingEmbedder {
  calls = 0;
  override async embed(texts: string[], kind: EmbedKind): Promise<Float32Array[]> {
    this.calls += texts.length;
    return super.embed(texts, kind);
  }
}

/** Test double at the boundary: a real index that is "unreachable" while `down` (or after `failAfter` writes). */
class FlakySceneIndex implements SceneIndex {
  readonly engine = "embedded" as const;
  down = false;
  /** go down after this many successful upsert calls */
  failAfter = Infinity;
  upserts = 0;
  constructor(readonly inner: EmbeddedSceneIndex) {}
  private check(): void {
    if (this.down || this.upserts >= this.failAfter)
      throw new AppError("SEARCH_UNAVAILABLE", "connect ECONNREFUSED 127.0.0.1:9200 (test double)");
  }
  async init() {
    this.check();
    return this.inner.init();
  }
  async upsert(docs: SceneDocument[]) {
    this.check();
    this.upserts++;
    return this.inner.upsert(docs);
  }
  async delete(ids: string[]) {
    this.check();
    return this.inner.delete(ids);
  }
  async deleteClip(id: string) {
    this.check();
    return this.inner.deleteClip(id);
  }
  keywordSearch: SceneIndex["keywordSearch"] = async (...a) => {
    this.check();
    return this.inner.keywordSearch(...a);
  };
  vectorSearch: SceneIndex["vectorSearch"] = async (...a) => {
    this.check();
    return this.inner.vectorSearch(...a);
  };
  hybridSearch: SceneIndex["hybridSearch"] = async (...a) => {
    this.check();
    return this.inner.hybridSearch(...a);
  };
  count: SceneIndex["count"] = async (f) => {
    this.check();
    return this.inner.count(f);
  };
  meta = () => this.inner.meta();
  reset = (m: string, d: number) => this.inner.reset(m, d);
  ping = () => Promise.resolve(!this.down);
  close = () => this.inner.close();
}

let dir: string;
let prisma: PrismaClient;
let embedder: CountingEmbedder;
const opened: Array<{ close(): Promise<void> }> = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cinerag-outbox-"));
  await migrateDatabase(path.join(dir, "cinerag.db"));
  prisma = createPrismaClient(path.join(dir, "cinerag.db"));
  embedder = new CountingEmbedder({ dimension: 64 });
});
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
  await prisma.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

function openIndex(): EmbeddedSceneIndex {
  const index = new EmbeddedSceneIndex({
    file: path.join(dir, "search.db"),
    model: { modelId: embedder.modelId, dimension: embedder.dimension },
  });
  opened.push(index);
  return index;
}

function worker(index: SceneIndex, opts: { batchSize?: number; now?: () => Date; client?: PrismaClient } = {}) {
  const client = opts.client ?? prisma;
  return new OutboxWorker({
    outbox: new SearchOutboxRepository(client),
    source: new SearchSourceRepository(client),
    index,
    embeddings: new EmbeddingCache(new EmbeddingCacheRepository(client), embedder),
    batchSize: opts.batchSize ?? 4,
    baseBackoffMs: 1000,
    now: opts.now,
  });
}

describe("OutboxWorker", () => {
  it("drains the outbox into the index with documents built from the database", async () => {
    const clip = await seedClip(prisma, { title: "Noir Night", texts: TEXTS, language: "en-GB" });
    const index = openIndex();
    const result = await worker(index).drain();
    expect(result).toMatchObject({ upserted: 10, rows: 10, failedRows: 0, remaining: 0, embedded: 10 });
    expect(await prisma.searchOutbox.count()).toBe(0);
    expect(await index.count()).toBe(10);
    // language of the main track (track 0 is skipped), clip filter, time filter
    expect(await index.count({ languages: ["en"] })).toBe(10);
    expect(await index.count({ clipIds: [clip.clipId], timeRange: { from: 95, to: 125 } })).toBe(2);
    const search = new SearchService({ index, embedder, source: new SearchSourceRepository(prisma) });
    const [hit] = await search.searchScenes("bloody knife", { mode: "HYBRID", first: 3 });
    expect(hit).toMatchObject({ sceneId: clip.sceneIds[0], clipId: clip.clipId, matchedBy: ["KEYWORD", "SEMANTIC"] });
    expect(hit!.scene).toMatchObject({ id: clip.sceneIds[0], index: 0, startTime: 0, endTime: 30 });
    expect(hit!.highlights.join(" ")).toContain("<mark>knife</mark>");
    const [sem] = await search.searchScenes("violin concert", { mode: "SEMANTIC", first: 1 });
    expect(sem!.sceneId).toBe(clip.sceneIds[3]);
    await expect(search.searchScenes("  ", {})).rejects.toMatchObject({ code: "BAD_INPUT" });
  });

  it("reuses cached vectors (same text, same model) when scenes are queued again", async () => {
    const clip = await seedClip(prisma, { title: "A", texts: TEXTS });
    const index = openIndex();
    await worker(index).drain();
    expect(embedder.calls).toBe(10);
    await prisma.searchOutbox.createMany({
      data: clip.sceneIds.map((sceneId) => ({ op: "UPSERT", sceneId, clipId: clip.clipId })),
    });
    const again = await worker(index).drain();
    expect(again).toMatchObject({ upserted: 10, embedded: 0 });
    expect(embedder.calls).toBe(10);
    expect(await index.count()).toBe(10);
  });

  it("deletes scenes queued for deletion and scenes no longer in the database", async () => {
    const clip = await seedClip(prisma, { title: "A", texts: TEXTS.slice(0, 4) });
    const index = openIndex();
    await worker(index).drain();
    await prisma.scene.delete({ where: { id: clip.sceneIds[1]! } });
    await prisma.searchOutbox.createMany({
      data: [
        { op: "DELETE", sceneId: clip.sceneIds[0]!, clipId: clip.clipId },
        { op: "UPSERT", sceneId: clip.sceneIds[1]!, clipId: clip.clipId }, // gone from the database
        { op: "UPSERT", sceneId: clip.sceneIds[2]!, clipId: clip.clipId },
        { op: "DELETE", sceneId: clip.sceneIds[2]!, clipId: clip.clipId }, // the later row wins
      ],
    });
    await worker(index).drain();
    expect(await index.count()).toBe(1);
    expect((await index.keywordSearch("violin")).map((h) => h.sceneId)).toEqual([clip.sceneIds[3]]);
  });

  it("keeps keyword search (the postings) in step with scenes changed and deleted through the outbox", async () => {
    const clip = await seedClip(prisma, { title: "A", texts: TEXTS });
    const index = openIndex();
    await worker(index).drain();
    expect((await index.keywordSearch("violin")).map((h) => h.sceneId)).toEqual([clip.sceneIds[3]]);
    // scene 3's dialogue is re-read (another text), scene 0 is removed, as a re-ingest queues them
    await prisma.scene.update({ where: { id: clip.sceneIds[3]! }, data: { text: "A trumpet plays in the rain." } });
    await prisma.searchOutbox.createMany({
      data: [
        { op: "UPSERT", sceneId: clip.sceneIds[3]!, clipId: clip.clipId },
        { op: "DELETE", sceneId: clip.sceneIds[0]!, clipId: clip.clipId },
      ],
    });
    await worker(index).drain();
    expect(await index.keywordSearch("violin")).toEqual([]);
    expect(await index.keywordSearch("knife")).toEqual([]);
    for (const q of ["trumpet rain", "the old captain", "night train paris"]) {
      const got = await index.keywordSearch(q, { limit: 5 });
      const exact = await index.keywordSearchExact(q, { limit: 5 });
      expect(got.map((h) => h.sceneId)).toEqual(exact.map((h) => h.sceneId));
      got.forEach((h, i) => expect(h.score).toBeCloseTo(exact[i]!.score, 9));
    }
    expect((await index.keywordSearch("trumpet"))[0]!.sceneId).toBe(clip.sceneIds[3]);
  });

  it("loses nothing while the engine is down: backs off, keeps the rows, catches up when it is back", async () => {
    await seedClip(prisma, { title: "A", texts: TEXTS });
    const flaky = new FlakySceneIndex(openIndex());
    flaky.down = true;
    let now = new Date("2030-01-01T00:00:00Z");
    const w = worker(flaky, { now: () => now });
    const first = await w.drain();
    expect(first).toMatchObject({ rows: 0, failedRows: 4, remaining: 10, error: { code: "SEARCH_UNAVAILABLE" } }); // stops after one batch
    const failed = await prisma.searchOutbox.findMany({ where: { attempts: { gt: 0 } }, orderBy: { id: "asc" } });
    expect(failed).toHaveLength(4);
    expect(failed[0]!.lastError).toContain("ECONNREFUSED");
    expect(failed[0]!.availableAt.getTime()).toBe(now.getTime() + 1000);

    // the next drain takes the rows that are due (not the four backing off) and fails again
    const second = await w.drain();
    expect(second.failedRows).toBe(4);
    now = new Date(now.getTime() + 1500);
    await w.drain(); // the first four again (attempt 2: backoff 2 s) ... plus the last two
    const retried = await prisma.searchOutbox.findMany({ orderBy: { id: "asc" } });
    expect(retried).toHaveLength(10);
    expect(retried[0]!.attempts).toBe(2);
    expect(retried[0]!.availableAt.getTime()).toBe(now.getTime() + 2000);

    flaky.down = false;
    now = new Date(now.getTime() + 60_000);
    const back = await w.drain();
    expect(back).toMatchObject({ rows: 10, remaining: 0 });
    expect(back.error).toBeUndefined();
    expect(await flaky.inner.count()).toBe(10);
  });

  it("survives a restart mid-drain: a new process finishes the work, each scene indexed once", async () => {
    await seedClip(prisma, { title: "A", texts: TEXTS });
    await seedClip(prisma, { title: "B", texts: TEXTS.slice(0, 5), language: "fr" });
    const flaky = new FlakySceneIndex(openIndex());
    flaky.failAfter = 2; // two batches of 4 get in, then the engine goes away
    let now = new Date("2030-01-01T00:00:00Z");
    const first = await worker(flaky, { now: () => now }).drain();
    expect(first).toMatchObject({ rows: 8, error: { code: "SEARCH_UNAVAILABLE" }, remaining: 7 });
    expect(await flaky.inner.count()).toBe(8);
    await flaky.close();

    // "restart": new database client, new index connection, new worker; later in time, engine back
    const prisma2 = createPrismaClient(path.join(dir, "cinerag.db"));
    try {
      now = new Date(now.getTime() + 10 * 60_000);
      const index2 = openIndex();
      const second = await worker(index2, { now: () => now, client: prisma2 }).drain();
      expect(second).toMatchObject({ rows: 7, remaining: 0 });
      expect(await index2.count()).toBe(15);
      expect(await index2.count({ languages: ["fr"] })).toBe(5);
      expect(await prisma2.searchOutbox.count()).toBe(0);
    } finally {
      await prisma2.$disconnect();
    }
  });

  it("a crash after the index write and before the row deletion only repeats an idempotent upsert", async () => {
    await seedClip(prisma, { title: "A", texts: TEXTS.slice(0, 3) });
    const index = openIndex();
    const w = worker(index);
    // simulate: the index took the batch, then the process died before deleting the rows
    const original = prisma.searchOutbox.deleteMany.bind(prisma.searchOutbox);
    (prisma.searchOutbox as { deleteMany: unknown }).deleteMany = () =>
      Promise.reject(new Error("process killed (test)"));
    const crashed = await w.drain();
    (prisma.searchOutbox as { deleteMany: unknown }).deleteMany = original;
    expect(crashed).toMatchObject({ rows: 0, remaining: 3, error: { message: "process killed (test)" } });
    expect(await index.count()).toBe(3);
    expect(await prisma.searchOutbox.count()).toBe(3);
    const later = new Date(Date.now() + 60_000);
    const again = await worker(index, { now: () => later }).drain();
    expect(again).toMatchObject({ rows: 3, remaining: 0 });
    expect(await index.count()).toBe(3);
  });

  it("stops with REINDEX_REQUIRED when the index was built with another model, keeping the rows", async () => {
    await seedClip(prisma, { title: "A", texts: TEXTS.slice(0, 3) });
    const other = new EmbeddedSceneIndex({
      file: path.join(dir, "search.db"),
      model: { modelId: "another-model", dimension: 32 },
    });
    await other.init();
    await other.close();
    const result = await worker(openIndex()).drain();
    expect(result.error).toMatchObject({
      code: "REINDEX_REQUIRED",
      message: expect.stringContaining("cinerag reindex") as string,
    });
    expect(result.remaining).toBe(3);
    expect(embedder.calls).toBe(0);
  });
});
