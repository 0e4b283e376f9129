// The only reader of process.env. Parsed once with zod; a bad value fails fast with every problem listed.
import path from "node:path";
import { z } from "zod";
import { AppError } from "./errors/app-error.js";
import { MODEL_TASKS, type ModelTask } from "./models/model-ports.js";

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
  /** postgresql://user:password@host:port/database[?schema=name]: PostgreSQL; unset = SQLite in the data dir */
  CINERAG_DATABASE_URL: z
    .url()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgresql:// URL (unset: SQLite in CINERAG_DATA_DIR)")
    .optional(),
  // No default here: the server logs at info, command-line tools at warn (see src/cli/main.ts).
  CINERAG_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  CINERAG_FFMPEG_PATH: z.string().min(1).optional(),
  CINERAG_FFPROBE_PATH: z.string().min(1).optional(),
  /** width of the downscaled stream the shot detector and keyframes work on */
  CINERAG_DECODE_WIDTH: z.coerce.number().int().min(64).max(1920).default(320),
  /** time limit of any one ffmpeg/ffprobe child process, in seconds */
  CINERAG_MEDIA_TIMEOUT: z.coerce
    .number()
    .positive()
    .default(6 * 3600),
  CINERAG_MEDIA_ROOTS: list.optional(),
  /** subtitle inputs (files and embedded tracks): bytes, cues and characters per cue before a refusal */
  CINERAG_SUBTITLE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(32 * 1024 * 1024),
  CINERAG_SUBTITLE_MAX_CUES: z.coerce.number().int().min(1).default(200_000),
  CINERAG_SUBTITLE_MAX_CUE_CHARS: z.coerce.number().int().min(16).default(10_000),
  CINERAG_SEARCH: z.enum(["embedded", "elasticsearch"]).default("embedded"),
  /** the embedded search index's SQLite page cache per connection, MiB (allocated as pages are read) */
  CINERAG_SEARCH_CACHE_MIB: z.coerce.number().int().min(2).max(65_536).default(256),
  ELASTICSEARCH_URL: z.url().optional(),
  /** redis://host:port: Redis pub/sub for subscriptions across processes (scale-out); unset = in-process */
  CINERAG_REDIS_URL: z
    .url()
    .refine((v) => /^rediss?:\/\//.test(v), "must be a redis:// or rediss:// URL")
    .optional(),
  CINERAG_API_KEYS: z.string().optional(),
  CINERAG_OFFLINE: bool.default(false),
  /** where models are downloaded from: the Hugging Face hub, or a mirror with its URL layout */
  CINERAG_MODEL_HUB: z.url().default("https://huggingface.co/"),
  /** tasks whose model `serve` and `ingest` download at their first start (online), with a progress bar; "none": none */
  CINERAG_MODELS_FIRST_PULL: list.optional(),
  CINERAG_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  CINERAG_MAX_SCENE_SECONDS: z.coerce.number().positive().default(180),
  // GraphQL server (src/server): listen address, limits and production toggles
  /** interface `cinerag serve` listens on; loopback by default (set 0.0.0.0 with API keys to serve a network) */
  CINERAG_HOST: z.string().min(1).default("127.0.0.1"),
  CINERAG_GRAPHQL_INTROSPECTION: bool.default(true),
  CINERAG_GRAPHQL_PLAYGROUND: bool.default(true),
  CINERAG_GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).default(12),
  CINERAG_GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(15),
  CINERAG_GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(20),
  CINERAG_GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(50).default(2000),
  // GraphQL Armor's cost grows with nesting (x1.5 a level), not with page sizes: a scene page with its cues
  // and keyframes under a clip page costs ~25 000, so the default leaves room for such ordinary queries.
  CINERAG_GRAPHQL_MAX_COST: z.coerce.number().int().min(10).default(100000),
  /** largest accepted HTTP body / WebSocket message, in bytes */
  CINERAG_GRAPHQL_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(100 * 1024),
  /** time limit of one query or mutation, in seconds */
  CINERAG_GRAPHQL_TIMEOUT: z.coerce.number().positive().default(30),
  /** error entries in one response at most (the rest are counted in one last entry) */
  CINERAG_GRAPHQL_MAX_ERRORS: z.coerce.number().int().min(1).max(1000).default(20),
  // WebSocket (graphql-ws) limits: a client over one is refused with a graphql-ws close or error code
  /** open WebSocket connections from one IP address (close 4429) */
  CINERAG_WS_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(64),
  /** queries and mutations running at once on one connection (error TOO_MANY_REQUESTS) */
  CINERAG_WS_MAX_OPERATIONS: z.coerce.number().int().min(1).default(16),
  /** subscriptions open at once on one connection (error TOO_MANY_REQUESTS) */
  CINERAG_WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).default(64),
  /** messages per second one connection may send, sustained (bursts of twice as many; over: close 4429) */
  CINERAG_WS_MESSAGE_RATE: z.coerce.number().positive().default(100),
  /** bytes queued for a client that does not read: above, its messages are not read until it catches up */
  CINERAG_WS_MAX_BUFFERED: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  /** absolute base URL the server is reached at (for keyframe URLs behind a proxy); default: from the request */
  CINERAG_PUBLIC_URL: z.url().optional(),
  /** ingest jobs run at once by the in-process job runner, or by one `cinerag worker` */
  CINERAG_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  /**
   * the job queue: bullmq (on CINERAG_REDIS_URL; `cinerag worker` runs the jobs) when CINERAG_REDIS_URL is set,
   * else in-process; in-process with CINERAG_REDIS_URL keeps the jobs in `cinerag serve` (Redis pub/sub only)
   */
  CINERAG_JOBS: z.enum(["in-process", "bullmq"]).optional(),
  /** with the BullMQ queue: `cinerag serve` runs a worker too (default: it only enqueues) */
  CINERAG_SERVE_WORKER: bool.default(false),
  /** BullMQ: a worker's lock on its job lasts this long unless renewed (renewed every half of it) */
  CINERAG_JOB_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  /** BullMQ: how often workers look for jobs whose worker died (lock expired) and hand them to another */
  CINERAG_JOB_STALLED_MS: z.coerce.number().int().min(250).default(30_000),
  /** BullMQ: a job whose worker died more than this many times is failed */
  CINERAG_JOB_MAX_STALLED: z.coerce.number().int().min(0).default(2),
  /** runs of a job that fails for a transient reason (database or Redis away) before it is FAILED; 1: no retry */
  CINERAG_JOB_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  /** wait before the first retry; each later one waits twice as long as the one before */
  CINERAG_JOB_BACKOFF_MS: z.coerce.number().int().min(0).default(5_000),
  /** BullMQ workers: how often rows QUEUED or RUNNING whose BullMQ job is gone (Redis flushed) are queued again */
  CINERAG_JOB_SWEEP_MS: z.coerce.number().int().min(250).default(60_000),
  /** leases in the database (src/cluster/lease.ts: the search outbox drainer, one ingest per file): how long
   *  a holder that stops renewing (it died on another machine) keeps it */
  CINERAG_LEASE_MS: z.coerce.number().int().min(500).default(30_000),
  // Models (src/models): per task a hub id or a local folder, or off/none to skip the task (the embedding
  // task also takes "hashing": the dependency-free embedder). Defaults: src/models/model-registry.ts.
  CINERAG_MODEL_EMBEDDING: z.string().trim().min(1).optional(),
  CINERAG_MODEL_EMOTION: z.string().trim().min(1).optional(),
  CINERAG_MODEL_ZERO_SHOT: z.string().trim().min(1).optional(),
  CINERAG_MODEL_CAPTION: z.string().trim().min(1).optional(),
  CINERAG_MODEL_CLIP: z.string().trim().min(1).optional(),
  CINERAG_MODEL_ASR: z.string().trim().min(1).optional(),
  CINERAG_MODEL_GENERATION: z.string().trim().min(1).optional(),
  /** onnxruntime intra-op threads per model session; default: onnxruntime's choice (the cores) */
  CINERAG_MODEL_THREADS: z.coerce.number().int().min(1).max(256).optional(),
  // OCR (src/ocr): image subtitle tracks (PGS, VobSub, DVB) and burned-in subtitles. burned-in "auto": looked
  // for when no text or image track has cues; "always"; "off". Reads below the confidence floor are dropped.
  CINERAG_OCR: bool.default(true),
  CINERAG_OCR_BURNED_IN: z.enum(["auto", "always", "off"]).default("auto"),
  CINERAG_OCR_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.8),
  /** texts or images per inference call */
  CINERAG_MODEL_BATCH: z.coerce.number().int().min(1).max(1024).default(32),
  /** ingest enrichment steps after the store: embedding, emotion, caption, clip, asr (all by default; "none" for none) */
  CINERAG_ENRICH: list.optional(),
  // Analysis (src/analysis): the generator of answers and drafts. extractive = no model (quotes retrieved
  // lines); openai = any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, llama.cpp); local = the
  // transformers.js model of src/models (extractive when it cannot be had).
  CINERAG_GENERATOR: z.enum(["extractive", "openai", "local"]).default("extractive"),
  CINERAG_OPENAI_BASE_URL: z.url().optional(),
  CINERAG_OPENAI_MODEL: z.string().trim().min(1).optional(),
  CINERAG_OPENAI_API_KEY: z.string().optional(),
  /** time limit of one generation request, in seconds */
  CINERAG_GENERATOR_TIMEOUT: z.coerce.number().positive().default(120),
});

