// Two ingests of the same file at once by two apps on one database, on SQLite and on PostgreSQL. On
// PostgreSQL the two apps have data directories of their own, as two machines do: no lock file could
// coordinate them, only the database's ingest lease ("ingest:<content hash>", src/cluster/lease.ts). One
// ingests; the other waits for the lease, then finds the clip READY and joins it; one clip is stored.
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../../src/app.js";
import { generateClip, tempDir, threeSceneSpec } from "../../fixtures/media.js";
import { tempDataDir, testConfig } from "../graphql/helpers/seed.js";
import { DATABASES, type TestDatabase } from "./databases.js";

for (const { name, skip } of DATABASES) if (skip) console.warn(`[skip] ingest lease on ${name}: ${skip}`);

describe.each(DATABASES)("two concurrent ingests of one file on $name", ({ name, skip, start }) => {
  let db: TestDatabase;
  let media: string;
  let clip: string;
  const dirs: string[] = [];
  const apps: App[] = [];

  beforeAll(async () => {
    if (skip) return;
    db = await start();
    media = await tempDir("cinerag-ingest-lease-media-");
    clip = await generateClip(media, threeSceneSpec("lease").spec);
    const shared = await tempDataDir("cinerag-ingest-lease-");
    dirs.push(shared);
    for (const machine of ["a", "b"]) {
      // SQLite: one machine, one data directory (the database file is in it); PostgreSQL: one each
      const dir = name === "SQLite" ? shared : path.join(shared, machine);
      const env = { ...db.env, CINERAG_OFFLINE: "1", CINERAG_ENRICH: "none", CINERAG_MODELS_FIRST_PULL: "none" };
      // SQLite's file lives in the data directory: point the app at the test's migrated file's directory
      const config = testConfig(name === "SQLite" ? path.dirname(db.target) : dir, env);
      apps.push(await createApp(config));
    }
  }, 180_000);

  afterAll(async () => {
    for (const app of apps.splice(0)) await app.close();
    await db?.close();
    for (const d of [...dirs, media]) if (d) await rm(d, { recursive: true, force: true });
  });

  it.skipIf(skip)(
    "one ingests, the other waits and joins it; one clip with one set of scenes",
    async () => {
      const stages: Array<[number, string]> = [];
      const [a, b] = await Promise.all(
        apps.map((app, i) =>
          app.ingest.ingest({
            file: clip,
            title: "Lease",
            onProgress: (p) => stages.push([i, p.stage]),
          }),
        ),
      );
      const results = [a!, b!];
      const first = results.findIndex((r) => !r.alreadyIngested);
      expect(first).toBeGreaterThanOrEqual(0);
      const second = results[1 - first]!;
      expect(second.alreadyIngested).toBe(true);
      expect(second.joined).toBe(true); // it waited for the lease, then found the clip READY
      expect(second.clip.id).toBe(results[first]!.clip.id);
      // the waiting one never ran the pipeline's stages: only the holder detected shots
      expect(stages.filter(([i, s]) => i !== first && s === "shots")).toEqual([]);
      expect(stages.some(([i, s]) => i === first && s === "shots")).toBe(true);

      const prisma = apps[0]!.prisma;
      expect(await prisma.clip.count()).toBe(1);
      expect(await prisma.scene.count()).toBe(results[first]!.scenes.length);
      expect(await prisma.lease.count({ where: { name: { startsWith: "ingest:" } } })).toBe(0); // released
    },
    120_000,
  );
});
