// Prisma CLI configuration (used by `prisma generate`, and `prisma migrate deploy` for operators).
// The application itself applies migrations on start through src/store/migrate.ts, offline.
// With CINERAG_DATABASE_URL (or DATABASE_URL) set to a postgresql:// URL the CLI works on the PostgreSQL
// schema and its migrations (prisma/postgres); otherwise on SQLite in the data directory.
import path from "node:path";
import { defineConfig } from "prisma/config";

const dataDir = process.env.CINERAG_DATA_DIR ?? ".cinerag";
const url =
  process.env.CINERAG_DATABASE_URL ?? process.env.DATABASE_URL ?? `file:${path.resolve(dataDir, "cinerag.db")}`;
const postgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  schema: postgres ? "prisma/postgres/schema.prisma" : "prisma/schema.prisma",
  migrations: { path: postgres ? "prisma/postgres/migrations" : "prisma/migrations" },
  datasource: { url },
});
