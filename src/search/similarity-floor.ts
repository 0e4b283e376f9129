import type { SceneHit } from "./scene-index.port.js";

/** kNN hits whose cosine similarity reaches the floor (all of them without one). */
export function aboveFloor(hits: SceneHit[], minSimilarity: number | undefined): SceneHit[] {
  return minSimilarity === undefined ? hits : hits.filter((h) => h.score >= minSimilarity);
}
