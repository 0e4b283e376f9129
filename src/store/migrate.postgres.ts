// `migrate deploy` on PostgreSQL at start-up: the migrations of prisma/postgres/migrations, applied offline
// through the wasm schema engine (src/store/schema-engine.ts) with Prisma's own `_prisma_migrations`
// bookkeeping, so that an operator's `prisma migrate deploy` (prisma.config.ts) sees the same history.
//
// As on SQLite, the common case (nothing pending) is one read of `_prisma_migrations` over a plain pg
// connection; the engine is loaded only when something is pending.
//
// Concurrency: every migrator takes the session-level advisory lock MIGRATE_LOCK_KEY on its own connection
// before it re-reads the status and runs the engine; the lock goes with the connection, so a migrator that
// dies never leaves it behind. (The engine itself takes Prisma's advisory lock 72707369 on its connection
// while it applies: a different key, so the two never wait on each other.)
//
// A database that does not exist yet is created (as `prisma migrate deploy` does), when the role may.
import { setTimeout as sleep } from "node:timers/promises";
import type { Client as PgClient } from "pg";
import { AppError } from "../errors/app-error.js";
import {
  compareMigrations,
  localMigrations,
  upToDate,
  type MigrateOptions,
  type MigrateResult,
  type MigrationRow,
  type MigrationStatus,
} from "./migrate.js";
import {
  defaultMigrationsDir,
  openSchemaEngine,
  pgConnection,
  readMigrationsList,
  redactUrl,
  withDatabase,
} from "./schema-engine.js";

/** pg_advisory_lock key of cinerag's migrators: "cinerag" in ASCII, 0x63696e65726167 */
export const MIGRATE_LOCK_KEY = 27_981_945_563_668_839n;
const LOCK_POLL_MS = 50;
/** SQLSTATE invalid_catalog_name: the database named in the URL does not exist */
const NO_SUCH_DATABASE = "3D000";

type PgModule = (typeof import("pg"))["default"];

async function loadPg(): Promise<PgModule> {
  const mod = await import("pg");
  return mod.default;
}

/** A connected pg client; a database that does not exist yet is created first when `create` is set. */
async function connect(pg: PgModule, url: string, create: boolean): Promise<PgClient> {
  const client = new pg.Client(pgConnection(url));
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    if (!create || (error as { code?: string }).code !== NO_SUCH_DATABASE) throw unreachable(url, error);
  }
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client(pgConnection(withDatabase(url, "postgres")));
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
      // created meanwhile by another migrator: "already exists", or the catalog's unique index when both raced
      if (error.code !== "42P04" && error.code !== "23505") throw error;
    });
  } catch (error) {
    throw new Error(`cannot create the database "${name}" on ${redactUrl(url)}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await admin.end().catch(() => undefined);
  }
  return connect(pg, url, false);
}

/** one line for the operator (the CLI exits 69, EX_UNAVAILABLE); the password is never shown */
function unreachable(url: string, error: unknown): Error {
  const reason = (error as Error).message || (error as { code?: string }).code || String(error);
  return new AppError(
    "ENGINE_UNAVAILABLE",
    `PostgreSQL at ${redactUrl(url)} cannot be reached (${reason}); start it or unset CINERAG_DATABASE_URL`,
    { sqlState: (error as { code?: string }).code },
  );
}

/** the `_prisma_migrations` rows of the URL's schema (`?schema=`, default public); none when no table yet */
async function migrationRows(client: PgClient, url: string): Promise<MigrationRow[]> {
  const schema = pgConnection(url).schema ?? "public";
  const table = `"${schema.replace(/"/g, '""')}"."_prisma_migrations"`;
  const exists = await client.query<{ t: string | null }>("SELECT to_regclass($1)::text AS t", [table]);
  if (!exists.rows[0]?.t) return [];
  const { rows } = await client.query<MigrationRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM ${table}`,
  );
  return rows;
}

/** Where the PostgreSQL database stands relative to the migrations folder, read without the schema engine. */
export async function postgresMigrationStatus(
  url: string,
  migrationsDir: string = defaultMigrationsDir("postgresql"),
): Promise<MigrationStatus> {
  const client = await connect(await loadPg(), url, false);
  try {
    return compareMigrations(await migrationRows(client, url), localMigrations(migrationsDir));
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface PostgresDescription {
  /** the server's version (`SHOW server_version`) */
  version: string;
  /** false when the server answers but the database is not created yet (the first start creates it) */
  exists: boolean;
  status: MigrationStatus;
}

/** For `cinerag doctor`: the server's version and where the migrations stand; nothing is changed. */
export async function describePostgres(
  url: string,
  migrationsDir: string = defaultMigrationsDir("postgresql"),
): Promise<PostgresDescription> {
  const pg = await loadPg();
  const locals = localMigrations(migrationsDir);
  let client: PgClient;
  try {
    client = await connect(pg, url, false);
  } catch (error) {
    if ((error as AppError).details?.sqlState !== NO_SUCH_DATABASE) throw error;
    const admin = await connect(pg, withDatabase(url, "postgres"), false);
    try {
      const version = (await admin.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version;
      return { version: version ?? "?", exists: false, status: compareMigrations([], locals) };
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  try {
    const version = (await client.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version;
    return {
      version: version ?? "?",
      exists: true,
      status: compareMigrations(await migrationRows(client, url), locals),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function withAdvisoryLock<T>(client: PgClient, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS locked", [
      MIGRATE_LOCK_KEY.toString(),
    ]);
    if (rows[0]?.locked) break;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for another process migrating (advisory lock)`);
    }
    await sleep(LOCK_POLL_MS);
  }
  try {
    return await fn();
  } finally {
    await client.query("SELECT pg_advisory_unlock($1::bigint)", [MIGRATE_LOCK_KEY.toString()]).catch(() => undefined);
  }
}

export async function migratePostgres(url: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const started = performance.now();
  const migrationsDir = opts.migrationsDir ?? defaultMigrationsDir("postgresql");
  const logger = opts.logger;
  const locals = localMigrations(migrationsDir);
  if (locals.length === 0) throw new Error(`no migrations found in ${migrationsDir}`);
  const shown = redactUrl(url);

  const client = await connect(await loadPg(), url, true);
  try {
    if (upToDate(compareMigrations(await migrationRows(client, url), locals))) {
      logger?.debug({ database: shown, ms: Math.round(performance.now() - started) }, "database schema up to date");
      return { applied: [] };
    }
    return await withAdvisoryLock(client, opts.lockTimeoutMs ?? 120_000, async () => {
      const status = compareMigrations(await migrationRows(client, url), locals); // another may have done it
      if (upToDate(status)) return { applied: [] };
      if (status.edited.length > 0) {
        logger?.warn({ edited: status.edited }, "applied migrations were edited since they were applied");
      }
      const engine = await openSchemaEngine(url, { logger });
      try {
        const { appliedMigrationNames } = await engine.applyMigrations(await readMigrationsList(migrationsDir));
        const ms = Math.round(performance.now() - started);
        if (appliedMigrationNames.length > 0) {
          logger?.info({ database: shown, applied: appliedMigrationNames, ms }, "database migrated");
        }
        return { applied: appliedMigrationNames };
      } finally {
        await engine.close();
      }
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