export type Env = z.input<typeof schema>;

export type DatabaseConfig = { provider: "sqlite"; file: string } | { provider: "postgresql"; url: string };

/** what src/store's migrateDatabase / openPrismaClient take: the SQLite file or the PostgreSQL URL */
export function databaseTarget(database: DatabaseConfig): string {
  return database.provider === "postgresql" ? database.url : database.file;
}

export interface Config {
  /** things worth saying at start-up (unknown CINERAG_* variables) */
  warnings: string[];
  dataDir: string;
  /** the SQLite file (used when `database.provider` is sqlite) */
  databaseFile: string;
  /** the database the store opens: SQLite (the file above, the default) or PostgreSQL (CINERAG_DATABASE_URL) */
  database: DatabaseConfig;
  searchFile: string;
  keyframeDir: string;
  modelCacheDir: string;
  /** undefined when not configured: each entry point has its own default */
  logLevel?: NonNullable<z.infer<typeof schema>["CINERAG_LOG_LEVEL"]>;
  media: { ffmpegPath?: string; ffprobePath?: string; decodeWidth: number; timeoutMs: number };
  mediaRoots?: string[];
  /** limits on every subtitle input (src/ingest/subtitles/limits.ts) */
  subtitles: { maxFileBytes: number; maxCues: number; maxCueChars: number };
  search: { kind: "embedded" | "elasticsearch"; elasticsearchUrl?: string; cacheMiB: number };
  /** Redis for pub/sub across processes; undefined = in-process */
  redisUrl?: string;
  apiKeys?: string;
  offline: boolean;
  port: number;
  scenes: { maxSceneSeconds: number };
  /** parsed CINERAG_API_KEYS (`reader:KEY1,editor:KEY2`); empty = local single-user mode */
  apiKeyList: ApiKey[];
  graphql: GraphQLLimits;
  publicUrl?: string;
  host: string;
  jobs: JobsConfig;
  /** CINERAG_LEASE_MS: a lease's life from its last renewal (src/cluster/lease.ts) */
  leaseMs: number;
  /** src/models: per task the configured value (undefined = the registry's default) */
  models: ModelsConfig;
  /** ingest enrichment steps to run (src/ingest/enrich) */
  enrich: EnrichStep[];
  ocr: { enabled: boolean; burnedIn: "auto" | "always" | "off"; confidenceFloor: number; threads?: number };
  /** src/analysis: the generator for ask and draftScene */
  analysis: {
    generator: {
      kind: "extractive" | "openai" | "local";
      openai?: { baseUrl: string; model: string; apiKey?: string; timeoutMs: number };
    };
  };
}

