// The Lease table (src/cluster/lease.ts): one row per named right, naming its holder and until when it holds.
// Every change is one conditional statement, so two processes on two machines racing for the same lease
// cannot both win: a renewal updates the row only while it is still the caller's, a take only while the row
// is expired (or names a holder the caller proved dead), and a first take inserts the row, where the
// primary key refuses a second insert. PostgreSQL re-checks an UPDATE's condition after waiting for the
// row's lock, and SQLite has one writer at a time, so the same code is safe on both.
import type { PrismaClient } from "./prisma.client.js";

export interface LeaseRow {
  name: string;
  holder: string;
  expiresAt: Date;
}

/** a unique-constraint violation, from either provider's client (their error classes differ) */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

export class LeaseRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** the row of `name`, or undefined when nobody ever took it (or it was released) */
  async find(name: string): Promise<LeaseRow | undefined> {
    const row = await this.prisma.lease.findUnique({ where: { name } });
    return row ? { name: row.name, holder: row.holder, expiresAt: row.expiresAt } : undefined;
  }

  /** Extends `holder`'s lease to `expiresAt`; false when the lease is no longer `holder`'s. */
  async renew(name: string, holder: string, expiresAt: Date): Promise<boolean> {
    const { count } = await this.prisma.lease.updateMany({ where: { name, holder }, data: { expiresAt } });
    return count === 1;
  }

  /**
   * Takes `name` for `holder` until `expiresAt` when nobody holds it, when its lease expired at `now`, or
   * when it is held by `deadHolder` (a holder the caller saw die). true when `holder` now holds it.
   */
  async take(name: string, holder: string, now: Date, expiresAt: Date, deadHolder?: string): Promise<boolean> {
    const { count } = await this.prisma.lease.updateMany({
      where: { name, OR: [{ expiresAt: { lte: now } }, ...(deadHolder ? [{ holder: deadHolder }] : [])] },
      data: { holder, expiresAt, takenAt: now },
    });
    if (count === 1) return true;
    try {
      await this.prisma.lease.create({ data: { name, holder, expiresAt, takenAt: now } });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false; // someone holds it (or took it this instant)
      throw error;
    }
  }

  /** Gives the lease up, if it is still `holder`'s. */
  async release(name: string, holder: string): Promise<void> {
    await this.prisma.lease.deleteMany({ where: { name, holder } });
  }
}
