// The whole app on PostgreSQL: createApp with CINERAG_DATABASE_URL pointing at a private cluster
// (test/helpers/postgres-server.ts) migrates a new database at start, ingests a generated clip through the
// ingestClip mutation and answers GraphQL from it. The same clip ingested on SQLite (the default) must give
// the same shots, tracks, cues, scenes and search hits. A database that goes away while the server runs
// makes requests fail with SERVICE_UNAVAILABLE until it is back. An unreachable PostgreSQL at start is one
// line and exit 69, without the password.
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateClip, tempDir } from "../../fixtures/media.js";
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from "../../helpers/postgres-server.js";
import { freePort } from "../../helpers/redis-server.js";
import { startTestServer, wsCollect, type TestServer } from "../graphql/helpers.js";

const CLI = path.resolve("bin/cinerag.js");
if (POSTGRES_MISSING) console.warn(`[skip] PostgreSQL end-to-end test: ${POSTGRES_MISSING}`);

const CLIP_QUERY = `query($t: String!) {
  clips(filter: { titleContains: $t }) {
    edges { node {
      title status sizeBytes duration frameRate width height
      tracks(first: 10) { edges { node { index source codec language } } }
      cues(first: 100) { edges { node { index startTime endTime text } } }
      shots(first: 100) { edges { node { index startTime endTime transition } } }
      scenes(first: 100) { edges { node { index startTime endTime text } } }
    } }
  }
}`;

const SEARCH_QUERY = `query($q: String!) {
  searchScenes(query: $q, mode: KEYWORD, first: 5) { matchedBy scene { index text clip { title } } }
}`;

interface Ingested {
  jobEvents: Array<{ status: string; percent: number; final: boolean }>;
  clip: unknown;
  search: unknown;
  insensitive: number;
  ms: number;
}