export interface JobsConfig {
  /** jobs run at once by this process's runner (in-process, or a BullMQ worker) */
  concurrency: number;
  /** in-process: `cinerag serve` runs the jobs over the Job table; bullmq: a BullMQ queue on Redis */
  driver: "in-process" | "bullmq";
  /** bullmq: `cinerag serve` runs a worker besides enqueueing */
  serveWorker: boolean;
  /** bullmq: lockDuration, stalledInterval and maxStalledCount of the workers */
  lockMs: number;
  stalledMs: number;
  maxStalled: number;
  /** both drivers: a transiently failed job is run up to `attempts` times, waiting backoffMs, 2x, 4x, ... between */
  retry: RetryPolicy;
  /** bullmq workers: period of the sweep for rows whose BullMQ job was lost */
  sweepMs: number;
}

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export const ENRICH_STEPS = ["embedding", "emotion", "caption", "clip", "asr"] as const;
export type EnrichStep = (typeof ENRICH_STEPS)[number];

export interface ModelsConfig {
  /** task → hub id, local folder, "off" (skip) or "hashing" (embedding only); undefined = default */
  overrides: Partial<Record<"embedding" | "emotion" | "zero-shot" | "caption" | "clip" | "asr" | "generation", string>>;
  /** transformers.js cache (downloads) and local model root: <dataDir>/models */
  cacheDir: string;
  /** CINERAG_OFFLINE: never download */
  offline: boolean;
  /** CINERAG_MODEL_HUB, ending in "/" */
  hub: string;
  /** models `serve` and `ingest` fetch before they start, when online and not on disk */
  firstPull: ModelTask[];
  threads?: number;
  batchSize: number;
}

