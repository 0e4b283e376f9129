// Scene search for the API: embeds the query (kind "query") with the configured Embedder and asks the
// SceneIndex by keywords, by vector or both. Hits are checked against the database (the source of truth):
// a scene deleted since it was indexed (its outbox row not yet drained) is dropped, and each hit carries
// its scene row, so a resolver needs no second lookup.
//
// For GraphQL (owned by src/schema + src/resolvers):
//   searchScenes(query: String!, mode: SearchMode = HYBRID, filter: SceneSearchFilter, first: Int = 10): [SceneSearchHit!]!
//   -> app.search.searchScenes(query, { mode, filter, first })
//   -> SceneSearchHit { scene, score, matchedBy: [MatchKind!]!, highlights: [String!]! }
// Errors: BAD_INPUT (empty query, first out of range), SEARCH_UNAVAILABLE (engine down),
// REINDEX_REQUIRED (model changed: `cinerag reindex`); map with src/errors/error-codes.ts.
import { AppError } from "../errors/app-error.js";
import type { Embedder } from "../models/embedder.port.js";
import type { SearchSceneRow, SearchSourceRepository } from "../store/search-source.repository.js";
import type { HighlightOptions, MatchKind, SceneIndexFilter, SceneIndex } from "./scene-index.port.js";

import { SEARCH_MODES, type SearchMode } from "../domain/enums.js";
export { SEARCH_MODES, type SearchMode };
export type { MatchKind, SceneIndexFilter, SearchSceneRow };

export const DEFAULT_FIRST = 10;
export const MAX_FIRST = 100;

export interface SearchScenesOptions {
  /** default HYBRID */
  mode?: SearchMode;
  /** clipIds, timeRange { from, to } (seconds, overlap), languages (primary subtag match) */
  filter?: SceneIndexFilter;
  /** hits wanted, 1..100; default 10 */
  first?: number;
  /** default <mark>…</mark>, 3 fragments of ~120 characters */
  highlight?: HighlightOptions;
}

export interface SceneSearchHit {
  sceneId: string;
  clipId: string;
  /** the scene as stored in the database now */
  scene: SearchSceneRow;
  /** KEYWORD: BM25; SEMANTIC: cosine similarity; HYBRID: reciprocal rank fusion score. Higher is better. */
  score: number;
  /** which searches found the scene (both for a hybrid hit found by both) */
  matchedBy: MatchKind[];
  /** fragments of the scene's text with matched terms between the highlight tags */
  highlights: string[];
}

export class SearchService {
  constructor(private readonly deps: { index: SceneIndex; embedder: Embedder; source: SearchSourceRepository }) {}

  async searchScenes(query: string, options: SearchScenesOptions = {}): Promise<SceneSearchHit[]> {
    const mode = options.mode ?? "HYBRID";
    if (!SEARCH_MODES.includes(mode))
      throw new AppError("BAD_INPUT", `mode must be one of ${SEARCH_MODES.join(", ")}, got ${String(mode)}`);
    const first = options.first ?? DEFAULT_FIRST;
    if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) {
      throw new AppError("BAD_INPUT", `first must be an integer from 1 to ${MAX_FIRST}, got ${first}`);
    }
    const text = query.trim();
    if (!text) throw new AppError("BAD_INPUT", "query must not be empty");
    const { index, embedder } = this.deps;
    // a little more than asked for, in case some hits are no longer in the database
    const search = {
      filter: options.filter,
      limit: Math.min(first + 5, 1000),
      highlight: options.highlight,
      minSimilarity: embedder.unrelatedBelow,
    };
    let hits;
    if (mode === "KEYWORD") {
      hits = await index.keywordSearch(text, search);
    } else {
      const [vector] = await embedder.embed([text], "query");
      hits =
        mode === "SEMANTIC"
          ? await index.vectorSearch(vector!, search)
          : await index.hybridSearch(text, vector!, search);
    }
    const scenes = await this.deps.source.sceneRows(hits.map((h) => h.sceneId));
    const byId = new Map(scenes.map((s) => [s.id, s]));
    const out: SceneSearchHit[] = [];
    for (const h of hits) {
      const scene = byId.get(h.sceneId);
      if (scene)
        out.push({
          sceneId: h.sceneId,
          clipId: scene.clipId,
          scene,
          score: h.score,
          matchedBy: h.matchedBy,
          highlights: h.highlights,
        });
      if (out.length === first) break;
    }
    return out;
  }
}
