// The repository contract on PostgreSQL: a private cluster (test/helpers/postgres-server.ts) started for this
// file, one database migrated at start-up the way the app does it (offline, through the wasm schema engine).
// Skipped, saying why, where PostgreSQL is not installed; under CI that is a failure instead.
import { describe } from "vitest";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { openPrismaClient } from "../../../src/store/prisma.client.js";
import { POSTGRES_MISSING, startPostgres } from "../../helpers/postgres-server.js";
import { repositoryContract } from "./repository.contract.js";

if (POSTGRES_MISSING) console.warn(`[skip] PostgreSQL repository contract: ${POSTGRES_MISSING}`);

describe.skipIf(POSTGRES_MISSING)(`PostgreSQL ${POSTGRES_MISSING ? `(skipped: ${POSTGRES_MISSING})` : ""}`, () => {
  repositoryContract("PostgreSQL", async () => {
    const server = await startPostgres();
    try {
      const url = await server.createDatabase();
      const t0 = performance.now();
      await migrateDatabase(url);
      console.info(
        `PostgreSQL: initdb + start ${server.startupMs.toFixed(0)} ms, migrate ${(performance.now() - t0).toFixed(0)} ms`,
      );
      const prisma = await openPrismaClient(url);
      return {
        prisma,
        async close() {
          await prisma.$disconnect();
          await server.stop();
        },
      };
    } catch (error) {
      await server.stop();
      throw error;
    }
  });
});
