// The one place a PrismaClient is made: SQLite through @prisma/adapter-better-sqlite3, with the pragmas
// cinerag relies on set on every connection the adapter opens (it opens one per client, lazily, at the first
// query). Import the PrismaClient type from here, not from src/generated.
//
// - journal_mode=WAL: readers (API, CLI queries) do not block the ingest writer. Persistent in the file.
// - busy_timeout=5000: a second process waits up to 5 s for a lock instead of failing with SQLITE_BUSY.
//   (better-sqlite3's `timeout` option sets the same thing; the pragma makes it explicit and verifiable.)
// - foreign_keys=ON: the schema's onDelete: Cascade / SetNull are enforced by SQLite itself. better-sqlite3
//   happens to compile SQLite with foreign keys on by default; we do not depend on that.
// - synchronous=NORMAL: the usual companion of WAL (durable across application crashes; the last
//   transactions may roll back on power loss).
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { Prisma, PrismaClient } from "../generated/prisma/client.js";

export type { PrismaClient };
export { Prisma };

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
      return connection;
    },
  };
}

export function createPrismaClient(databaseFile: string, opts: PrismaClientOptions = {}): PrismaClient {
  return new PrismaClient({ adapter: sqliteAdapterFactory(databaseFile), log: opts.log ?? [] });
}
