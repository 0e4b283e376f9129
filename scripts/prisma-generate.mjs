// Generates the Prisma clients: src/generated/prisma (SQLite, prisma/schema.prisma) and
// src/generated/prisma-postgres (PostgreSQL, prisma/postgres/schema.prisma). Both are generated on every
// install and build so that either provider can be chosen at run time (CINERAG_DATABASE_URL).
// The Prisma CLI fetches its native schema engine on first use; `generate` does not need it, so we point
// the variable at a no-op binary when none is configured. That keeps install offline-safe everywhere.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync("/bin/false")) env.PRISMA_SCHEMA_ENGINE_BINARY = "/bin/false";
for (const schema of ["prisma/schema.prisma", "prisma/postgres/schema.prisma"]) {
  if (!existsSync(schema)) continue;
  const result = spawnSync(process.execPath, ["node_modules/prisma/build/index.js", "generate", "--schema", schema], {
    env,
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
