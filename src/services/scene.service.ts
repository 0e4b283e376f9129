// Scenes, shots, cues and keyframes as the API reads them: filters analysts need, pages, and batch reads for
// the per-request DataLoaders (children of many parents in one query). The queries are the store's
// (src/store/scene.repository.ts); this service cuts Relay pages from them.
import type {
  CueRow,
  KeyframeRow,
  KeyframeWithScene,
  SceneRepository,
  SceneRow,
  ShotRow,
} from "../store/scene.repository.js";
import { queryPage, type Page, type PageArgs } from "./pagination.js";

export type { CueRow, KeyframeRow, KeyframeWithScene, SceneRow, ShotRow };

import type { TransitionKind } from "../domain/enums.js";
export type { TransitionKind };

/** Time range: rows overlapping [startTime, endTime) seconds; either bound may be left out. */
export interface TimeRange {
  startTime?: number | null;
  endTime?: number | null;
}

/**
 * Listing scenes from the database (GraphQL SceneFilter / SceneQueryFilter): one language and a substring of
 * the dialogue. Searching is another filter (search/scene-index.port.ts, SceneIndexFilter).
 */
export interface SceneListFilter extends TimeRange {
  clipIds?: string[];
  /** scenes with dialogue in this language (primary subtag, e.g. "en" matches en-GB) */
  language?: string | null;
  textContains?: string | null;
}

export interface CueFilter extends TimeRange {
  clipIds?: string[];
  sceneIds?: string[];
  trackIds?: string[];
  language?: string | null;
  speaker?: string | null;
  textContains?: string | null;
}

export interface ShotFilter extends TimeRange {
  clipIds?: string[];
  sceneIds?: string[];
  transitions?: TransitionKind[];
}

export interface KeyframeFilter extends TimeRange {
  clipIds?: string[];
  sceneIds?: string[];
}

export class SceneService {
  constructor(private readonly store: SceneRepository) {}

  // -- pages -----------------------------------------------------------------------------------------

  scenes(filter: SceneListFilter, page: PageArgs): Promise<Page<SceneRow>> {
    return queryPage(
      page,
      () => this.store.countScenes(filter),
      (skip, take) => this.store.scenes(filter, skip, take),
    );
  }

  cues(filter: CueFilter, page: PageArgs): Promise<Page<CueRow>> {
    return queryPage(
      page,
      () => this.store.countCues(filter),
      (skip, take) => this.store.cues(filter, skip, take),
    );
  }

  shots(filter: ShotFilter, page: PageArgs): Promise<Page<ShotRow>> {
    return queryPage(
      page,
      () => this.store.countShots(filter),
      (skip, take) => this.store.shots(filter, skip, take),
    );
  }

  keyframes(filter: KeyframeFilter, page: PageArgs): Promise<Page<KeyframeRow>> {
    return queryPage(
      page,
      () => this.store.countKeyframes(filter),
      (skip, take) => this.store.keyframes(filter, skip, take),
    );
  }

  // -- batch reads (DataLoaders) ---------------------------------------------------------------------

  scenesByIds(ids: readonly string[]): Promise<SceneRow[]> {
    return this.store.scenesByIds(ids);
  }
  shotsByIds(ids: readonly string[]): Promise<ShotRow[]> {
    return this.store.shotsByIds(ids);
  }
  cuesByIds(ids: readonly string[]): Promise<CueRow[]> {
    return this.store.cuesByIds(ids);
  }
  keyframesByIds(ids: readonly string[]): Promise<KeyframeRow[]> {
    return this.store.keyframesByIds(ids);
  }
  keyframesOfShots(shotIds: readonly string[]): Promise<KeyframeRow[]> {
    return this.store.keyframesOfShots(shotIds);
  }

  /** every matching cue, in order (children of a batch of scenes or tracks: bounded by their parents) */
  allCues(filter: CueFilter): Promise<CueRow[]> {
    return this.store.allCues(filter);
  }
  allShots(filter: ShotFilter): Promise<ShotRow[]> {
    return this.store.allShots(filter);
  }
  allKeyframesOfScenes(filter: KeyframeFilter & { sceneIds: string[] }): Promise<KeyframeWithScene[]> {
    return this.store.allKeyframesOfScenes(filter);
  }
}
