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

export interface App {
  config: Config;
  logger: Logger;
  prisma: PrismaClient;
  media: MediaTools;
  clips: ClipRepository;
  ingest: IngestService;
  close(): Promise<void>;
}

export async function createApp(config: Config, overrides: { logger?: Logger } = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  await mkdir(config.dataDir, { recursive: true });
  await migrateDatabase(config.databaseFile, { logger });
  const prisma = createPrismaClient(config.databaseFile);
  const media = new FfmpegMediaTools({ ffmpegPath: config.media.ffmpegPath, ffprobePath: config.media.ffprobePath, timeoutMs: config.media.timeoutMs });
  const clips = new ClipRepository(prisma);
  const ingest = new IngestService({
    media,
    clips,
    logger,
    dataDir: config.dataDir,
    keyframeDir: config.keyframeDir,
    decodeWidth: config.media.decodeWidth,
    maxSceneSeconds: config.scenes.maxSceneSeconds,
  });
  return {
    config,
    logger,
    prisma,
    media,
    clips,
    ingest,
    async close() {
      await prisma.$disconnect();
    },
  };
}
