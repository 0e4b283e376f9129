// A page of scenes with their cues and keyframes costs a constant number of SQL queries (DataLoaders batch
// the children of the whole page), not one per scene.
import { rm } from "node:fs/promises";
import { execute, parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { sqliteAdapterFactory, type PrismaClient } from "../../../src/store/prisma.client.js";
import { PrismaClient as GeneratedClient } from "../../../src/generated/prisma/client.js";
import { cineragSchema } from "../../../src/schema/build-schema.js";
import { createContext, type ApiServices } from "../../../src/resolvers/context.js";
import { ClipService } from "../../../src/services/clip.service.js";
import { SceneService } from "../../../src/services/scene.service.js";
import { MediaRootGuard } from "../../../src/services/media-root.guard.js";
import { KeyframeUrls } from "../../../src/services/keyframe-url.js";
import { InProcessPubSub } from "../../../src/events/in-process.pubsub.js";
import { InProcessJobQueue } from "../../../src/jobs/in-process.job-queue.js";
import { ClipRepository } from "../../../src/store/clip.repository.js";
import { JobRepository } from "../../../src/store/job.repository.js";
import { SceneRepository } from "../../../src/store/scene.repository.js";
import { createLogger } from "../../../src/logging/logger.js";
import { seedClip, tempDataDir, testConfig } from "./helpers/seed.js";

let dir: string;
let prisma: PrismaClient;
let services: ApiServices;
const sql: string[] = [];

beforeAll(async () => {
  dir = await tempDataDir();
  const config = testConfig(dir);
  await migrateDatabase(config.databaseFile);
  const client = new GeneratedClient({
    adapter: sqliteAdapterFactory(config.databaseFile),
    log: [{ emit: "event", level: "query" }],
  });
  client.$on("query", (e) => sql.push(e.query));
  prisma = client;
  const logger = createLogger("silent");
  const pubsub = new InProcessPubSub();
  services = {
    clips: new ClipService({
      clips: new ClipRepository(prisma),
      jobs: new JobRepository(prisma),
      pubsub,
      logger,
      keyframeDir: config.keyframeDir,
    }),
    scenes: new SceneService(new SceneRepository(prisma)),
    jobs: new InProcessJobQueue({
      jobs: new JobRepository(prisma),
      pubsub,
      logger,
      ingest: { ingest: () => Promise.reject(new Error("not here")) },
    }),
    pubsub,
    mediaRoots: new MediaRootGuard(undefined),
    keyframeUrls: new KeyframeUrls([]),
  };
  await seedClip(prisma, config, { scenes: 60, shotsPerScene: 3, cuesPerScene: 4 });
  await seedClip(prisma, config, { scenes: 10, shotsPerScene: 2, cuesPerScene: 2 });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

const DOC = parse(`query($n: Int!) {
  scenes(first: $n) {
    totalCount
    edges { cursor node {
      startTime endTime clip { title }
      cues(first: 10) { totalCount nodes { text speaker language track { codec } scene { index } } }
      keyframes(first: 5) { totalCount nodes { url brightness shot { transition keyframe { time } } } }
      shots { totalCount nodes { keyframe { url } } }
    } }
  }
}`);

async function queriesFor(n: number): Promise<{ count: number; scenes: number }> {
  const schema = await cineragSchema();
  const contextValue = createContext({ services, logger: createLogger("silent"), requestId: "t", role: "reader" });
  sql.length = 0;
  const result = await execute({ schema, document: DOC, variableValues: { n }, contextValue });
  expect(result.errors).toBeUndefined();
  type Edges = Array<{ node: { cues: { nodes: unknown[] }; keyframes: { nodes: unknown[] } } }>;
  const edges = (result.data as { scenes: { edges: Edges } }).scenes.edges;
  expect(edges[0]!.node.cues.nodes.length).toBeGreaterThan(0);
  expect(edges[0]!.node.keyframes.nodes.length).toBeGreaterThan(0);
  return { count: sql.length, scenes: edges.length };
}

describe("DataLoaders", () => {
  it("50 scenes with cues and keyframes cost as many queries as 5", async () => {
    const small = await queriesFor(5);
    const page = await queriesFor(50);
    expect(small.scenes).toBe(5);
    expect(page.scenes).toBe(50);
    expect(page.count).toBe(small.count);
    expect(page.count).toBeLessThanOrEqual(15);
    console.log(`SQL queries: ${small.count} for 5 scenes, ${page.count} for 50 scenes`);
  });
});
