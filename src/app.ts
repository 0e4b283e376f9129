// The composition root: builds every adapter from the configuration and hands them to the services.
// Nothing else constructs adapters, so swapping an embedded part for its scale-out sibling happens here.
import { mkdir } from "node:fs/promises";
import { databaseTarget, type Config } from "./config.js";
import { createLogger, type Logger } from "./logging/logger.js";
import { FfmpegMediaTools } from "./media/ffmpeg/ffmpeg.media-tools.js";
import type { MediaTools } from "./media/media.port.js";
import { migrateDatabase } from "./store/migrate.js";
import { openPrismaClient, type PrismaClient } from "./store/prisma.client.js";
import { ClipRepository } from "./store/clip.repository.js";
import { EmbeddingCacheRepository } from "./store/embedding-cache.repository.js";
import { EnrichmentRepository } from "./store/enrichment.repository.js";
import { HealthRepository } from "./store/health.repository.js";
import { JobRepository } from "./store/job.repository.js";
import { SceneRepository } from "./store/scene.repository.js";
import { SearchOutboxRepository } from "./store/search-outbox.repository.js";
import { SearchSourceRepository } from "./store/search-source.repository.js";
import { LeaseRepository } from "./store/lease.repository.js";
import { Leases } from "./cluster/lease.js";
import { DRAIN_LEASE } from "./search/search-topology.js";
import { IngestService, type IngestRequest } from "./ingest/ingest.service.js";
import { IngestLeases } from "./ingest/ingest-lease.js";
import type { PubSub } from "./events/pubsub.port.js";
import { createPubSub } from "./events/pubsub.factory.js";
import type { JobQueue } from "./jobs/job-queue.port.js";
import { InProcessJobQueue } from "./jobs/in-process.job-queue.js";
import { ClipService } from "./services/clip.service.js";
import { SceneService } from "./services/scene.service.js";
import { MediaRootGuard } from "./services/media-root.guard.js";
import { KeyframeUrls } from "./services/keyframe-url.js";
import type { ApiServices } from "./resolvers/context.js";
import { createSceneIndex, createSearchModule, type SearchModule } from "./search/search.module.js";
import { ModelRegistry } from "./models/model-registry.js";
import { Enricher } from "./ingest/enrich/enricher.js";
import { AsrStage } from "./ingest/enrich/asr.stage.js";
import { WorkerOcrEngine } from "./ocr/worker.ocr-engine.js";
import { withSceneCaptions } from "./ingest/enrich/scene-captions.js";
import type { AnalysisModule } from "./analysis/analysis.module.js";

/** The database behind its repositories (src/store): one per aggregate, each the only code for its tables. */
export interface Store {
  clips: ClipRepository;
  jobs: JobRepository;
  scenes: SceneRepository;
  enrichment: EnrichmentRepository;
  outbox: SearchOutboxRepository;
  embeddingCache: EmbeddingCacheRepository;
  searchSource: SearchSourceRepository;
  health: HealthRepository;
  leases: LeaseRepository;
}

export function createStore(prisma: PrismaClient): Store {
  return {
    clips: new ClipRepository(prisma),
    jobs: new JobRepository(prisma),
    scenes: new SceneRepository(prisma),
    enrichment: new EnrichmentRepository(prisma),
    outbox: new SearchOutboxRepository(prisma),
    embeddingCache: new EmbeddingCacheRepository(prisma),
    searchSource: new SearchSourceRepository(prisma),
    health: new HealthRepository(prisma),
    leases: new LeaseRepository(prisma),
  };
}

/**
 * What every command needs: the store, media tools, ingest, search, models, jobs and events. `cinerag ingest`,
 * `reindex` and `worker` open this alone; the API (GraphQL services, analyses) is built on it by createApp.
 */
