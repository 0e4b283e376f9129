// The PostgreSQL client: the client generated from prisma/postgres/schema.prisma over @prisma/adapter-pg.
// Loaded by openPrismaClient (./prisma.client.ts) only when CINERAG_DATABASE_URL names a PostgreSQL server.
//
// It is handed out under the SQLite client's type: both are generated from the same models, so every model
// delegate, argument and result has the same shape (Bytes are Uint8Array, Int is number, DateTime is Date on
// both). What the providers do differently at run time is handled in the repositories (./text-filter.ts).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresPrismaClient } from "../generated/prisma-postgres/client.js";
import type { PrismaClient, PrismaClientOptions } from "./prisma.client.js";
import { pgConnection } from "./schema-engine.js";

export function createPostgresPrismaClient(url: string, opts: PrismaClientOptions = {}): PrismaClient {
  const { schema, ...pool } = pgConnection(url);
  const adapter = new PrismaPg(pool, schema ? { schema } : undefined);
  const client = new PostgresPrismaClient({ adapter, log: opts.log ?? [] });
  return client as unknown as PrismaClient;
}
