// DataLoaders, one set per request: every relation and every connection under a list is read in one query
// per (field, arguments) for the whole list, not one per row.
import DataLoader from "dataloader";
import type { ApiServices } from "./context.js";
import { Clip, Cue, Keyframe, Scene, Shot, SubtitleTrack } from "../schema/model.types.js";
import { toConnection, type Connection } from "../schema/connection.type.js";
import { pageOf, type PageArgs } from "../services/pagination.js";
import type { CueFilter, KeyframeFilter, ShotFilter } from "../services/scene.service.js";

/** A connection under one parent: the parent, the field's filter and the page asked for. */
export interface ChildKey<F> {
  parentId: string;
  filter: F;
  page: PageArgs;
}

function byId<R extends { id: string }, T>(load: (ids: readonly string[]) => Promise<R[]>, map: (row: R) => T) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = new Map((await load(ids)).map((r) => [r.id, map(r)]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

function groupBy<R>(rows: R[], key: (r: R) => string | null): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const row of rows) {
    const k = key(row);
    if (k === null) continue;
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(row);
  }
  return out;
}

/**
 * Connections of many parents at once: keys with the same filter share one query for all their parents;
 * each parent's page is then cut from its rows (the children of one scene or track are few).
 */
function childConnections<F, R, T>(
  fetchAll: (parentIds: string[], filter: F) => Promise<R[]>,
  parentOf: (row: R) => string | null,
  map: (row: R) => T,
) {
  return new DataLoader<ChildKey<F>, Connection<T>, string>(
    async (keys) => {
      const groups = new Map<string, ChildKey<F>[]>();
      for (const key of keys) {
        const g = JSON.stringify(key.filter);
        let list = groups.get(g);
        if (!list) groups.set(g, (list = []));
        list.push(key);
      }
      const results = new Map<ChildKey<F>, Connection<T>>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const parents = [...new Set(group.map((k) => k.parentId))];
          const rows = groupBy(await fetchAll(parents, group[0]!.filter), parentOf);
          for (const key of group) results.set(key, toConnection(pageOf(rows.get(key.parentId) ?? [], key.page), map));
        }),
      );
      return keys.map((k) => results.get(k)!);
    },
    { cacheKeyFn: (k) => JSON.stringify([k.parentId, k.filter, k.page]) },
  );
}

export type SceneCueFilter = Omit<CueFilter, "clipIds" | "sceneIds" | "trackIds">;
export type SceneShotFilter = Omit<ShotFilter, "clipIds" | "sceneIds">;
export type SceneKeyframeFilter = Omit<KeyframeFilter, "clipIds" | "sceneIds">;

export function createLoaders(services: ApiServices) {
  const { clips, scenes } = services;
  return {
    clip: byId((ids) => clips.byIds(ids), Clip.from),
    track: byId((ids) => clips.tracksByIds(ids), SubtitleTrack.from),
    scene: byId((ids) => scenes.scenesByIds(ids), Scene.from),
    shot: byId((ids) => scenes.shotsByIds(ids), Shot.from),
    cue: byId((ids) => scenes.cuesByIds(ids), Cue.from),
    keyframe: byId((ids) => scenes.keyframesByIds(ids), Keyframe.from),
    keyframeOfShot: new DataLoader<string, Keyframe | null>(async (shotIds) => {
      const rows = new Map((await scenes.keyframesOfShots(shotIds)).map((r) => [r.shotId, Keyframe.from(r)]));
      return shotIds.map((id) => rows.get(id) ?? null);
    }),
    tracksOfClip: new DataLoader<string, SubtitleTrack[]>(async (clipIds) => {
      const rows = groupBy(await clips.tracksOf(clipIds), (t) => t.clipId);
      return clipIds.map((id) => (rows.get(id) ?? []).map(SubtitleTrack.from));
    }),
    sceneCues: childConnections(
      (sceneIds, filter: SceneCueFilter) => scenes.allCues({ ...filter, sceneIds }),
      (r) => r.sceneId,
      Cue.from,
    ),
    sceneShots: childConnections(
      (sceneIds, filter: SceneShotFilter) => scenes.allShots({ ...filter, sceneIds }),
      (r) => r.sceneId,
      Shot.from,
    ),
    sceneKeyframes: childConnections(
      (sceneIds, filter: SceneKeyframeFilter) => scenes.allKeyframesOfScenes({ ...filter, sceneIds }),
      (r) => r.shot.sceneId,
      Keyframe.from,
    ),
    trackCues: childConnections(
      (trackIds, filter: SceneCueFilter) => scenes.allCues({ ...filter, trackIds }),
      (r) => r.trackId,
      Cue.from,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
