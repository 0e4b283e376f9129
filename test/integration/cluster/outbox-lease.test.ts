// Two outbox drainers at once on one database (two servers of a cluster), on SQLite and on PostgreSQL: with
// the drain lease (src/cluster/lease.ts) every outbox row is applied to the index exactly once, by whichever
// process holds the lease, and when the holder stops the other takes over and drains the rest.
//
// Elasticsearch cannot be had here: the engine both drainers write to is a test double at the SceneIndex
// boundary, one RecordingIndex object standing for the one Elasticsearch cluster both processes reach (it
// stores into a real embedded index and records every write). The embedded index shared through one data
// directory (two processes on one machine) is the other case: each drainer opens its own EmbeddedSceneIndex
// on the same search.db. A control without the lease shows the exactly-once check catches double writes.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Lease } from "../../../src/cluster/lease.js";
import { HashingEmbedder } from "../../../src/models/hashing.embedder.js";
import { EmbeddedSceneIndex } from "../../../src/search/embedded.scene-index.js";
import { OutboxWorker } from "../../../src/search/outbox.worker.js";
import { EmbeddingCache } from "../../../src/search/scene-documents.js";
import type { SceneDocument, SceneIndex } from "../../../src/search/scene-index.port.js";
import { EmbeddingCacheRepository } from "../../../src/store/embedding-cache.repository.js";
import { LeaseRepository } from "../../../src/store/lease.repository.js";
import type { PrismaClient } from "../../../src/store/prisma.client.js";
import { SearchOutboxRepository } from "../../../src/store/search-outbox.repository.js";
import { SearchSourceRepository } from "../../../src/store/search-source.repository.js";
import { seedClip, testConfig } from "../graphql/helpers/seed.js";
import { DATABASES, type TestDatabase } from "./databases.js";

const embedder = new HashingEmbedder({ dimension: 64 });
const model = { modelId: embedder.modelId, dimension: embedder.dimension };

/** Test double at the SceneIndex boundary: forwards to a real index and records who wrote which scene. */
class RecordingIndex implements SceneIndex {
  readonly engine = "elasticsearch" as const;
  constructor(
    readonly inner: SceneIndex,
    private readonly label: string,
    /** [drainer, sceneId] of every upserted document (one log shared by the drainers of a test) */
    private readonly log: Array<[string, string]>,
    /** ms per upsert call: makes two drains overlap */
    private readonly slowMs = 0,
  ) {}
  init = () => this.inner.init();
  async upsert(docs: SceneDocument[]) {
    if (this.slowMs) await new Promise((r) => setTimeout(r, this.slowMs));
    for (const d of docs) this.log.push([this.label, d.sceneId]);
    return this.inner.upsert(docs);
  }
  delete = (ids: string[]) => this.inner.delete(ids);
  deleteClip = (id: string) => this.inner.deleteClip(id);
  keywordSearch: SceneIndex["keywordSearch"] = (...a) => this.inner.keywordSearch(...a);
  vectorSearch: SceneIndex["vectorSearch"] = (...a) => this.inner.vectorSearch(...a);
  hybridSearch: SceneIndex["hybridSearch"] = (...a) => this.inner.hybridSearch(...a);
  count: SceneIndex["count"] = (f) => this.inner.count(f);
  meta = () => this.inner.meta();
  reset = (m: string, d: number) => this.inner.reset(m, d);
  ping = () => this.inner.ping();
  close = () => this.inner.close();
}

/** the outbox table of one drainer, recording the rows it completed */
class RecordingOutbox extends SearchOutboxRepository {
  readonly completed: number[] = [];
  override async complete(ids: readonly number[]): Promise<void> {
    await super.complete(ids);
    this.completed.push(...ids);
  }
}

interface Drainer {
  label: string;
  worker: OutboxWorker;
  outbox: RecordingOutbox;
  lease?: Lease;
}

function drainer(
  label: string,
  client: PrismaClient,
  index: SceneIndex,
  withLease: boolean,
  times: { ttlMs?: number; renewMs?: number } = {},
): Drainer {
  const outbox = new RecordingOutbox(client);
  // the default life, 30 s, as in production: well above SQLite's 5 s busy wait, which a renewal may spend
  // behind another writer (a life of 5 s let the lease move to the other drainer under load)
  const lease = withLease
    ? new Lease(new LeaseRepository(client), "search-outbox", { ttlMs: times.ttlMs ?? 30_000 })
    : undefined;
  const worker = new OutboxWorker({
    outbox,
    source: new SearchSourceRepository(client),
    index,
    embeddings: new EmbeddingCache(new EmbeddingCacheRepository(client), embedder),
    batchSize: 3,
    pollMs: 20,
    lease,
    leaseRenewMs: times.renewMs,
  });
  return { label, worker, outbox, lease };
}

for (const { name, skip } of DATABASES) if (skip) console.warn(`[skip] outbox drain lease on ${name}: ${skip}`);

