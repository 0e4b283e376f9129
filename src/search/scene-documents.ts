// Builds SceneDocuments (what the search index stores) from the database, the source of truth, and embeds
// them through the Embedder port with a cache (EmbeddingCache table: model id + sha256 of the text), so
// draining the outbox twice or `cinerag reindex` never recomputes a vector whose text did not change.
// Used by the outbox worker and by reindex.
import { createHash } from "node:crypto";
import type { Embedder } from "../models/embedder.port.js";
import type { PrismaClient } from "../store/prisma.client.js";
import type { SceneDocument } from "./scene-index.port.js";

export function textHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export class EmbeddingCache {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly embedder: Embedder,
  ) {}

  get modelId(): string {
    return this.embedder.modelId;
  }

  /** Passage vectors for `texts`, in order: cached ones read back, the rest embedded once and stored. */
  async embedPassages(texts: string[]): Promise<{ vectors: Float32Array[]; computed: number }> {
    const modelId = this.embedder.modelId;
    const hashes = texts.map(textHash);
    const unique = [...new Set(hashes)];
    const found = new Map<string, Float32Array>();
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await this.prisma.embeddingCache.findMany({
        where: { modelId, textHash: { in: unique.slice(i, i + 500) } },
      });
      for (const r of rows) {
        const v = fromBytes(r.vector);
        if (v.length === this.embedder.dimension) found.set(r.textHash, v);
      }
    }
    const missing: Array<{ hash: string; text: string }> = [];
    const seen = new Set<string>();
    hashes.forEach((h, i) => {
      if (found.has(h) || seen.has(h)) return;
      seen.add(h);
      missing.push({ hash: h, text: texts[i]! });
    });
    if (missing.length > 0) {
      const vectors = await this.embedder.embed(
        missing.map((m) => m.text),
        "passage",
      );
      missing.forEach((m, i) => found.set(m.hash, vectors[i]!));
      // upserts, so two workers embedding the same text at once do not fail on the primary key
      await this.prisma.$transaction(
        missing.map((m) =>
          this.prisma.embeddingCache.upsert({
            where: { modelId_textHash: { modelId, textHash: m.hash } },
            create: { modelId, textHash: m.hash, vector: toBytes(found.get(m.hash)!) },
            update: {},
          }),
        ),
      );
    }
    return { vectors: hashes.map((h) => found.get(h)!), computed: missing.length };
  }
}

function toBytes(v: Float32Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(v.byteLength);
  out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return out;
}

function fromBytes(b: Uint8Array): Float32Array {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}

/** A clip's main dialogue track: the first (by index) text track that is not skipped and has cues. */
async function mainTracks(
  prisma: PrismaClient,
  clipIds: string[],
): Promise<Map<string, { id: string; language?: string }>> {
  const tracks = await prisma.subtitleTrack.findMany({
    where: { clipId: { in: clipIds }, skipped: false, cues: { some: {} } },
    orderBy: [{ clipId: "asc" }, { index: "asc" }],
    select: { id: true, clipId: true, language: true },
  });
  const out = new Map<string, { id: string; language?: string }>();
  for (const t of tracks)
    if (!out.has(t.clipId)) out.set(t.clipId, { id: t.id, ...(t.language ? { language: t.language } : {}) });
  return out;
}

/**
 * The dialogue of the scenes' other tracks (translations, a second language, transcripts), by scene.
 * A scene's own text is its main track's; these are added to what is searched, so a line in any of the
 * clip's languages finds the scene.
 */
async function otherTrackText(
  prisma: PrismaClient,
  sceneIds: string[],
  mainTrackIds: string[],
): Promise<Map<string, string>> {
  const cues = await prisma.cue.findMany({
    where: { sceneId: { in: sceneIds }, trackId: { notIn: mainTrackIds }, track: { skipped: false } },
    orderBy: [{ sceneId: "asc" }, { trackId: "asc" }, { startTime: "asc" }],
    select: { sceneId: true, text: true },
  });
  const out = new Map<string, string[]>();
  for (const c of cues) if (c.sceneId && c.text.trim()) out.set(c.sceneId, [...(out.get(c.sceneId) ?? []), c.text]);
  return new Map([...out].map(([id, lines]) => [id, lines.join("\n")]));
}

export interface BuiltDocuments {
  docs: SceneDocument[];
  /** requested scene ids that are no longer in the database (or whose clip is not READY) */
  missing: string[];
  /** vectors computed now (not from the cache) */
  embedded: number;
}

/** SceneDocuments (with vectors) for the given scenes of READY clips, in the order of `sceneIds`. */
export async function buildSceneDocuments(
  prisma: PrismaClient,
  cache: EmbeddingCache,
  sceneIds: string[],
): Promise<BuiltDocuments> {
  const scenes = await prisma.scene.findMany({
    where: { id: { in: sceneIds }, clip: { status: "READY" } },
    select: { id: true, clipId: true, startTime: true, endTime: true, text: true, clip: { select: { title: true } } },
  });
  const byId = new Map(scenes.map((s) => [s.id, s]));
  const main = await mainTracks(prisma, [...new Set(scenes.map((s) => s.clipId))]);
  const others = await otherTrackText(
    prisma,
    scenes.map((s) => s.id),
    [...main.values()].map((t) => t.id),
  );
  const docs: SceneDocument[] = [];
  const missing: string[] = [];
  for (const id of sceneIds) {
    const s = byId.get(id);
    if (!s) {
      missing.push(id);
      continue;
    }
    const language = main.get(s.clipId)?.language;
    const text = [s.text, others.get(s.id) ?? ""].filter((t) => t.trim()).join("\n");
    docs.push({
      sceneId: s.id,
      clipId: s.clipId,
      clipTitle: s.clip.title,
      startTime: s.startTime,
      endTime: s.endTime,
      ...(language ? { language } : {}),
      text,
    });
  }
  // a scene without dialogue has nothing to embed: it stays findable by its clip through filters only
  const withText = docs.filter((d) => d.text.trim().length > 0);
  const { vectors, computed } = await cache.embedPassages(withText.map((d) => d.text));
  withText.forEach((d, i) => (d.vector = vectors[i]!));
  return { docs, missing, embedded: computed };
}