export interface Core {
  config: Config;
  logger: Logger;
  /** the client itself: for tests and tools that inspect the database; product code goes through `store` */
  prisma: PrismaClient;
  store: Store;
  media: MediaTools;
  clips: ClipRepository;
  ingest: IngestService;
  /** pub/sub for job progress, clip changes and analysis results (in-process, or Redis: src/events) */
  events: PubSub;
  /** background jobs; only `cinerag serve` starts the runner (`jobs.start()`) */
  jobs: JobQueue;
  /**
   * scene search (src/search): `search.search.searchScenes(query, { mode, filter, first })` for GraphQL
   * searchScenes, `search.outbox` (drain / start / notify / stop), `search.reindex`
   */
  search: SearchModule;
  /** models (src/models): the registry of every task's model, its status, and the ports */
  models: ModelRegistry;
  /** the guard every path an API request names goes through */
  mediaRoots: MediaRootGuard;
  close(): Promise<void>;
}

export interface App extends Core {
  /** what GraphQL resolvers get in their context */
  api: ApiServices;
  /** analysis (src/analysis): emotion, themes, style, ask and draft, stored results */
  analysis: AnalysisModule;
}

export interface CoreOverrides {
  logger?: Logger;
  defaultLogLevel?: string;
  /** this process is a `cinerag worker` (with the BullMQ queue, `jobs.start()` runs a BullMQ worker) */
  worker?: boolean;
}

export async function createCore(config: Config, overrides: CoreOverrides = {}): Promise<Core> {
  const logger = overrides.logger ?? createLogger(config.logLevel ?? overrides.defaultLogLevel ?? "info");
  for (const warning of config.warnings) logger.warn(warning);
  // first: an unreachable Redis is refused before anything is opened or migrated
  const events = await createPubSub(config, logger);
  await mkdir(config.dataDir, { recursive: true });
  // SQLite in the data directory, or PostgreSQL (CINERAG_DATABASE_URL): migrated offline before first use
  const database = databaseTarget(config.database);
  await migrateDatabase(database, { logger });
  const prisma = await openPrismaClient(database);
  const media = new FfmpegMediaTools({
    ffmpegPath: config.media.ffmpegPath,
    ffprobePath: config.media.ffprobePath,
    timeoutMs: config.media.timeoutMs,
    maxSubtitleBytes: config.subtitles.maxFileBytes,
  });
  const store = createStore(prisma);
  const clips = store.clips;
  const models = new ModelRegistry(config.models, { logger });
  // the registry's embedder: the neural model when on disk, else the hashing embedder (src/models)
  const embedder = models.embedder();
  // leases in the database: they hold across every machine that shares it (src/cluster/lease.ts)
  const leases = new Leases(store.leases, { ttlMs: config.leaseMs, logger });
  const search = createSearchModule(config, {
    drainLease: leases.lease(DRAIN_LEASE),
    drainLeaseRenewMs: Math.max(100, Math.floor(config.leaseMs / 3)),
    store: { source: store.searchSource, outbox: store.outbox, embeddingCache: store.embeddingCache },
    logger,
    embedder,
    sceneIndex: withSceneCaptions(
      await createSceneIndex(config, embedder),
      store.enrichment,
      () => models.resolve("caption").id,
    ),
  });
  // off the main thread: burned-in text is read while the frame pass decodes (src/ocr/worker.ocr-engine.ts),
  // on one thread of its own unless threads are configured; image tracks are read before it, on the default pool
  const ocrEngine = config.ocr.enabled ? new WorkerOcrEngine({ threads: config.ocr.threads }) : undefined;
  // (configured threads serve both: then one engine, one worker, one copy of the models)
  const burnedInEngine = ocrEngine && !config.ocr.threads ? new WorkerOcrEngine({ threads: 1 }) : ocrEngine;
  const ingest = new IngestService({
    media,
    clips,
    logger,
    dataDir: config.dataDir,
    keyframeDir: config.keyframeDir,
    decodeWidth: config.media.decodeWidth,
    maxSceneSeconds: config.scenes.maxSceneSeconds,
    subtitleLimits: config.subtitles,
    leases: new IngestLeases(leases),
    ocr: ocrEngine
      ? {
          engine: ocrEngine,
          duringDecode: burnedInEngine,
          confidenceFloor: config.ocr.confidenceFloor,
          burnedIn: config.ocr.burnedIn,
        }
      : undefined,
    asr: config.enrich.includes("asr") ? new AsrStage({ media, registry: models, logger }) : undefined,
    enricher: new Enricher({
      store: store.enrichment,
      outbox: store.outbox,
      registry: models,
      embeddings: search.embeddings,
      dataDir: config.dataDir,
      logger,
      steps: config.enrich,
    }),
  });
  const mediaRoots = new MediaRootGuard(config.mediaRoots, logger);
  // Jobs come from API requests: every subtitle file they read (given or found beside the clip) must lie in the roots.
  const confined = { ingest: (r: IngestRequest) => ingest.ingest({ ...r, readScope: mediaRoots }) };
  const jobs: JobQueue =
    config.jobs.driver === "bullmq"
      ? // loaded only for BullMQ: it and ioredis are start-up time the embedded queue does not need
        new (await import("./jobs/bullmq.job-queue.js")).BullMqJobQueue({
          jobs: store.jobs,
          ingest: confined,
          pubsub: events,
          logger,
          redisUrl: config.redisUrl!,
          // `cinerag serve` only enqueues unless CINERAG_SERVE_WORKER=1
          worker: overrides.worker === true || config.jobs.serveWorker,
          concurrency: config.jobs.concurrency,
          lockMs: config.jobs.lockMs,
          stalledMs: config.jobs.stalledMs,
          maxStalled: config.jobs.maxStalled,
          retry: config.jobs.retry,
          sweepMs: config.jobs.sweepMs,
        })
      : new InProcessJobQueue({
          jobs: store.jobs,
          ingest: confined,
          pubsub: events,
          logger,
          concurrency: config.jobs.concurrency,
          retry: config.jobs.retry,
        });
  return {
    config,
    logger,
    prisma,
    store,
    media,
    clips,
    ingest,
    events,
    jobs,
    search,
    models,
    mediaRoots,
    async close() {
      await jobs.stop();
      await search.close();
      await models.dispose();
      await ocrEngine?.close();
      if (burnedInEngine !== ocrEngine) await burnedInEngine?.close();
      events.close();
      await prisma.$disconnect();
    },
  };
}