describe.each(DATABASES)("two outbox drainers on $name", ({ skip, start }) => {
  let db: TestDatabase;
  let dir: string;
  let seeder: PrismaClient;
  let clients: [PrismaClient, PrismaClient];
  const running: Drainer[] = [];
  const opened: SceneIndex[] = [];

  beforeAll(async () => {
    if (skip) return;
    db = await start();
    seeder = await db.open();
    clients = [await db.open(), await db.open()];
  }, 120_000);
  afterAll(async () => db?.close());
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "cinerag-outbox-lease-"));
  });
  afterEach(async () => {
    for (const d of running.splice(0)) await d.worker.stop();
    for (const i of opened.splice(0)) await i.close();
    await seeder?.searchOutbox.deleteMany({});
    await rm(dir, { recursive: true, force: true });
  });

  const embedded = (file = "search.db") => {
    const index = new EmbeddedSceneIndex({ file: path.join(dir, file), model });
    opened.push(index);
    return index;
  };

  /** a clip of `scenes` scenes and one UPSERT row per scene; the scene ids */
  const seedWave = async (scenes: number) => {
    const { clipId, sceneIds } = await seedClip(seeder, testConfig(dir), { scenes, title: "Lease wave" });
    await new SearchOutboxRepository(seeder).enqueue("UPSERT", clipId, sceneIds);
    return sceneIds;
  };

  const drained = async (drainers: Drainer[]) => {
    for (let i = 0; i < 3000 && (await seeder.searchOutbox.count()) > 0; i++) {
      for (const d of drainers) d.worker.notify();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await seeder.searchOutbox.count()).toBe(0);
  };

  const holderOf = async (drainers: Drainer[]) => {
    const row = await new LeaseRepository(seeder).find("search-outbox");
    return drainers.find((d) => d.lease?.holder === row?.holder);
  };

  /** every row completed by exactly one drainer, every scene written exactly once */
  const expectExactlyOnce = (drainers: Drainer[], log: Array<[string, string]>, scenes: string[]) => {
    const completed = drainers.flatMap((d) => d.outbox.completed);
    expect(new Set(completed).size).toBe(completed.length);
    expect(completed).toHaveLength(scenes.length);
    expect(log.map(([, id]) => id).sort()).toEqual([...scenes].sort());
  };

  it.skipIf(skip)(
    "one Elasticsearch for both (a double): each row applied once; the holder stops, the other takes over",
    async () => {
      const log: Array<[string, string]> = [];
      const es = embedded("es-double.db"); // one engine, reached by both processes
      const a = drainer("A", clients[0], new RecordingIndex(es, "A", log, 5), true);
      const b = drainer("B", clients[1], new RecordingIndex(es, "B", log, 5), true);
      running.push(a, b);
      const scenes: string[] = [];
      a.worker.start();
      b.worker.start();
      for (let wave = 0; wave < 3; wave++) {
        scenes.push(...(await seedWave(7)));
        for (const d of [a, b]) d.worker.notify();
      }
      await drained([a, b]);
      const first = await holderOf([a, b]);
      expect(first).toBeDefined();
      const other = first === a ? b : a;
      expect(other.outbox.completed).toEqual([]); // it never drained while the holder held the lease

      await first!.worker.stop(); // gives the lease up
      for (let wave = 0; wave < 2; wave++) scenes.push(...(await seedWave(6)));
      await drained([other]);
      expect(await holderOf([a, b])).toBe(other);
      expect(other.outbox.completed.length).toBe(12);
      expectExactlyOnce([a, b], log, scenes);
      expect(await es.count()).toBe(scenes.length);
    },
    120_000,
  );

  it.skipIf(skip)(
    "the embedded index shared through one data directory: one drainer writes, both processes see it",
    async () => {
      const log: Array<[string, string]> = [];
      const indexA = embedded();
      const indexB = embedded();
      const a = drainer("A", clients[0], new RecordingIndex(indexA, "A", log), true);
      const b = drainer("B", clients[1], new RecordingIndex(indexB, "B", log), true);
      running.push(a, b);
      a.worker.start();
      b.worker.start();
      const scenes = [...(await seedWave(8)), ...(await seedWave(8))];
      await drained([a, b]);
      expectExactlyOnce([a, b], log, scenes);
      expect(new Set(log.map(([who]) => who)).size).toBe(1);
      expect(await indexA.count()).toBe(16);
      expect(await indexB.count()).toBe(16);
      expect((await indexB.keywordSearch("dialogue", { limit: 50 })).length).toBe(16);
    },
    120_000,
  );

  it.skipIf(skip)(
    "a batch that outlasts the lease's life: renewed while it runs, the other drainer never gets in",
    async () => {
      const log: Array<[string, string]> = [];
      const es = embedded("es-double.db");
      // each upsert takes longer than the lease lives (1.5 s); the running drain renews it every 100 ms
      const times = { ttlMs: 1500, renewMs: 100 };
      const a = drainer("A", clients[0], new RecordingIndex(es, "A", log, 2500), true, times);
      const b = drainer("B", clients[1], new RecordingIndex(es, "B", log, 2500), true, times);
      running.push(a, b);
      const scenes = await seedWave(9);
      a.worker.start();
      b.worker.start();
      await drained([a, b]);
      expectExactlyOnce([a, b], log, scenes);
      expect(new Set(log.map(([who]) => who)).size).toBe(1);
    },
    120_000,
  );

  it.skipIf(skip)("control, without the lease: two drains at once write the same scenes twice", async () => {
    const log: Array<[string, string]> = [];
    const es = embedded("es-double.db");
    const a = drainer("A", clients[0], new RecordingIndex(es, "A", log, 50), false);
    const b = drainer("B", clients[1], new RecordingIndex(es, "B", log, 50), false);
    const scenes = await seedWave(6);
    await Promise.all([a.worker.drain(), b.worker.drain()]);
    const ids = log.map(([, id]) => id);
    expect(new Set(ids)).toEqual(new Set(scenes));
    expect(ids.length).toBeGreaterThan(scenes.length);
  });
});
