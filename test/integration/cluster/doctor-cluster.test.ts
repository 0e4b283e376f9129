// `cinerag doctor` and the start-up log on a cluster's engines: which search engine serves the cluster (a
// warning for the embedded index when PostgreSQL or Redis is configured: machines could not share it),
// Redis for pub/sub (reachable, version; down = fail), the search engine's version, and the search outbox
// with the process holding its drain lease. Real SQLite, PostgreSQL and Redis; Elasticsearch cannot be had
// here, so its case talks to a test double at the HTTP boundary: a server answering the three requests the
// doctor makes (HEAD /, GET /, GET /<index>/_mapping) as Elasticsearch 9 does, with its product header.
import { createServer, type Server } from "node:http";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks, type Check } from "../../../src/cli/doctor.command.js";
import { Lease } from "../../../src/cluster/lease.js";
import { loadConfig } from "../../../src/config.js";
import { logSearchTopology } from "../../../src/search/search-topology.js";
import { LeaseRepository } from "../../../src/store/lease.repository.js";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { openPrismaClient } from "../../../src/store/prisma.client.js";
import { SearchOutboxRepository } from "../../../src/store/search-outbox.repository.js";
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from "../../helpers/postgres-server.js";
import { freePort, REDIS_MISSING, startRedis, type TestRedis } from "../../helpers/redis-server.js";
import { tempDataDir } from "../graphql/helpers/seed.js";
import { startServe, stopProc } from "../../e2e/scaleout/helpers.js";

const noFfmpeg = { media: () => ({ describe: () => Promise.resolve({}) }) as never };
const missing = POSTGRES_MISSING ?? REDIS_MISSING;
if (missing) console.warn(`[skip] doctor on PostgreSQL and Redis: ${missing}`);

let dir: string;
let n = 0;
const config = (env: Record<string, string> = {}) =>
  loadConfig({ CINERAG_DATA_DIR: path.join(dir, `data-${++n}`), CINERAG_OFFLINE: "1", ...env });
const check = (checks: Check[], name: string) => {
  const c = checks.find((x) => x.name === name);
  return c ? `${c.level} ${c.detail}` : "(none)";
};

