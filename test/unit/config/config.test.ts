// Configuration is parsed once; what is wrong is said all at once, with the value given (never a key).
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";

describe("loadConfig", () => {
  it("lists every bad variable with the value it was given", () => {
    const attempt = () => loadConfig({ CINERAG_PORT: "abc", CINERAG_SEARCH: "solr" });
    expect(attempt).toThrow(/CINERAG_PORT: [^;]*\(got "abc"\)/);
    expect(attempt).toThrow(/CINERAG_SEARCH: [^;]*\(got "solr"\)/);
  });

  it("never echoes an API key", () => {
    let message = "";
    try {
      loadConfig({ CINERAG_API_KEYS: "boss:supersecretvalue" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/CINERAG_API_KEYS/);
    expect(message).not.toContain("supersecretvalue");
  });

  it("warns about CINERAG_ variables it does not know, such as a misspelling", () => {
    const config = loadConfig({ CINERAG_MODEL_EMBEDING: "x", CINERAG_PORT: "4100", HOME: "/root" });
    expect(config.port).toBe(4100);
    expect(config.warnings).toEqual([
      "CINERAG_MODEL_EMBEDING is not a cinerag setting and is ignored (see src/config.ts or the README)",
    ]);
  });

  it("the job queue is BullMQ when CINERAG_REDIS_URL is set, unless CINERAG_JOBS=in-process; bullmq needs Redis", () => {
    expect(loadConfig({}).jobs.driver).toBe("in-process");
    // Redis alone: BullMQ jobs (and Redis pub/sub)
    expect(loadConfig({ CINERAG_REDIS_URL: "redis://127.0.0.1:6379" }).jobs).toMatchObject({
      driver: "bullmq",
      serveWorker: false,
      retry: { attempts: 5, backoffMs: 5000 },
      sweepMs: 60_000,
    });
    // the override: jobs stay in the server, subscriptions still go over Redis
    const kept = loadConfig({ CINERAG_REDIS_URL: "redis://127.0.0.1:6379", CINERAG_JOBS: "in-process" });
    expect(kept.jobs.driver).toBe("in-process");
    expect(kept.redisUrl).toBe("redis://127.0.0.1:6379");
    const bull = loadConfig({
      CINERAG_JOBS: "bullmq",
      CINERAG_REDIS_URL: "redis://127.0.0.1:6379",
      CINERAG_SERVE_WORKER: "1",
      CINERAG_JOB_LOCK_MS: "3000",
      CINERAG_JOB_ATTEMPTS: "3",
      CINERAG_JOB_BACKOFF_MS: "250",
      CINERAG_JOB_SWEEP_MS: "1000",
    }).jobs;
    expect(bull).toMatchObject({
      driver: "bullmq",
      serveWorker: true,
      lockMs: 3000,
      stalledMs: 30_000,
      maxStalled: 2,
      retry: { attempts: 3, backoffMs: 250 },
      sweepMs: 1000,
    });
    expect(() => loadConfig({ CINERAG_JOBS: "bullmq" })).toThrow(
      /CINERAG_REDIS_URL is required when CINERAG_JOBS=bullmq/,
    );
    expect(() => loadConfig({ CINERAG_JOBS: "sidekiq" })).toThrow(/CINERAG_JOBS/);
    expect(() => loadConfig({ CINERAG_JOB_ATTEMPTS: "0" })).toThrow(/CINERAG_JOB_ATTEMPTS/);
  });

  it("the first start fetches the embedding and emotion models unless told otherwise", () => {
    expect(loadConfig({}).models.firstPull).toEqual(["embedding", "emotion"]);
    expect(loadConfig({ CINERAG_MODELS_FIRST_PULL: "none" }).models.firstPull).toEqual([]);
    expect(loadConfig({ CINERAG_MODELS_FIRST_PULL: "asr, embedding" }).models.firstPull).toEqual(["embedding", "asr"]);
    expect(() => loadConfig({ CINERAG_MODELS_FIRST_PULL: "colour" })).toThrow(
      /CINERAG_MODELS_FIRST_PULL: unknown task colour/,
    );
    expect(loadConfig({ CINERAG_MODEL_HUB: "http://mirror.local:8080" }).models.hub).toBe("http://mirror.local:8080/");
  });

  it("uses SQLite in the data directory unless CINERAG_DATABASE_URL names a PostgreSQL server", () => {
    const sqlite = loadConfig({ CINERAG_DATA_DIR: "/srv/cinerag" });
    expect(sqlite.database).toEqual({ provider: "sqlite", file: "/srv/cinerag/cinerag.db" });
    const url = "postgresql://cinerag:pw@db.internal:5432/cinerag?schema=media";
    expect(loadConfig({ CINERAG_DATABASE_URL: url }).database).toEqual({ provider: "postgresql", url });
    expect(loadConfig({ CINERAG_DATABASE_URL: "postgres://db/cinerag" }).database.provider).toBe("postgresql");
  });

  it("refuses a CINERAG_DATABASE_URL that is not postgresql://, without echoing its password", () => {
    const attempt = () => loadConfig({ CINERAG_DATABASE_URL: "mysql://root:hunter2@db/cinerag" });
    expect(attempt).toThrow(/CINERAG_DATABASE_URL: must be a postgresql:\/\/ URL/);
    expect(attempt).toThrow(/got "mysql:\/\/root:\*\*\*@db\/cinerag"/);
    expect(attempt).not.toThrow(/hunter2/);
  });

  it("gives the embedded search index a 256 MiB page cache per connection unless told otherwise", () => {
    expect(loadConfig({}).search.cacheMiB).toBe(256);
    expect(loadConfig({ CINERAG_SEARCH_CACHE_MIB: "1024" }).search.cacheMiB).toBe(1024);
    expect(() => loadConfig({ CINERAG_SEARCH_CACHE_MIB: "1" })).toThrow(/CINERAG_SEARCH_CACHE_MIB: [^;]*\(got "1"\)/);
  });
});
