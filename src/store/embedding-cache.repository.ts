// The EmbeddingCache table: passage vectors by model id and sha256 of the text (src/search/scene-documents.ts
// decides what to embed; this stores and reads the vectors).
import { providerOfClient, type PrismaClient } from "./prisma.client.js";
import { bytesToVector, vectorToBytes } from "./vector-codec.js";

/** hashes per query: far below SQLite's limit of bound variables */
const READ_BATCH = 500;

export class EmbeddingCacheRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** textHash → vector, for the hashes cached under this model */
  async find(modelId: string, textHashes: readonly string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    for (let i = 0; i < textHashes.length; i += READ_BATCH) {
      const rows = await this.prisma.embeddingCache.findMany({
        where: { modelId, textHash: { in: textHashes.slice(i, i + READ_BATCH) } },
      });
      for (const r of rows) found.set(r.textHash, bytesToVector(r.vector));
    }
    return found;
  }

  /** Stores the vectors in one transaction; a vector already stored (another worker's) is kept. */
  async save(modelId: string, entries: ReadonlyArray<{ textHash: string; vector: Float32Array }>): Promise<void> {
    if (entries.length === 0) return;
    if (providerOfClient(this.prisma) === "postgresql") {
      // One INSERT ... ON CONFLICT DO NOTHING. Upserts are not enough here: with this compound key and no
      // update, Prisma reads then inserts, and two workers embedding the same text at once fail on the
      // primary key (seen in test/contract/store). SQLite's client has no skipDuplicates, hence the cast.
      const data = entries.map((e) => ({ modelId, textHash: e.textHash, vector: vectorToBytes(e.vector) }));
      await this.prisma.embeddingCache.createMany({ data, skipDuplicates: true } as { data: typeof data });
      return;
    }
    // upserts in one transaction: SQLite has one writer at a time, so two workers embedding the same text
    // at once do not fail on the primary key
    await this.prisma.$transaction(
      entries.map((e) =>
        this.prisma.embeddingCache.upsert({
          where: { modelId_textHash: { modelId, textHash: e.textHash } },
          create: { modelId, textHash: e.textHash, vector: vectorToBytes(e.vector) },
          update: {},
        }),
      ),
    );
  }
}
