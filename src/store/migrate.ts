// Applies pending migrations from the package's prisma/migrations at start-up: offline, with Prisma's own
// bookkeeping (`_prisma_migrations`), through the wasm schema engine's applyMigrations (= `prisma migrate
// deploy`). Runs at every CLI command, so the common case (nothing pending) is answered by reading
// `_prisma_migrations` with better-sqlite3 directly; the engine is loaded only when something is pending.
//
// Concurrency: two processes starting at once serialise on an exclusive SQLite lock held on a sidecar file
// (`<db>.migrate-lock`). The lock is an OS file lock, released by the kernel if the holder dies, so a crash
// never leaves a stale lock behind. The waiter then re-checks and finds nothing left to do.
import { readdirSync, readFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import {
  defaultMigrationsDir,
  migrationChecksum,
  providerOf,
  MIGRATION_SCRIPT_FILE,
  openSchemaEngine,
  readMigrationsList,
  type EngineLogger,
} from "./schema-engine.js";

export type MigrateLogger = EngineLogger;

export interface MigrateOptions {
  logger?: MigrateLogger;
  /** defaults to the package's prisma/migrations (resolved from this module, not the cwd) */
  migrationsDir?: string;
  /** how long to wait for another process that is migrating the same database; default 120 s */
  lockTimeoutMs?: number;
}

export interface MigrateResult {
  /** names of the migrations applied by this call, in order; empty when the database was up to date */
  applied: string[];
}

export interface MigrationStatus {
  /** migration folders with a finished, not rolled back `_prisma_migrations` row of the same checksum */
  applied: string[];
  /** migration folders not (or not cleanly) applied */
  pending: string[];
  /** applied migrations whose migration.sql was edited since */
  edited: string[];
  /** rows of migrations that started and did not finish (a failed migration blocks deploy: P3009) */
  failed: string[];
}

export interface LocalMigration {
  name: string;
  checksum: string;
}

const BUSY_TIMEOUT_MS = 5_000;
const LOCK_POLL_MS = 25;

export function localMigrations(migrationsDir: string): LocalMigration[] {
  let names: string[];
  try {
    names = readdirSync(migrationsDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
  const out: LocalMigration[] = [];
  for (const name of names.sort((a, b) => a.localeCompare(b))) {
    const file = path.join(migrationsDir, name, MIGRATION_SCRIPT_FILE);
    if (!existsSync(file)) continue; // the engine reports such a folder; it can never count as applied
    out.push({ name, checksum: migrationChecksum(readFileSync(file, "utf8")) });
  }
  return out;
}

export interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

function statusOf(databaseFile: string, locals: LocalMigration[]): MigrationStatus {
  let rows: MigrationRow[] = [];
  if (existsSync(databaseFile)) {
    const db = new Database(databaseFile, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    try {
      const table = db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
        .get();
      if (table) {
        rows = db
          .prepare("SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations")
          .all() as MigrationRow[];
      }
    } finally {
      db.close();
    }
  }
  return compareMigrations(rows, locals);
}

/** Where `_prisma_migrations` rows stand against the local migration folders (either provider). */
export function compareMigrations(rows: readonly MigrationRow[], locals: readonly LocalMigration[]): MigrationStatus {
  const status: MigrationStatus = { applied: [], pending: [], edited: [], failed: [] };
  for (const row of rows) {
    if (row.finished_at == null && row.rolled_back_at == null) status.failed.push(row.migration_name);
  }
  for (const local of locals) {
    const done = rows.filter(
      (r) => r.migration_name === local.name && r.finished_at != null && r.rolled_back_at == null,
    );
    if (done.length === 0) status.pending.push(local.name);
    else if (done.some((r) => r.checksum === local.checksum)) status.applied.push(local.name);
    else status.edited.push(local.name);
  }
  return status;
}

const isBusy = (error: unknown) => /^SQLITE_(BUSY|LOCKED)/.test((error as { code?: string }).code ?? "");

/** A database locked for longer than the busy timeout is being migrated by another process: wait for the lock. */
function statusOrBusy(file: string, locals: LocalMigration[]): MigrationStatus {
  try {
    return statusOf(file, locals);
  } catch (error) {
    if (!isBusy(error)) throw error;
    return { applied: [], pending: locals.map((l) => l.name), edited: [], failed: [] };
  }
}

/** Where the database stands relative to the migrations folder, read without the schema engine. */
/** the SQLite library the store runs on (better-sqlite3's own build), for `cinerag doctor` */
export function sqliteVersion(): string {
  const db = new Database(":memory:");
  try {
    return (db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v;
  } finally {
    db.close();
  }
}

export function migrationStatus(databaseFile: string, migrationsDir: string = defaultMigrationsDir()): MigrationStatus {
  return statusOf(path.resolve(databaseFile), localMigrations(migrationsDir));
}

export const upToDate = (s: MigrationStatus) =>
  s.pending.length === 0 && s.edited.length === 0 && s.failed.length === 0;

/**
 * Holds an exclusive lock on `lockFile` (a SQLite file used only as a lock) while `fn` runs. Polls without
 * blocking the event loop. Works across processes and across connections of one process.
 */
async function withFileLock<T>(lockFile: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const db = new Database(lockFile, { timeout: 0 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        db.exec("BEGIN EXCLUSIVE");
        break;
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (Date.now() > deadline) {
          throw new Error(`timed out after ${timeoutMs} ms waiting for another process migrating (${lockFile})`, {
            cause: error,
          });
        }
        await sleep(LOCK_POLL_MS);
      }
    }
    try {
      return await fn();
    } finally {
      db.exec("ROLLBACK");
    }
  } finally {
    db.close();
  }
}

/**
 * Creates the database (and its directory) if missing and applies pending migrations, like `prisma migrate
 * deploy`. Idempotent; safe when several processes start at once. `database` is a SQLite file, or a
 * postgresql:// URL (then the migrations of prisma/postgres/migrations, serialised with pg_advisory_lock:
 * src/store/migrate.postgres.ts).
 */
export async function migrateDatabase(database: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
  if (providerOf(database) === "postgresql") {
    const { migratePostgres } = await import("./migrate.postgres.js");
    return migratePostgres(database, opts);
  }
  return migrateSqlite(database, opts);
}

async function migrateSqlite(databaseFile: string, opts: MigrateOptions): Promise<MigrateResult> {
  const started = performance.now();
  const file = path.resolve(databaseFile);
  const migrationsDir = opts.migrationsDir ?? defaultMigrationsDir();
  const logger = opts.logger;
  const locals = localMigrations(migrationsDir);
  if (locals.length === 0) throw new Error(`no migrations found in ${migrationsDir}`);

  mkdirSync(path.dirname(file), { recursive: true });
  if (upToDate(statusOrBusy(file, locals))) {
    logger?.debug({ databaseFile: file, ms: Math.round(performance.now() - started) }, "database schema up to date");
    return { applied: [] };
  }

  return withFileLock(`${file}.migrate-lock`, opts.lockTimeoutMs ?? 120_000, async () => {
    const status = statusOf(file, locals); // another process may have done it while we waited
    if (upToDate(status)) return { applied: [] };
    if (status.edited.length > 0) {
      logger?.warn({ edited: status.edited }, "applied migrations were edited since they were applied");
    }

    // Create the file and make it WAL (persistent in the file) before the engine takes it over.
    const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    try {
      db.pragma("journal_mode = WAL");
    } finally {
      db.close();
    }

    const engine = await openSchemaEngine(file, { logger });
    try {
      const { appliedMigrationNames } = await engine.applyMigrations(await readMigrationsList(migrationsDir));
      const ms = Math.round(performance.now() - started);
      if (appliedMigrationNames.length > 0) {
        logger?.info({ databaseFile: file, applied: appliedMigrationNames, ms }, "database migrated");
      }
      return { applied: appliedMigrationNames };
    } finally {
      await engine.close();
    }
  });
}
