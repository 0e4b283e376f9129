// The domain's closed sets of values, one definition each: the database stores these strings, the services
// and the store use the types, and the GraphQL enums (src/schema/enums.ts) are built from the same lists.
// A value added here is in the API too; the compiler points at every switch that misses it.

/** `{ A: "A", B: "B" }` for a list of values: what type-graphql's registerEnumType takes, typed as the values. */
export function enumObject<const T extends readonly string[]>(values: T): { readonly [K in T[number]]: K } {
  return Object.freeze(Object.fromEntries(values.map((v) => [v, v]))) as { readonly [K in T[number]]: K };
}

export const CLIP_STATUSES = ["INGESTING", "READY", "FAILED"] as const;
export type ClipStatus = (typeof CLIP_STATUSES)[number];

/** how a shot begins */
export const TRANSITION_KINDS = ["START", "CUT", "DISSOLVE", "FADE", "WIPE"] as const;
export type TransitionKind = (typeof TRANSITION_KINDS)[number];

/** where a subtitle track came from (ASR: speech to text) */
export const TRACK_SOURCES = ["EMBEDDED", "SIDECAR", "ASR", "IMAGE_OCR", "BURNED_IN"] as const;
export type TrackSource = (typeof TRACK_SOURCES)[number];

export const JOB_STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const CLIP_CHANGES = ["READY", "DELETED"] as const;
export type ClipChange = (typeof CLIP_CHANGES)[number];

/** KEYWORD: BM25; SEMANTIC: vector kNN; HYBRID: both, fused by reciprocal rank */
export const SEARCH_MODES = ["HYBRID", "KEYWORD", "SEMANTIC"] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

/** which side of a search found a scene */
export const MATCH_KINDS = ["KEYWORD", "SEMANTIC"] as const;
export type MatchKind = (typeof MATCH_KINDS)[number];
