// The repository contract on SQLite (the default provider): a migrated file in a temporary directory.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { openPrismaClient } from "../../../src/store/prisma.client.js";
import { repositoryContract } from "./repository.contract.js";

repositoryContract("SQLite", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cinerag-contract-sqlite-"));
  const file = path.join(dir, "cinerag.db");
  await migrateDatabase(file);
  const prisma = await openPrismaClient(file);
  return {
    prisma,
    async close() {
      await prisma.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
