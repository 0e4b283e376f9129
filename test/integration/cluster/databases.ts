// The two databases the cluster tests run on: a migrated SQLite file, and a new database on a private
// PostgreSQL cluster (test/helpers/postgres-server.ts, skipped with the reason where PostgreSQL is not
// installed; under CI that is a failure). Each `open()` is one more client on the same database: one per
// "process" of a test.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { openPrismaClient, type PrismaClient } from "../../../src/store/prisma.client.js";
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from "../../helpers/postgres-server.js";

export interface TestDatabase {
  /** the SQLite file or the postgresql:// URL (CINERAG_DATABASE_URL for an app) */
  target: string;
  env: Record<string, string>;
  open(): Promise<PrismaClient>;
  close(): Promise<void>;
}

function withClients(target: string, env: Record<string, string>, stop: () => Promise<void>): TestDatabase {
  const clients: PrismaClient[] = [];
  return {
    target,
    env,
    async open() {
      const client = await openPrismaClient(target);
      clients.push(client);
      return client;
    },
    async close() {
      for (const c of clients.splice(0)) await c.$disconnect();
      await stop();
    },
  };
}

export const DATABASES: Array<{ name: string; skip?: string; start: () => Promise<TestDatabase> }> = [
  {
    name: "SQLite",
    async start() {
      const dir = await mkdtemp(path.join(os.tmpdir(), "cinerag-cluster-sqlite-"));
      const file = path.join(dir, "cinerag.db");
      await migrateDatabase(file);
      return withClients(file, {}, () => rm(dir, { recursive: true, force: true }));
    },
  },
  {
    name: "PostgreSQL",
    skip: POSTGRES_MISSING,
    async start() {
      const server: TestPostgres = await startPostgres();
      const url = await server.createDatabase();
      await migrateDatabase(url);
      return withClients(url, { CINERAG_DATABASE_URL: url }, () => server.stop());
    },
  },
];
