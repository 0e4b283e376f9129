// The one place a PrismaClient is made: SQLite through @prisma/adapter-better-sqlite3, with the pragmas
// cinerag relies on set on every connection the adapter opens (it opens one per client, lazily, at the first
// query), or PostgreSQL through @prisma/adapter-pg (`openPrismaClient(url)`: ./prisma.postgres.client.ts).
// Import the PrismaClient type from here, not from src/generated.
//
// The repositories are typed against the SQLite client. The PostgreSQL client is generated from the same
// models (prisma/postgres/schema.prisma, kept identical by test/unit/store-schemas.test.ts), so its model
// API is the same; what differs by provider is chosen at run time through `providerOfClient` (see
// ./text-filter.ts).
//
// - journal_mode=WAL: readers (API, CLI queries) do not block the ingest writer. Persistent in the file.
// - busy_timeout=5000: a second process waits up to 5 s for a lock instead of failing with SQLITE_BUSY.
//   (better-sqlite3's `timeout` option sets the same thing; the pragma makes it explicit and verifiable.)
// - foreign_keys=ON: the schema's onDelete: Cascade / SetNull are enforced by SQLite itself. better-sqlite3
//   happens to compile SQLite with foreign keys on by default; we do not depend on that.
// - synchronous=NORMAL: the usual companion of WAL (durable across application crashes; the last
//   transactions may roll back on power loss).
// - every transaction begins as a writer (BEGIN IMMEDIATE; see immediateTransactions below).
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { Prisma, PrismaClient } from "../generated/prisma/client.js";
import { providerOf, type DatabaseProvider } from "./schema-engine.js";

export type { PrismaClient, DatabaseProvider };
export { Prisma };

const PROVIDERS = new WeakMap<object, DatabaseProvider>();

/** the provider a client made here talks to (sqlite for any other client, e.g. a transaction's) */
export function providerOfClient(client: object): DatabaseProvider {
  return PROVIDERS.get(client) ?? "sqlite";
}

/** Marks a client as talking to `provider` (done by the factories here; for tests that build their own). */
export function registerProvider<T extends object>(client: T, provider: DatabaseProvider): T {
  PROVIDERS.set(client, provider);
  return client;
}

export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export const CONNECTION_PRAGMAS = [
  "PRAGMA journal_mode = WAL",
  `PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`,
  "PRAGMA foreign_keys = ON",
  "PRAGMA synchronous = NORMAL",
] as const;

export interface PrismaClientOptions {
  /** Prisma's own log levels, e.g. ["warn", "error"]; default none */
  log?: Prisma.LogLevel[];
}

const raw = (sql: string) => ({ sql, args: [], argTypes: [] });

/**
 * Makes every transaction on the connection take SQLite's write lock when it begins. The adapter begins with
 * a deferred BEGIN, so a transaction that read first and wrote next failed at its first write with SQLITE_BUSY
 * whenever another process held the write lock at that instant: SQLite does not wait there (waiting could
 * deadlock two readers turning writers), whatever the busy timeout. Two `cinerag ingest` of one file hit it
 * in CI (the waiter polls the ingest lease, writes of no rows, while the holder stores the clip: reads, then
 * writes). BEGIN IMMEDIATE waits for the lock, up to the busy timeout, before anything is read. Every
 * transaction cinerag opens writes, so none loses concurrency by beginning as a writer.
 */
function immediateTransactions(connection: SqlDriverAdapter): SqlDriverAdapter {
  const begin = connection.startTransaction.bind(connection);
  connection.startTransaction = async (isolationLevel) => {
    const transaction = await begin(isolationLevel);
    try {
      await transaction.executeRaw(raw("ROLLBACK")); // the deferred BEGIN: it has read nothing yet
      await transaction.executeRaw(raw("BEGIN IMMEDIATE"));
    } catch (error) {
      // Leaves no transaction open (the ROLLBACK fails harmlessly when none is) and frees the adapter's
      // lock on the connection, so the next transaction can begin.
      await transaction.executeRaw(raw("ROLLBACK")).catch(() => 0);
      await transaction.rollback();
      throw error;
    }
    return transaction;
  };
  return connection;
}

/** A factory that runs CONNECTION_PRAGMAS on each new connection before Prisma uses it. */
export function sqliteAdapterFactory(databaseFile: string): SqlDriverAdapterFactory {
  const base = new PrismaBetterSqlite3({ url: databaseFile, timeout: SQLITE_BUSY_TIMEOUT_MS });
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const connection = await base.connect();
      try {
        await connection.executeScript(CONNECTION_PRAGMAS.map((p) => `${p};`).join("\n"));
      } catch (error) {
        await connection.dispose();
        throw error;
      }
      return immediateTransactions(connection);
    },
  };
}

/** A client on a SQLite file. */
export function createPrismaClient(databaseFile: string, opts: PrismaClientOptions = {}): PrismaClient {
  const client = new PrismaClient({ adapter: sqliteAdapterFactory(databaseFile), log: opts.log ?? [] });
  return registerProvider(client, "sqlite");
}

/**
 * A client on a SQLite file or a postgresql:// URL. The PostgreSQL client and its driver are loaded only
 * when asked for.
 */
export async function openPrismaClient(database: string, opts: PrismaClientOptions = {}): Promise<PrismaClient> {
  if (providerOf(database) !== "postgresql") return createPrismaClient(database, opts);
  const { createPostgresPrismaClient } = await import("./prisma.postgres.client.js");
  return registerProvider(createPostgresPrismaClient(database, opts), "postgresql");
}
