// The pub/sub port: job progress and clip changes are published here and GraphQL subscriptions read them.
// Its shape is the one type-graphql 2 takes as `pubSub` (publish(topic, [id,] payload) / subscribe(topic, id)),
// so the same object serves @Subscription({ topics, topicId }) and our own `subscribe` functions.
//
// Implementations:
//   - in-process.pubsub.ts: one process (the embedded default; `cinerag serve` runs the jobs itself)
//   - redis.pubsub.ts: across processes and machines (CINERAG_REDIS_URL); see ./README.md

export const TOPICS = {
  /** payload: JobProgressPayload; routed by job id */
  JOB_PROGRESS: "JOB_PROGRESS",
  /** payload: ClipUpdatedPayload; not routed (filter in the subscription) */
  CLIP_UPDATED: "CLIP_UPDATED",
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** `topic` or `topic:<id>`: the key a routed event travels under (ids are strings or numbers; others JSON) */
export function routingKey(topic: string, id?: unknown): string {
  if (id === undefined || id === null) return topic;
  return `${topic}:${typeof id === "string" || typeof id === "number" ? String(id) : JSON.stringify(id)}`;
}

/** what an iterator's throw() rejects with */
export function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(typeof reason === "string" ? reason : JSON.stringify(reason));
}

export interface PubSub {
  /** publish(topic, payload) or publish(topic, id, payload) for a routed topic */
  publish(topic: string, ...args: unknown[]): void;
  /** an async iterable of the payloads published from now on; `return()` on it unsubscribes */
  subscribe(topic: string, id?: unknown): AsyncIterableIterator<unknown>;
  /** number of live subscribers (tests, metrics) */
  subscriberCount(topic?: string): number;
  close(): void;
}

export type JobStatus = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ["SUCCEEDED", "FAILED", "CANCELLED"];

/** Published on TOPICS.JOB_PROGRESS, routed by `jobId`. Plain JSON (crosses processes in a scale-out setup). */
export interface JobProgressPayload {
  jobId: string;
  status: JobStatus;
  /** ingest stage (probe, subtitles, shots, scenes, store) */
  stage: string | null;
  /** progress of the stage, 0..100 */
  stagePercent: number;
  /** progress of the whole job, 0..100 */
  percent: number;
  message: string | null;
  error: string | null;
  /** the ingested clip, once known */
  clipId: string | null;
  /** true on the last event of the job (status is final) */
  final: boolean;
}

export type ClipChange = "READY" | "DELETED";

/** Published on TOPICS.CLIP_UPDATED. */
export interface ClipUpdatedPayload {
  clipId: string;
  change: ClipChange;
  at: string;
}
