// Reciprocal rank fusion (Cormack et al. 2009): score(d) = sum over lists of 1 / (k + rank(d)), rank from 1.
// Used by every SceneIndex implementation so that hybrid ranking does not depend on the engine
// (Elasticsearch's own RRF retriever needs a paid licence).
import type { MatchKind, SceneHit } from "./scene-index.port.js";

export const RRF_K = 60;

export interface RankedList {
  matchedBy: MatchKind;
  hits: SceneHit[];
}

export function reciprocalRankFusion(lists: RankedList[], limit: number, k = RRF_K): SceneHit[] {
  const fused = new Map<string, { hit: SceneHit; score: number; best: number }>();
  for (const list of lists) {
    list.hits.forEach((hit, i) => {
      const contribution = 1 / (k + i + 1);
      const entry = fused.get(hit.sceneId);
      if (entry) {
        entry.score += contribution;
        entry.best = Math.min(entry.best, i);
        if (!entry.hit.matchedBy.includes(list.matchedBy)) entry.hit.matchedBy.push(list.matchedBy);
        if (entry.hit.highlights.length === 0) entry.hit.highlights = hit.highlights;
      } else {
        fused.set(hit.sceneId, {
          hit: {
            sceneId: hit.sceneId,
            clipId: hit.clipId,
            score: 0,
            matchedBy: [list.matchedBy],
            highlights: hit.highlights,
          },
          score: contribution,
          best: i,
        });
      }
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.best - b.best || (a.hit.sceneId < b.hit.sceneId ? -1 : 1))
    .slice(0, limit)
    .map(({ hit, score }) => ({ ...hit, score, matchedBy: order(hit.matchedBy) }));
}

function order(kinds: MatchKind[]): MatchKind[] {
  return (["KEYWORD", "SEMANTIC"] as const).filter((k) => kinds.includes(k));
}
