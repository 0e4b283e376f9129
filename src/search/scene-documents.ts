// Builds SceneDocuments (what the search index stores) from the database, the source of truth, and embeds
// them through the Embedder port with a cache (EmbeddingCache table: model id + sha256 of the text), so
// draining the outbox twice or `cinerag reindex` never recomputes a vector whose text did not change.
// Used by the outbox worker and by reindex. The rows come from the store (src/store/search-source and
// embedding-cache repositories).
import { createHash } from "node:crypto";
import type { Embedder } from "../models/embedder.port.js";
import type { EmbeddingCacheRepository } from "../store/embedding-cache.repository.js";
import type { SearchSourceRepository } from "../store/search-source.repository.js";
import type { SceneDocument } from "./scene-index.port.js";

export function textHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export class EmbeddingCache {
  constructor(
    private readonly store: EmbeddingCacheRepository,
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
    // a cached vector of another dimension (the model was replaced under the same id) is recomputed
    for (const [hash, v] of await this.store.find(modelId, unique))
      if (v.length === this.embedder.dimension) found.set(hash, v);
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
      await this.store.save(
        modelId,
        missing.map((m) => ({ textHash: m.hash, vector: found.get(m.hash)! })),
      );
    }
    return { vectors: hashes.map((h) => found.get(h)!), computed: missing.length };
  }
}

/** A clip's main dialogue track: the first (by index) text track that is not skipped and has cues. */
async function mainTracks(
  source: SearchSourceRepository,
  clipIds: string[],
): Promise<Map<string, { id: string; language?: string }>> {
  const tracks = await source.dialogueTracks(clipIds);
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
  source: SearchSourceRepository,
  sceneIds: string[],
  mainTrackIds: string[],
): Promise<Map<string, string>> {
  const cues = await source.otherTrackCues(sceneIds, mainTrackIds);
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
  source: SearchSourceRepository,
  cache: EmbeddingCache,
  sceneIds: string[],
): Promise<BuiltDocuments> {
  const scenes = await source.scenes(sceneIds);
  const byId = new Map(scenes.map((s) => [s.id, s]));
  const main = await mainTracks(source, [...new Set(scenes.map((s) => s.clipId))]);
  const others = await otherTrackText(
    source,
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
      clipTitle: s.clipTitle,
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