export type ApiRole = "reader" | "editor";

export interface ApiKey {
  role: ApiRole;
  key: string;
}

export interface GraphQLLimits {
  introspection: boolean;
  playground: boolean;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  bodyLimitBytes: number;
  operationTimeoutMs: number;
  maxErrors: number;
  ws: WebSocketLimits;
}

export interface WebSocketLimits {
  maxConnectionsPerIp: number;
  maxOperations: number;
  maxSubscriptions: number;
  messagesPerSecond: number;
  maxBufferedBytes: number;
}

/** `reader:KEY1,editor:KEY2` (commas, semicolons or whitespace between entries). */
export function parseApiKeys(value: string | undefined): { keys: ApiKey[]; problems: string[] } {
  const keys: ApiKey[] = [];
  const problems: string[] = [];
  for (const entry of (value ?? "").split(/[\s,;]+/).filter(Boolean)) {
    const at = entry.indexOf(":");
    const role = entry.slice(0, at).toLowerCase();
    const key = entry.slice(at + 1);
    if (at <= 0 || (role !== "reader" && role !== "editor")) {
      problems.push(
        `CINERAG_API_KEYS: entry "${entry.slice(0, Math.max(at, 0)) || "?"}:…" must be reader:<key> or editor:<key>`,
      );
    } else if (key.length < 8) {
      problems.push(`CINERAG_API_KEYS: the ${role} key must be at least 8 characters`);
    } else {
      keys.push({ role, key });
    }
  }
  return { keys, problems };
}

/** CINERAG_ENRICH: unset = every step; "none"/"off" = none; otherwise the listed steps. */
/**
 * A list setting of known names (CINERAG_ENRICH, CINERAG_MODELS_FIRST_PULL): unset = `defaults`; "none" or
 * "off" = none; otherwise the names given, in `allowed`'s order; an unknown one is a configuration error.
 */
function namedList<T extends string>(
  variable: string,
  kind: string,
  value: string[] | undefined,
  allowed: readonly T[],
  defaults: readonly T[],
): T[] {
  if (value === undefined) return [...defaults];
  const wanted = value.map((v) => v.toLowerCase());
  if (wanted.length === 0 || wanted.every((v) => v === "none" || v === "off")) return [];
  const bad = wanted.filter((v) => !(allowed as readonly string[]).includes(v));
  if (bad.length > 0)
    throw new ConfigError(
      `invalid configuration: ${variable}: unknown ${kind} ${bad.join(", ")} (${kind}s: ${allowed.join(", ")}, or none)`,
    );
  return allowed.filter((t) => wanted.includes(t));
}

