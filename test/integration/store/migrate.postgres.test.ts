// Start-up migrations on PostgreSQL (src/store/migrate.postgres.ts) against a private cluster: a missing
// database is created, every migration of prisma/postgres/migrations is applied with Prisma's bookkeeping,
// migrators started at once (processes and calls) serialise on the advisory lock, and a later, an edited
// and a broken migration behave as `prisma migrate deploy` would. Skipped, saying why, without PostgreSQL.
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks } from "../../../src/cli/doctor.command.js";
import { loadConfig } from "../../../src/config.js";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { MIGRATE_LOCK_KEY, postgresMigrationStatus } from "../../../src/store/migrate.postgres.js";
import {
  defaultMigrationsDir,
  migrationChecksum,
  openSchemaEngine,
  readMigrationsList,
  schemasContainer,
  SchemaEngineError,
} from "../../../src/store/schema-engine.js";
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from "../../helpers/postgres-server.js";
import { freePort } from "../../helpers/redis-server.js";
import { migrateInChild, REPO_ROOT, runNode } from "./helpers/spawn.js";

if (POSTGRES_MISSING) console.warn(`[skip] PostgreSQL migrations: ${POSTGRES_MISSING}`);

const MIGRATIONS = defaultMigrationsDir("postgresql");
const migrationNames = readdirSync(MIGRATIONS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const MODEL_TABLES = [
  ...readFileSync(path.resolve("prisma/postgres/schema.prisma"), "utf8").matchAll(/^model (\w+) \{/gm),
].map((m) => m[1]!);

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const tables = async (url: string) =>
  (await query<{ t: string }>(url, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map(
    (r) => r.t,
  );

describe.skipIf(POSTGRES_MISSING)(`migrations on PostgreSQL ${POSTGRES_MISSING ? "(skipped)" : ""}`, () => {
  let server: TestPostgres;
  const tmp = mkdtempSync(path.join(os.tmpdir(), "cinerag-migrate-pg-"));
  let n = 0;
  /** a URL naming a database that does not exist yet */
  const freshUrl = () => server.url.replace(/\/postgres$/, `/migrate_${++n}`);
  const withMigration = (name: string, sql: string) => {
    const dir = path.join(tmp, `migrations-${++n}`);
    cpSync(MIGRATIONS, dir, { recursive: true });
    const target = path.join(dir, name);
    cpSync(path.join(dir, migrationNames[0]!), target, { recursive: true });
    writeFileSync(path.join(target, "migration.sql"), sql);
    return dir;
  };

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("creates the database and applies every migration with Prisma's bookkeeping; then reads only", async () => {
    const url = freshUrl();
    const t0 = performance.now();
    expect((await migrateDatabase(url)).applied).toEqual(migrationNames);
    const firstMs = performance.now() - t0;
    const t1 = performance.now();
    expect((await migrateDatabase(url)).applied).toEqual([]);
    const secondMs = performance.now() - t1;
    console.info(`migrate PostgreSQL: first run ${firstMs.toFixed(0)} ms, up to date ${secondMs.toFixed(1)} ms`);

    expect(await tables(url)).toEqual(["_prisma_migrations", ...MODEL_TABLES].sort());
    const rows = await query<{ migration_name: string; checksum: string; done: boolean; applied_steps_count: number }>(
      url,
      `SELECT migration_name, checksum, finished_at IS NOT NULL AND rolled_back_at IS NULL AS done,
              applied_steps_count FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows).toEqual(
      migrationNames.map((name) => ({
        migration_name: name,
        checksum: migrationChecksum(readFileSync(path.join(MIGRATIONS, name, "migration.sql"), "utf8")),
        done: true,
        applied_steps_count: 1,
      })),
    );
    expect(await postgresMigrationStatus(url)).toEqual({
      applied: migrationNames,
      pending: [],
      edited: [],
      failed: [],
    });
    // no shadow or scratch database left behind
    const databases = await query<{ d: string }>(server.url, "SELECT datname AS d FROM pg_database");
    expect(databases.map((r) => r.d).filter((d) => d.startsWith("prisma_migrate_shadow"))).toEqual([]);
  });

  it("lets processes and calls started at the same time all succeed, applying each migration once", async () => {
    const url = freshUrl();
    const results = await Promise.all([migrateInChild(url), migrateInChild(url), migrateInChild(url)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(migrationNames);
    const inProcess = freshUrl();
    const calls = await Promise.all([
      migrateDatabase(inProcess),
      migrateDatabase(inProcess),
      migrateDatabase(inProcess),
    ]);
    expect(calls.flatMap((r) => r.applied).sort()).toEqual(migrationNames);
    const count = await query<{ n: string }>(inProcess, "SELECT count(*)::text AS n FROM _prisma_migrations");
    expect(Number(count[0]?.n)).toBe(migrationNames.length);
  });

  it("waits for the advisory lock held by another migrator, and gives up after the lock timeout", async () => {
    const url = freshUrl();
    await migrateDatabase(url);
    const dir = withMigration(
      "29991231235959_add_job_priority",
      'ALTER TABLE "Job" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0;\n',
    );
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock($1::bigint)", [MIGRATE_LOCK_KEY.toString()]);
      await expect(migrateDatabase(url, { migrationsDir: dir, lockTimeoutMs: 300 })).rejects.toThrow(/timed out/);
      const waiting = migrateDatabase(url, { migrationsDir: dir });
      await new Promise((r) => setTimeout(r, 200));
      await holder.query("SELECT pg_advisory_unlock($1::bigint)", [MIGRATE_LOCK_KEY.toString()]);
      expect((await waiting).applied).toEqual(["29991231235959_add_job_priority"]);
    } finally {
      await holder.end();
    }
  });

  it("applies a later migration keeping the data, and warns about an edited one", async () => {
    const url = freshUrl();
    await migrateDatabase(url);
    await query(url, `INSERT INTO "Job" (id, kind, "updatedAt") VALUES ('j1', 'INGEST', now())`);
    const name = "29991231235959_add_job_priority";
    const dir = withMigration(name, 'ALTER TABLE "Job" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0;\n');
    expect((await postgresMigrationStatus(url, dir)).pending).toEqual([name]);
    expect((await migrateDatabase(url, { migrationsDir: dir })).applied).toEqual([name]);
    expect(await query(url, `SELECT id, priority FROM "Job"`)).toEqual([{ id: "j1", priority: 0 }]);

    appendFileSync(path.join(dir, migrationNames[0]!, "migration.sql"), "\n-- edited\n");
    expect((await postgresMigrationStatus(url, dir)).edited).toEqual([migrationNames[0]]);
    const warnings: unknown[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (o: object) => void warnings.push(o) };
    expect((await migrateDatabase(url, { migrationsDir: dir, logger })).applied).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it("fails with PostgreSQL's error when a migration does not apply, records it, and blocks later deploys", async () => {
    const url = freshUrl();
    const dir = withMigration("29991231235959_broken", 'CREATE TABLE "A" ("x" INTEGER);\nTHIS IS NOT SQL;\n');
    const error = await migrateDatabase(url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaEngineError);
    expect((error as Error).message).toMatch(/syntax error at or near "THIS"/);
    expect((error as Error).message).toMatch(/29991231235959_broken/);
    expect((await postgresMigrationStatus(url, dir)).failed).toEqual(["29991231235959_broken"]);
    const again = await migrateDatabase(url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect((again as SchemaEngineError).code).toBe("P3009");
  });

  it("is checked by `cinerag doctor`: version, migrations, a database not created yet, a server that is down", async () => {
    const databaseCheck = async (url: string) => {
      const config = loadConfig({ CINERAG_DATA_DIR: path.join(tmp, `doctor-${++n}`), CINERAG_DATABASE_URL: url });
      const checks = await runChecks(config, { media: () => ({ describe: () => Promise.resolve({}) }) as never });
      const check = checks.find((c) => c.name === "database")!;
      return { level: check.level, detail: check.detail };
    };
    const url = freshUrl();
    const before = await databaseCheck(url);
    expect(before.level).toBe("ok");
    expect(before.detail).toMatch(/^PostgreSQL 1\d\.\d+ .*at .*not created yet/);
    await migrateDatabase(url);
    const after = await databaseCheck(url);
    expect(after.level).toBe("ok");
    expect(after.detail).toMatch(new RegExp(`${migrationNames.length} migrations applied, none pending`));
    const down = `postgresql://postgres:secret@127.0.0.1:${await freePort()}/x`;
    const failed = await databaseCheck(down);
    expect(failed.level).toBe("fail");
    expect(failed.detail).toMatch(/cannot be reached/);
    expect(failed.detail).not.toContain("secret");
  });

  it("match prisma/postgres/schema.prisma (if this fails: npm run db:migrate:dev -- --provider postgresql …)", async () => {
    const schemaFile = path.resolve("prisma/postgres/schema.prisma");
    const schema = schemasContainer(schemaFile);
    const engine = await openSchemaEngine(await server.createDatabase(), { schema });
    try {
      expect(await engine.diffMigrationsToSchema(await readMigrationsList(MIGRATIONS), schema)).toBe("");
      // the guard notices a change without a migration
      const changed = {
        files: [
          {
            path: schemaFile,
            content: schema.files[0]!.content.replace("model Job {", "model Job {\n  priority Int @default(0)"),
          },
        ],
      };
      expect(await engine.diffMigrationsToSchema(await readMigrationsList(MIGRATIONS), changed)).toMatch(
        /ALTER TABLE "Job" ADD COLUMN {5}"priority" INTEGER NOT NULL DEFAULT 0/,
      );
    } finally {
      await engine.close();
    }
  });

  it("npm run db:migrate:dev -- --provider postgresql writes the next migration from a changed schema", async () => {
    const dir = path.join(tmp, "dev-migrations");
    cpSync(MIGRATIONS, dir, { recursive: true });
    const schemaFile = path.join(tmp, "dev-schema.prisma");
    const original = readFileSync(path.resolve("prisma/postgres/schema.prisma"), "utf8");
    writeFileSync(schemaFile, original.replace("model Job {", "model Job {\n  priority Int @default(0)"));
    const script = path.join(REPO_ROOT, "scripts", "migrate-dev.mjs");
    const args = [script, "--provider", "postgresql", "--database-url", server.url, "--schema", schemaFile];
    const r = await runNode([...args, "--migrations", dir, "--name", "job priority"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/migrations and schema agree/);
    const created = readdirSync(dir).find((d) => d.endsWith("_job_priority"));
    expect(readFileSync(path.join(dir, created!, "migration.sql"), "utf8")).toMatch(
      /"priority" INTEGER NOT NULL DEFAULT 0/,
    );
    const again = await runNode([...args, "--migrations", dir, "--name", "nothing"]);
    expect(again.stdout).toMatch(/Already in sync/);
    // its scratch and shadow databases are gone
    const left = await query<{ d: string }>(server.url, "SELECT datname AS d FROM pg_database");
    expect(left.map((x) => x.d).filter((d) => /^(cinerag_migrate_dev|prisma_migrate_shadow)/.test(d))).toEqual([]);
  });
});
