// Prisma CLI configuration (used by `prisma generate`, and `prisma migrate deploy` for operators).
// The application itself applies migrations on start through src/store/migrate.ts, offline.
import path from "node:path";
import { defineConfig } from "prisma/config";

const dataDir = process.env.CINERAG_DATA_DIR ?? ".cinerag";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? `file:${path.resolve(dataDir, "cinerag.db")}` },
});
