// Keyframe captions into the search index: a SceneIndex decorator (wired in src/search/search.module.ts)
// that fills SceneDocument.captions from the KeyframeCaption rows of each scene's keyframes before the
// documents are written, so that scenes without dialogue still have text to retrieve. Per keyframe the
// caption of the preferred (configured) model is used, else the newest one. Everything else delegates.
import type { EnrichmentRepository, SceneCaptionRow } from "../../store/enrichment.repository.js";
import type { SceneDocument, SceneIndex, WriteOptions } from "../../search/scene-index.port.js";

export function withSceneCaptions(
  index: SceneIndex,
  store: EnrichmentRepository,
  preferredModel?: () => string | undefined,
): SceneIndex {
  return {
    engine: index.engine,
    async upsert(docs: SceneDocument[], options?: WriteOptions) {
      const captions = await sceneCaptions(
        store,
        docs.map((d) => d.sceneId),
        preferredModel?.(),
      );
      const withCaptions = docs.map((d) => {
        const c = captions.get(d.sceneId);
        return c && !d.captions ? { ...d, captions: c } : d;
      });
      return index.upsert(withCaptions, options);
    },
    init: () => index.init(),
    delete: (ids, options) => index.delete(ids, options),
    deleteClip: (clipId, options) => index.deleteClip(clipId, options),
    keywordSearch: (query, options) => index.keywordSearch(query, options),
    vectorSearch: (vector, options) => index.vectorSearch(vector, options),
    hybridSearch: (query, vector, options) => index.hybridSearch(query, vector, options),
    count: (filter) => index.count(filter),
    meta: () => index.meta(),
    reset: (modelId, dimension) => index.reset(modelId, dimension),
    ping: () => index.ping(),
    close: () => index.close(),
  };
}

/** sceneId → the captions of its keyframes, in time order, joined by ". ". */
export async function sceneCaptions(
  store: EnrichmentRepository,
  sceneIds: string[],
  preferredModel?: string,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (sceneIds.length === 0) return out;
  const rows = await store.captionsOfScenes(sceneIds); // newest first
  const chosen = new Map<string, SceneCaptionRow>();
  for (const r of rows) {
    const current = chosen.get(r.keyframeId);
    if (!current || (preferredModel && r.model === preferredModel && current.model !== preferredModel))
      chosen.set(r.keyframeId, r);
  }
  const byScene = new Map<string, Array<{ time: number; text: string }>>();
  for (const r of chosen.values()) {
    const sceneId = r.sceneId;
    const text = r.text.trim();
    if (!sceneId || !text) continue;
    const list = byScene.get(sceneId) ?? [];
    list.push({ time: r.time, text });
    byScene.set(sceneId, list);
  }
  for (const [sceneId, list] of byScene) {
    const seen = new Set<string>();
    const texts = list
      .sort((a, b) => a.time - b.time)
      .map((x) => x.text)
      .filter((t) => (seen.has(t) ? false : (seen.add(t), true)));
    out.set(sceneId, texts.join(". "));
  }
  return out;
}