/** The core with the API on it: what `cinerag serve`, `query` and `effects` open. */
export async function createApp(config: Config, overrides: CoreOverrides = {}): Promise<App> {
  const core = await createCore(config, overrides);
  try {
    return { ...core, ...(await createApi(core)) };
  } catch (error) {
    await core.close();
    throw error;
  }
}

async function createApi({ config, prisma, events, logger, search, models, clips, store, jobs, mediaRoots }: Core) {
  // loaded here, not at the top: the analyses and the GraphQL types they bring (type-graphql, graphql,
  // graphql-scalars) are half a second of imports that ingest, reindex and worker never use
  const [
    { createAnalysisModule },
    { createEffectsService },
    { AnalysisReadRepository },
    { AnalysisResultRepository },
    { EffectsReadRepository },
  ] = await Promise.all([
    import("./analysis/analysis.module.js"),
    import("./analysis/effects/effects.context.js"),
    import("./store/analysis-read.repository.js"),
    import("./store/analysis-result.repository.js"),
    import("./store/effects-read.repository.js"),
  ]);
  const analysisReads = new AnalysisReadRepository(prisma);
  const analysis = createAnalysisModule(config, {
    reads: analysisReads,
    results: new AnalysisResultRepository(prisma),
    pubsub: events,
    logger,
    search,
    models,
  });
  const api: ApiServices = {
    clips: new ClipService({ clips, jobs: store.jobs, pubsub: events, logger, keyframeDir: config.keyframeDir }),
    scenes: new SceneService(store.scenes),
    jobs,
    pubsub: events,
    mediaRoots,
    keyframeUrls: new KeyframeUrls(config.apiKeyList.map((k) => k.key)),
    analysis: { module: analysis, search: search.search },
    effects: createEffectsService(config, {
      reads: analysisReads,
      effectsReads: new EffectsReadRepository(prisma),
      search: search.search,
      models,
    }),
  };
  return { api, analysis };
}
