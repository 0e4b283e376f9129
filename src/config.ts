// The only reader of process.env. Parsed once with zod; a bad value fails fast with every problem listed.
import path from "node:path";
import { z } from "zod";

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .transform((v) => v === "1" || v === "true" || v === "yes");

const list = z.string().transform((v) =>
  v
    .split(/[,:;]/)
    .map((s) => s.trim())
    .filter(Boolean),
);

const schema = z.object({
  CINERAG_DATA_DIR: z.string().min(1).default(".cinerag"),
  CINERAG_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  CINERAG_FFMPEG_PATH: z.string().min(1).optional(),
  CINERAG_FFPROBE_PATH: z.string().min(1).optional(),
  /** width of the downscaled stream the shot detector and keyframes work on */
  CINERAG_DECODE_WIDTH: z.coerce.number().int().min(64).max(1920).default(320),
  /** time limit of any one ffmpeg/ffprobe child process, in seconds */
  CINERAG_MEDIA_TIMEOUT: z.coerce.number().positive().default(6 * 3600),
  CINERAG_MEDIA_ROOTS: list.optional(),
  CINERAG_SEARCH: z.enum(["embedded", "elasticsearch"]).default("embedded"),
  ELASTICSEARCH_URL: z.url().optional(),
  CINERAG_API_KEYS: z.string().optional(),
  CINERAG_OFFLINE: bool.default(false),
  CINERAG_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  CINERAG_MAX_SCENE_SECONDS: z.coerce.number().positive().default(180),
});

export type Env = z.input<typeof schema>;

export interface Config {
  dataDir: string;
  databaseFile: string;
  searchFile: string;
  keyframeDir: string;
  modelCacheDir: string;
  logLevel: z.infer<typeof schema>["CINERAG_LOG_LEVEL"];
  media: { ffmpegPath?: string; ffprobePath?: string; decodeWidth: number; timeoutMs: number };
  mediaRoots?: string[];
  search: { kind: "embedded" | "elasticsearch"; elasticsearchUrl?: string };
  apiKeys?: string;
  offline: boolean;
  port: number;
  scenes: { maxSceneSeconds: number };
}

export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  if (e.CINERAG_SEARCH === "elasticsearch" && !e.ELASTICSEARCH_URL) {
    throw new ConfigError("invalid configuration: ELASTICSEARCH_URL is required when CINERAG_SEARCH=elasticsearch");
  }
  const dataDir = path.resolve(e.CINERAG_DATA_DIR);
  return {
    dataDir,
    databaseFile: path.join(dataDir, "cinerag.db"),
    searchFile: path.join(dataDir, "search.db"),
    keyframeDir: path.join(dataDir, "keyframes"),
    modelCacheDir: path.join(dataDir, "models"),
    logLevel: e.CINERAG_LOG_LEVEL,
    media: {
      ffmpegPath: e.CINERAG_FFMPEG_PATH,
      ffprobePath: e.CINERAG_FFPROBE_PATH,
      decodeWidth: e.CINERAG_DECODE_WIDTH,
      timeoutMs: e.CINERAG_MEDIA_TIMEOUT * 1000,
    },
    mediaRoots: e.CINERAG_MEDIA_ROOTS?.map((r) => path.resolve(r)),
    search: { kind: e.CINERAG_SEARCH, elasticsearchUrl: e.ELASTICSEARCH_URL },
    apiKeys: e.CINERAG_API_KEYS,
    offline: e.CINERAG_OFFLINE,
    port: e.CINERAG_PORT,
    scenes: { maxSceneSeconds: e.CINERAG_MAX_SCENE_SECONDS },
  };
}