beforeAll(async () => {
  dir = await tempDataDir("cinerag-doctor-cluster-");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("cinerag doctor, one machine (SQLite)", () => {
  it("the embedded index serves this machine; the outbox: rows waiting, then who drains them", async () => {
    const c = config();
    let checks = await runChecks(c, noFfmpeg);
    expect(check(checks, "search engine")).toMatch(/^ok embedded index .* this machine/);
    expect(check(checks, "pub/sub")).toMatch(/^ok in-process/);
    expect(check(checks, "search outbox")).toBe("(none)"); // no database yet: nothing to read

    await migrateDatabase(c.databaseFile);
    const prisma = await openPrismaClient(c.databaseFile);
    try {
      await new SearchOutboxRepository(prisma).enqueue("UPSERT", "clip", ["s1", "s2"]);
      checks = await runChecks(c, noFfmpeg);
      expect(check(checks, "database")).toMatch(/^ok SQLite 3\.\d+\.\d+ at .* migrations applied, none pending/);
      expect(check(checks, "search outbox")).toMatch(/^warn 2 scene updates waiting and no process drains them/);
      const lease = new Lease(new LeaseRepository(prisma), "search-outbox");
      expect(await lease.hold()).toBe(true);
      checks = await runChecks(c, noFfmpeg);
      expect(check(checks, "search outbox")).toMatch(
        new RegExp(`^ok 2 scene updates waiting; drained by pid ${process.pid} `),
      );
      await lease.release();
    } finally {
      await prisma.$disconnect();
    }
  });
});

describe.skipIf(missing)(`cinerag doctor on PostgreSQL and Redis ${missing ? `(skipped: ${missing})` : ""}`, () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  }, 120_000);
  afterAll(async () => {
    await redis?.stop();
    await pg?.stop();
  });

  it("warns that machines cannot share the embedded index, checks Redis (version; down = fail)", async () => {
    const url = await pg.createDatabase();
    await migrateDatabase(url);
    const c = config({ CINERAG_DATABASE_URL: url, CINERAG_REDIS_URL: redis.url });
    const checks = await runChecks(c, noFfmpeg);
    expect(check(checks, "search engine")).toMatch(
      /^warn embedded index .* with PostgreSQL and Redis configured: .*other machines cannot share it/,
    );
    expect(check(checks, "pub/sub")).toMatch(/^ok Redis \d+\.\d+\.\d+ at redis:\/\/127\.0\.0\.1:\d+/);
    expect(check(checks, "database")).toMatch(/^ok PostgreSQL 1\d\.\d+ .* migrations applied, none pending/);
    expect(check(checks, "search outbox")).toMatch(/^ok empty; no process drains it now/);
    expect(checks.some((x) => x.level === "fail")).toBe(false);

    const down = `redis://127.0.0.1:${await freePort()}`;
    const without = await runChecks(config({ CINERAG_DATABASE_URL: url, CINERAG_REDIS_URL: down }), noFfmpeg);
    expect(check(without, "pub/sub")).toMatch(/^fail Redis at redis:\/\/127\.0\.0\.1:\d+ cannot be reached/);
  });

  it("cinerag serve says it at start: the embedded index with PostgreSQL configured is a warning", async () => {
    const url = await pg.createDatabase();
    const serve = await startServe({
      CINERAG_DATA_DIR: path.join(dir, "serve"),
      CINERAG_DATABASE_URL: url,
      CINERAG_OFFLINE: "1",
      CINERAG_MODELS_FIRST_PULL: "none",
      CINERAG_LOG_LEVEL: "warn",
    });
    try {
      expect(serve.output()).toMatch(/search: embedded index .* with PostgreSQL configured: .*other machines cannot/);
    } finally {
      await stopProc(serve);
    }
  }, 120_000);
});

describe("cinerag doctor with Elasticsearch (an HTTP double: Elasticsearch cannot be had here)", () => {
  let server: Server;
  let url: string;
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url?.split("?")[0]}`);
      const headers = { "content-type": "application/json", "x-elastic-product": "Elasticsearch" };
      if (req.url === "/" || req.url?.startsWith("/?")) {
        res.writeHead(200, headers);
        res.end(
          JSON.stringify({
            name: "es",
            cluster_name: "c",
            version: { number: "9.1.2" },
            tagline: "You Know, for Search",
          }),
        );
      } else {
        res.writeHead(404, headers);
        res.end(JSON.stringify({ error: { type: "index_not_found_exception" }, status: 404 }));
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("says Elasticsearch serves every machine, with its version; not built yet", async () => {
    const checks = await runChecks(config({ CINERAG_SEARCH: "elasticsearch", ELASTICSEARCH_URL: url }), noFfmpeg);
    expect(check(checks, "search engine")).toMatch(
      /^ok Elasticsearch \(http:\/\/127\.0\.0\.1:\d+\) serves every machine/,
    );
    expect(check(checks, "search index")).toMatch(
      /^ok elasticsearch \(Elasticsearch 9\.1\.2\): reachable, not built yet/,
    );
    expect(requests).toContain("GET /");
  });
});

it("the start-up line is a warning only where machines could not share the index", () => {
  const lines: Array<[string, string]> = [];
  const logger = {
    info: (_o: object, m: string) => lines.push(["info", m]),
    warn: (_o: object, m: string) => lines.push(["warn", m]),
  } as never;
  logSearchTopology(logger, config());
  logSearchTopology(logger, config({ CINERAG_REDIS_URL: "redis://127.0.0.1:1" }));
  logSearchTopology(logger, config({ CINERAG_SEARCH: "elasticsearch", ELASTICSEARCH_URL: "http://es:9200" }));
  expect(lines.map(([level]) => level)).toEqual(["info", "warn", "info"]);
  expect(lines[1]![1]).toMatch(/with Redis configured/);
});