/** a bad configuration: the CLI exits with CONFIG_INVALID's status (src/errors/error-codes.ts) */
export class ConfigError extends AppError {
  constructor(message: string) {
    super("CONFIG_INVALID", message);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => {
        const name = i.path.join(".");
        const given = env[name];
        // the value is shown, but never a key's
        // nor a password inside a URL (CINERAG_DATABASE_URL, CINERAG_REDIS_URL)
        const safe = given?.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
        const shown = safe === undefined || /KEY/.test(name) ? "" : ` (got ${JSON.stringify(safe)})`;
        return `${name}: ${i.message}${shown}`;
      })
      .join("; ");
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  if (e.CINERAG_SEARCH === "elasticsearch" && !e.ELASTICSEARCH_URL) {
    throw new ConfigError("invalid configuration: ELASTICSEARCH_URL is required when CINERAG_SEARCH=elasticsearch");
  }
  if (e.CINERAG_JOBS === "bullmq" && !e.CINERAG_REDIS_URL) {
    throw new ConfigError("invalid configuration: CINERAG_REDIS_URL is required when CINERAG_JOBS=bullmq");
  }
  const apiKeys = parseApiKeys(e.CINERAG_API_KEYS);
  if (apiKeys.problems.length > 0) throw new ConfigError(`invalid configuration: ${apiKeys.problems.join("; ")}`);
  const dataDir = path.resolve(e.CINERAG_DATA_DIR);
  const enrichSteps = namedList("CINERAG_ENRICH", "step", e.CINERAG_ENRICH, ENRICH_STEPS, ENRICH_STEPS);
  if (e.CINERAG_GENERATOR === "openai" && (!e.CINERAG_OPENAI_BASE_URL || !e.CINERAG_OPENAI_MODEL)) {
    throw new ConfigError(
      "invalid configuration: CINERAG_OPENAI_BASE_URL and CINERAG_OPENAI_MODEL are required when CINERAG_GENERATOR=openai",
    );
  }
  // A misspelt variable would otherwise be ignored without a word.
  const known = new Set(Object.keys(schema.shape));
  const unknown = Object.keys(env).filter(
    (k) => k.startsWith("CINERAG_") && !known.has(k) && !k.startsWith("CINERAG_TEST_"),
  );
  return {
    warnings: unknown.map((k) => `${k} is not a cinerag setting and is ignored (see src/config.ts or the README)`),
    dataDir,
    databaseFile: path.join(dataDir, "cinerag.db"),
    database: e.CINERAG_DATABASE_URL
      ? { provider: "postgresql", url: e.CINERAG_DATABASE_URL }
      : { provider: "sqlite", file: path.join(dataDir, "cinerag.db") },
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
    subtitles: {
      maxFileBytes: e.CINERAG_SUBTITLE_MAX_BYTES,
      maxCues: e.CINERAG_SUBTITLE_MAX_CUES,
      maxCueChars: e.CINERAG_SUBTITLE_MAX_CUE_CHARS,
    },
    search: { kind: e.CINERAG_SEARCH, elasticsearchUrl: e.ELASTICSEARCH_URL, cacheMiB: e.CINERAG_SEARCH_CACHE_MIB },
    redisUrl: e.CINERAG_REDIS_URL,
    apiKeys: e.CINERAG_API_KEYS,
    offline: e.CINERAG_OFFLINE,
    port: e.CINERAG_PORT,
    scenes: { maxSceneSeconds: e.CINERAG_MAX_SCENE_SECONDS },
    apiKeyList: apiKeys.keys,
    graphql: {
      introspection: e.CINERAG_GRAPHQL_INTROSPECTION,
      playground: e.CINERAG_GRAPHQL_PLAYGROUND,
      maxDepth: e.CINERAG_GRAPHQL_MAX_DEPTH,
      maxAliases: e.CINERAG_GRAPHQL_MAX_ALIASES,
      maxDirectives: e.CINERAG_GRAPHQL_MAX_DIRECTIVES,
      maxTokens: e.CINERAG_GRAPHQL_MAX_TOKENS,
      maxCost: e.CINERAG_GRAPHQL_MAX_COST,
      bodyLimitBytes: e.CINERAG_GRAPHQL_BODY_LIMIT,
      operationTimeoutMs: Math.round(e.CINERAG_GRAPHQL_TIMEOUT * 1000),
      maxErrors: e.CINERAG_GRAPHQL_MAX_ERRORS,
      ws: {
        maxConnectionsPerIp: e.CINERAG_WS_MAX_CONNECTIONS_PER_IP,
        maxOperations: e.CINERAG_WS_MAX_OPERATIONS,
        maxSubscriptions: e.CINERAG_WS_MAX_SUBSCRIPTIONS,
        messagesPerSecond: e.CINERAG_WS_MESSAGE_RATE,
        maxBufferedBytes: e.CINERAG_WS_MAX_BUFFERED,
      },
    },
    publicUrl: e.CINERAG_PUBLIC_URL?.replace(/\/+$/, ""),
    host: e.CINERAG_HOST,
    jobs: {
      concurrency: e.CINERAG_JOB_CONCURRENCY,
      // Redis alone selects the BullMQ queue (the issue's contract); CINERAG_JOBS=in-process keeps the embedded one
      driver: e.CINERAG_JOBS ?? (e.CINERAG_REDIS_URL ? "bullmq" : "in-process"),
      serveWorker: e.CINERAG_SERVE_WORKER,
      lockMs: e.CINERAG_JOB_LOCK_MS,
      stalledMs: e.CINERAG_JOB_STALLED_MS,
      maxStalled: e.CINERAG_JOB_MAX_STALLED,
      retry: { attempts: e.CINERAG_JOB_ATTEMPTS, backoffMs: e.CINERAG_JOB_BACKOFF_MS },
      sweepMs: e.CINERAG_JOB_SWEEP_MS,
    },
    leaseMs: e.CINERAG_LEASE_MS,
    models: {
      overrides: {
        embedding: e.CINERAG_MODEL_EMBEDDING,
        emotion: e.CINERAG_MODEL_EMOTION,
        "zero-shot": e.CINERAG_MODEL_ZERO_SHOT,
        caption: e.CINERAG_MODEL_CAPTION,
        clip: e.CINERAG_MODEL_CLIP,
        asr: e.CINERAG_MODEL_ASR,
        generation: e.CINERAG_MODEL_GENERATION,
      },
      cacheDir: path.join(dataDir, "models"),
      offline: e.CINERAG_OFFLINE,
      hub: e.CINERAG_MODEL_HUB.replace(/\/*$/, "/"),
      // the first start fetches the embedding model (search quality; the index's dimension is fixed by the
      // first model that fills it) and the emotion model
      firstPull: namedList("CINERAG_MODELS_FIRST_PULL", "task", e.CINERAG_MODELS_FIRST_PULL, MODEL_TASKS, [
        "embedding",
        "emotion",
      ]),
      threads: e.CINERAG_MODEL_THREADS,
      batchSize: e.CINERAG_MODEL_BATCH,
    },
    enrich: enrichSteps,
    ocr: {
      enabled: e.CINERAG_OCR,
      burnedIn: e.CINERAG_OCR_BURNED_IN,
      confidenceFloor: e.CINERAG_OCR_CONFIDENCE,
      threads: e.CINERAG_MODEL_THREADS,
    },
    analysis: {
      generator: {
        kind: e.CINERAG_GENERATOR,
        ...(e.CINERAG_GENERATOR === "openai"
          ? {
              openai: {
                baseUrl: e.CINERAG_OPENAI_BASE_URL!,
                model: e.CINERAG_OPENAI_MODEL!,
                apiKey: e.CINERAG_OPENAI_API_KEY || undefined,
                timeoutMs: Math.round(e.CINERAG_GENERATOR_TIMEOUT * 1000),
              },
            }
          : {}),
      },
    },
  };
}
