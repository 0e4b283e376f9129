// The composition root: builds every adapter from the configuration and hands them to the services.
// Nothing else constructs adapters, so swapping an embedded part for its scale-out sibling happens here.
import { mkdir } from "node:fs/promises";
import type { Config } from "./config.js";
import { createLogger, type Logger } from "./logging/logger.js";
import { FfmpegMediaTools } from "./media/ffmpeg/ffmpeg.media-tools.js";
import type { MediaTools } from "./media/media.port.js";
import { migrateDatabase } from "./store/migrate.js";
import { createPrismaClient, type PrismaClient } from "./store/prisma.client.js";
import { ClipRepository } from "./store/clip.repository.js";
import { IngestService } from "./ingest/ingest.service.js";
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
import { withSceneCaptions } from "./ingest/enrich/scene-captions.js";
import { createAnalysisModule, type AnalysisModule } from "./analysis/analysis.module.js";
import "./resolvers/analysis.context.js";
import { createEffectsService } from "./analysis/effects/effects.context.js";

export interface App {
  config: Config;
  logger: Logger;
  prisma: PrismaClient;
  media: MediaTools;
  clips: ClipRepository;
  ingest: IngestService;
  /** pub/sub for job progress, clip changes and analysis results (in-process, or Redis: src/events) */
  events: PubSub;
  /** background jobs; only `cinerag serve` starts the runner (`jobs.start()`) */
  jobs: JobQueue;
  /** what GraphQL resolvers get in their context */
  api: ApiServices;
  /**
   * scene search (src/search): `search.search.searchScenes(query, { mode, filter, first })` for GraphQL
   * searchScenes, `search.outbox` (drain / start / notify / stop), `search.reindex`
   */
  search: SearchModule;
  /** models (src/models): the registry of every task's model, its status, and the ports */
  models: ModelRegistry;
  /** analysis (src/analysis): emotion, themes, style, ask and draft, stored results */
  analysis: AnalysisModule;
  close(): Promise<void>;
}

export async function createApp(
  config: Config,
  overrides: { logger?: Logger; defaultLogLevel?: string } = {},
): Promise<App> {
  const logger = overrides.logger ?? createLogger(config.logLevel ?? overrides.defaultLogLevel ?? "info");
  for (const warning of config.warnings) logger.warn(warning);
  // first: an unreachable Redis is refused before anything is opened or migrated
  const events = await createPubSub(config, logger);
  await mkdir(config.dataDir, { recursive: true });
  await migrateDatabase(config.databaseFile, { logger });
  const prisma = createPrismaClient(config.databaseFile);
  const media = new FfmpegMediaTools({
    ffmpegPath: config.media.ffmpegPath,
    ffprobePath: config.media.ffprobePath,
    timeoutMs: config.media.timeoutMs,
  });
  const clips = new ClipRepository(prisma);
  const models = new ModelRegistry(config.models, { logger });
  // the registry's embedder: the neural model when on disk, else the hashing embedder (src/models)
  const embedder = models.embedder();
  const search = createSearchModule(config, {
    prisma,
    logger,
    embedder,
    sceneIndex: withSceneCaptions(createSceneIndex(config, embedder), prisma, () => models.resolve("caption").id),
  });
  const ingest = new IngestService({
    media,
    clips,
    logger,
    dataDir: config.dataDir,
    keyframeDir: config.keyframeDir,
    decodeWidth: config.media.decodeWidth,
    maxSceneSeconds: config.scenes.maxSceneSeconds,
    asr: config.enrich.includes("asr") ? new AsrStage({ media, registry: models, logger }) : undefined,
    enricher: new Enricher({
      prisma,
      registry: models,
      embeddings: search.embeddings,
      dataDir: config.dataDir,
      logger,
      steps: config.enrich,
    }),
  });
  const jobs = new InProcessJobQueue({ prisma, ingest, pubsub: events, logger, concurrency: config.jobs.concurrency });
  const analysis = createAnalysisModule(config, { prisma, pubsub: events, logger, search, models });
  const api: ApiServices = {
    clips: new ClipService({ prisma, pubsub: events, logger, keyframeDir: config.keyframeDir }),
    scenes: new SceneService(prisma),
    jobs,
    pubsub: events,
    mediaRoots: new MediaRootGuard(config.mediaRoots, logger),
    keyframeUrls: new KeyframeUrls(config.apiKeyList.map((k) => k.key)),
    analysis: { module: analysis, search: search.search },
    effects: createEffectsService(config, { prisma, search: search.search, models }),
  };
  return {
    config,
    logger,
    prisma,
    media,
    clips,
    ingest,
    events,
    jobs,
    api,
    search,
    models,
    analysis,
    async close() {
      await jobs.stop();
      await search.close();
      await models.dispose();
      events.close();
      await prisma.$disconnect();
    },
  };
}
