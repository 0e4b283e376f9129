// Whether the database answers (GET /readyz, src/server/health.ts).
import type { PrismaClient } from "./prisma.client.js";

export class HealthRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** true when a trivial query comes back; throws when the database cannot be reached */
  async ping(): Promise<boolean> {
    // portable SQL (SQLite and PostgreSQL alike); the driver returns the integer as number or bigint
    const rows = await this.prisma.$queryRawUnsafe<Array<{ ok: number | bigint }>>("SELECT 1 AS ok");
    return Number(rows[0]?.ok) === 1;
  }
}