async function ingestAndRead(server: TestServer, clipFile: string): Promise<Ingested> {
  const t0 = performance.now();
  const res = await server.gql<{ ingestClip: { id: string } }>(
    `mutation($input: IngestClipInput!) { ingestClip(input: $input) { id } }`,
    { input: { path: clipFile, title: "Night Train" } },
  );
  expect(res.body.errors).toBeUndefined();
  const { results, error } = await wsCollect<{ jobProgress: Ingested["jobEvents"][number] }>(
    server.ws(),
    `subscription($id: ID!) { jobProgress(jobId: $id) { status percent final } }`,
    { id: res.body.data!.ingestClip.id },
  );
  expect(error).toBeUndefined();
  const ms = performance.now() - t0;
  const jobEvents = results.map((r) => r.data!.jobProgress);
  // the outbox drains to the embedded search index in the background: wait until the hits are there
  let search: unknown;
  for (let i = 0; i < 200; i++) {
    const hits = await server.gql<{ searchScenes: unknown[] }>(SEARCH_QUERY, { q: "platform" });
    search = hits.body.data?.searchScenes;
    if (Array.isArray(search) && search.length > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const clip = (await server.gql<unknown>(CLIP_QUERY, { t: "night TRAIN" })).body;
  expect(clip.errors).toBeUndefined();
  const count = await server.gql<{ scenes: { totalCount: number } }>(
    `{ scenes(filter: { textContains: "PLATFORM" }) { totalCount } }`,
  );
  const insensitive = count.body.data?.scenes.totalCount ?? -1;
  return { jobEvents, clip, search, insensitive, ms };
}

describe.skipIf(POSTGRES_MISSING)(
  `createApp on PostgreSQL ${POSTGRES_MISSING ? `(skipped: ${POSTGRES_MISSING})` : ""}`,
  () => {
    let pg: TestPostgres;
    let media: string;
    let clipFile: string;
    let onPostgres: TestServer;
    let onSqlite: TestServer;

    beforeAll(async () => {
      pg = await startPostgres();
      media = await tempDir("cinerag-pg-e2e-media-");
      clipFile = await generateClip(media, {
        name: "night-train",
        fps: 25,
        width: 320,
        height: 180,
        shots: [
          { duration: 4, colour: "0x8c1c1c", accent: "0xf0d020", angle: "left" },
          { duration: 4, colour: "0x1c2c8c", accent: "0x20e0f0", angle: "right" },
        ],
        subtitles: [
          {
            format: "srt",
            language: "en",
            placement: "sidecar",
            cues: [
              { start: 0.5, end: 2, text: "Meet me on the platform." },
              { start: 4.5, end: 6, text: "The last train leaves at midnight." },
            ],
          },
        ],
      });
    });
    afterAll(async () => {
      await onPostgres?.stop();
      await onSqlite?.stop();
      await pg?.stop();
      if (media) await rm(media, { recursive: true, force: true });
    });

    it("migrates a new database at start, ingests through GraphQL and answers like SQLite does", async () => {
      // a database that does not exist yet: created and migrated by the first start
      const url = pg.url.replace(/\/postgres$/, "/cinerag_e2e");
      const t0 = performance.now();
      onPostgres = await startTestServer({ CINERAG_DATABASE_URL: url, CINERAG_MEDIA_ROOTS: media });
      const startMs = performance.now() - t0;
      expect(onPostgres.app.config.database.provider).toBe("postgresql");
      const migrations = await onPostgres.app.prisma.$queryRawUnsafe<Array<{ n: bigint | number }>>(
        `SELECT count(*) AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`,
      );
      expect(Number(migrations[0]?.n)).toBeGreaterThan(0);

      const pgRun = await ingestAndRead(onPostgres, clipFile);
      onSqlite = await startTestServer({ CINERAG_MEDIA_ROOTS: media });
      expect(onSqlite.app.config.database.provider).toBe("sqlite");
      const sqliteRun = await ingestAndRead(onSqlite, clipFile);
      console.info(
        `PostgreSQL e2e: initdb + start ${pg.startupMs.toFixed(0)} ms, createApp (create + migrate) ` +
          `${startMs.toFixed(0)} ms, ingest ${pgRun.ms.toFixed(0)} ms (SQLite ${sqliteRun.ms.toFixed(0)} ms)`,
      );

      expect(pgRun.jobEvents.at(-1)).toMatchObject({ status: "SUCCEEDED", final: true, percent: 100 });
      const node = (pgRun.clip as { data: { clips: { edges: Array<{ node: Record<string, unknown> }> } } }).data.clips
        .edges[0]?.node;
      expect(node).toMatchObject({ title: "Night Train", status: "READY" });
      expect((node?.shots as { edges: unknown[] }).edges.length).toBeGreaterThanOrEqual(2);
      expect(JSON.stringify(node?.cues)).toContain("Meet me on the platform.");
      const hits = pgRun.search as Array<{ scene: { clip: { title: string }; text: string } }>;
      expect(hits.map((h) => h.scene.clip.title)).toEqual(["Night Train"]);
      expect(hits[0]?.scene.text).toMatch(/platform/);
      expect(pgRun.insensitive).toBe(1);

      // the same answers on both providers
      expect(pgRun.clip).toEqual(sqliteRun.clip);
      expect(pgRun.search).toEqual(sqliteRun.search);
      expect(pgRun.insensitive).toBe(sqliteRun.insensitive);
    });

    it("answers SERVICE_UNAVAILABLE while the database is down, and everything again once it is back", async () => {
      const count = `{ clips { totalCount } }`;
      const before = await onPostgres.gql<{ clips: { totalCount: number } }>(count);
      expect(before.body.data?.clips.totalCount).toBe(1);
      await pg.pause();
      try {
        const down = await onPostgres.gql<unknown>(count);
        expect(down.body.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
        expect(down.body.errors?.[0]?.message).toMatch(/database cannot be reached/);
        expect((await fetch(`${onPostgres.origin}/readyz`)).status).toBe(503);
      } finally {
        await pg.resume();
      }
      let after: number | undefined;
      for (let i = 0; i < 50 && after === undefined; i++) {
        after = (await onPostgres.gql<{ clips: { totalCount: number } }>(count)).body.data?.clips.totalCount;
        if (after === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(after).toBe(1);
      expect((await fetch(`${onPostgres.origin}/readyz`)).status).toBe(200);
    });

    it("refuses to start with an unreachable PostgreSQL: one line, exit 69, no password", async () => {
      const port = await freePort();
      const dir = await tempDir("cinerag-pg-e2e-down-");
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], {
          env: {
            ...process.env,
            CINERAG_DATA_DIR: dir,
            CINERAG_DATABASE_URL: `postgresql://cinerag:hunter2@127.0.0.1:${port}/cinerag`,
          },
          stdio: ["ignore", "ignore", "pipe"],
        });
        let err = "";
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.on("exit", (c) => resolve({ code: c, stderr: err }));
      });
      await rm(dir, { recursive: true, force: true });
      expect(code).toBe(69);
      expect(stderr.trim().split("\n").at(-1)).toMatch(
        /PostgreSQL at postgresql:\/\/cinerag:\*\*\*@127\.0\.0\.1:\d+\/cinerag cannot be reached/,
      );
      expect(stderr).not.toContain("hunter2");
      expect(stderr).not.toMatch(/\n\s+at /);
    });

    it("refuses a CINERAG_DATABASE_URL that is not a postgresql:// URL as a configuration error", async () => {
      const dir = await tempDir("cinerag-pg-e2e-bad-");
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [CLI, "serve"], {
          env: { ...process.env, CINERAG_DATA_DIR: dir, CINERAG_DATABASE_URL: "mysql://127.0.0.1/x" },
          stdio: "ignore",
        });
        child.on("exit", resolve);
      });
      await rm(dir, { recursive: true, force: true });
      expect(code).toBe(78);
    });
  },
);
