// Substring and prefix filters that mean the same on both providers. Prisma compiles `contains` and
// `startsWith` to LIKE: SQLite's LIKE ignores case (ASCII letters), PostgreSQL's does not, unless the filter
// says `mode: "insensitive"` (ILIKE), which only the PostgreSQL client accepts (SQLite's refuses the key).
// So the repositories build these filters here, once per client, and cinerag's filters ignore case on both.
import { providerOfClient, type PrismaClient } from "./prisma.client.js";

export interface TextFilters {
  contains(value: string): { contains: string };
  startsWith(value: string): { startsWith: string };
}

export function textFilters(client: PrismaClient): TextFilters {
  if (providerOfClient(client) === "postgresql") {
    // typed as the SQLite client's filters (no `mode` there); the PostgreSQL client reads `mode`
    return {
      contains: (value) => ({ contains: value, mode: "insensitive" }) as { contains: string },
      startsWith: (value) => ({ startsWith: value, mode: "insensitive" }) as { startsWith: string },
    };
  }
  return { contains: (value) => ({ contains: value }), startsWith: (value) => ({ startsWith: value }) };
}
