// Builds the configured pub/sub: in-process by default, Redis when CINERAG_REDIS_URL is set. An unreachable
// Redis at start is one clear error (ENGINE_UNAVAILABLE), not a process that hangs retrying.
import type { Config } from "../config.js";
import { AppError } from "../errors/app-error.js";
import type { Logger } from "../logging/logger.js";
import { InProcessPubSub } from "./in-process.pubsub.js";
import type { PubSub } from "./pubsub.port.js";

/** redis://user:secret@host → redis://host: never print a password */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(unparseable URL)";
  }
}

export async function createPubSub(config: Pick<Config, "redisUrl">, logger: Logger): Promise<PubSub> {
  if (!config.redisUrl) return new InProcessPubSub({ logger });
  // loaded only with Redis configured: ioredis is start-up time every embedded command would pay
  const { RedisPubSub } = await import("./redis.pubsub.js");
  const pubsub = new RedisPubSub({ url: config.redisUrl, logger });
  try {
    await pubsub.ready();
  } catch (error) {
    pubsub.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(
      "ENGINE_UNAVAILABLE",
      `Redis at ${redactUrl(config.redisUrl)} cannot be reached (${reason}); start it or unset CINERAG_REDIS_URL`,
    );
  }
  logger.info({ redis: redactUrl(config.redisUrl) }, "pub/sub on Redis");
  return pubsub;
}
