// What `cinerag doctor` says of the search outbox: rows waiting and the drain lease's row, read on a client
// of its own (doctor opens no app), closed before it returns.
import { LeaseRepository, type LeaseRow } from "./lease.repository.js";
import { openPrismaClient } from "./prisma.client.js";
import { SearchOutboxRepository } from "./search-outbox.repository.js";

export async function readOutboxStatus(
  database: string,
  leaseName: string,
): Promise<{ waiting: number; lease: LeaseRow | undefined }> {
  const prisma = await openPrismaClient(database);
  try {
    const waiting = await new SearchOutboxRepository(prisma).count();
    const lease = await new LeaseRepository(prisma).find(leaseName);
    return { waiting, lease };
  } finally {
    await prisma.$disconnect();
  }
}
