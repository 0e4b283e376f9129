// Drains the SearchOutbox table into the SceneIndex. The ingest transaction writes one UPSERT row per
// scene (and DELETE rows for scenes it replaces) together with the scenes, so the index can never miss a
// write: a row is deleted only after the index accepted it. Rows are taken in id order, in batches; the
// last row of a scene in a batch decides (UPSERT of a scene no longer in the database = delete). Documents
// are built from the database at drain time (src/search/scene-documents.ts), never from the row.
//
// Failure: the batch's rows get attempts + 1, lastError and availableAt = now + backoff (exponential,
// capped), and wait there; nothing is lost, and the worker catches up when the engine is back. A
// SEARCH_UNAVAILABLE or REINDEX_REQUIRED error ends a drain at once (every other row would fail the same
// way); any other error (a bad document) is retried scene by scene so that one bad scene does not hold
// back the rest. A crash between the index write and the row deletion only repeats an idempotent upsert.
//
// One drainer at a time across the cluster: with a lease (src/cluster/lease.ts, "search-outbox"), every
// batch starts by renewing it, and a process that does not hold it drains nothing (its drain returns at once,
// `leaseHeldElsewhere`) and tries again at its next poll; the holder renews it at every poll even when idle,
// and stop() gives it up so that another process takes over at its next poll instead of after the expiry.
// So two servers never apply the same row: the holder also renews on a timer while a batch runs, and a holder
// stalled past the expiry (a paused process) finds the lease gone at its next batch; its late batch at worst
// repeats an idempotent upsert.
import { isAppError } from "../errors/app-error.js";
import type { Logger } from "../logging/logger.js";
import type { SearchOutboxRepository, OutboxEntry } from "../store/search-outbox.repository.js";
import type { SearchSourceRepository } from "../store/search-source.repository.js";
import { buildSceneDocuments, type EmbeddingCache } from "./scene-documents.js";
import type { SceneIndex } from "./scene-index.port.js";

export interface OutboxWorkerOptions {
  /** the SearchOutbox table */
  outbox: SearchOutboxRepository;
  /** the rows documents are built from */
  source: SearchSourceRepository;
  index: SceneIndex;
  embeddings: EmbeddingCache;
  logger?: Logger;
  /** rows per batch; default 100 */
  batchSize?: number;
  /** first retry delay; doubles per attempt up to maxBackoffMs; default 1 s */
  baseBackoffMs?: number;
  /** default 5 min */
  maxBackoffMs?: number;
  /** background loop: how often to look for new rows when idle; default 2 s */
  pollMs?: number;
  /** clock (tests) */
  now?: () => Date;
  /** the cluster-wide drain lease; absent: this worker drains whenever asked (one process, or tests) */
  lease?: DrainLease;
  /** while a drain runs, the lease is renewed this often too (a batch may embed for long); default 10 s */
  leaseRenewMs?: number;
}

/** what the worker needs of a lease (src/cluster/lease.ts) */
export interface DrainLease {
  /** renews or takes the lease; true when this process holds it now */
  hold(): Promise<boolean>;
  release(): Promise<void>;
}

export interface DrainOptions {
  /** stop starting new batches after this long; default no limit */
  timeoutMs?: number;
  /** at most this many batches; default no limit */
  maxBatches?: number;
  signal?: AbortSignal;
}

export interface DrainResult {
  /** scenes written to the index */
  upserted: number;
  /** scenes removed from the index */
  deleted: number;
  /** outbox rows completed (deleted from the table) */
  rows: number;
  /** rows that failed in this drain (they back off and stay queued) */
  failedRows: number;
  /** vectors computed (not read from the embedding cache) */
  embedded: number;
  /** rows still in the table (due now or backing off) */
  remaining: number;
  /** the error that ended the drain or failed a batch, if any */
  error?: { code: string; message: string };
  /** another process holds the drain lease: this drain applied nothing */
  leaseHeldElsewhere?: boolean;
}

const HALTING = new Set(["SEARCH_UNAVAILABLE", "REINDEX_REQUIRED"]);

export class OutboxWorker {
  private readonly batchSize: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly now: () => Date;
  private loop: { stop: AbortController; done: Promise<void>; wake: () => void } | undefined;
  private draining: Promise<DrainResult> | undefined;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.baseBackoffMs = options.baseBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5 * 60_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Rows waiting (due now or backing off). */
  pending(): Promise<number> {
    return this.options.outbox.count();
  }

  /**
   * Processes due rows, batch after batch, until none is due, an engine-level error, or a limit. One drain
   * at a time per worker: a second call while one runs waits for it and then drains again.
   */
  async drain(options: DrainOptions = {}): Promise<DrainResult> {
    while (this.draining) await this.draining.catch(() => undefined);
    const run = this.drainNow(options);
    this.draining = run;
    try {
      return await run;
    } finally {
      this.draining = undefined;
    }
  }

  private async drainNow(options: DrainOptions): Promise<DrainResult> {
    const lease = this.options.lease;
    // renewed between batches below, and on a timer inside a long batch (its expiry would let another in)
    const renewal = lease
      ? setInterval(() => void lease.hold().catch(() => undefined), this.options.leaseRenewMs ?? 10_000)
      : undefined;
    renewal?.unref();
    try {
      return await this.drainBatches(options);
    } finally {
      clearInterval(renewal);
    }
  }

  private async drainBatches(options: DrainOptions): Promise<DrainResult> {
    const started = performance.now();
    const result: DrainResult = { upserted: 0, deleted: 0, rows: 0, failedRows: 0, embedded: 0, remaining: 0 };
    for (let batch = 0; ; batch++) {
      if (options.signal?.aborted) break;
      if (options.maxBatches !== undefined && batch >= options.maxBatches) break;
      if (options.timeoutMs !== undefined && performance.now() - started > options.timeoutMs) break;
      if (this.options.lease && !(await this.options.lease.hold())) {
        result.leaseHeldElsewhere = true;
        break;
      }
      const rows = await this.options.outbox.due(this.now(), this.batchSize);
      if (rows.length === 0) break;
      const halted = await this.processBatch(rows, result);
      if (halted) break;
    }
    result.remaining = await this.pending();
    return result;
  }

  /** true when the drain must stop (the engine is down or needs a reindex) */
  private async processBatch(rows: OutboxEntry[], result: DrainResult): Promise<boolean> {
    try {
      await this.apply(rows, result);
      await this.options.outbox.complete(rows.map((r) => r.id));
      result.rows += rows.length;
      return false;
    } catch (error) {
      const code = isAppError(error) ? error.code : "INTERNAL";
      const message = error instanceof Error ? error.message : String(error);
      result.error = { code, message };
      if (HALTING.has(code) || rows.length === 1) {
        await this.fail(rows, message);
        result.failedRows += rows.length;
        this.options.logger?.warn({ code, rows: rows.length, err: message }, "search outbox: batch failed, will retry");
        return HALTING.has(code);
      }
      // a bad document somewhere in the batch: one scene at a time, so the others get through
      const byScene = new Map<string, OutboxEntry[]>();
      for (const r of rows) byScene.set(r.sceneId, [...(byScene.get(r.sceneId) ?? []), r]);
      for (const group of byScene.values()) {
        if (await this.processBatch(group, result)) return true;
      }
      return false;
    }
  }

  private async apply(rows: OutboxEntry[], result: DrainResult): Promise<void> {
    const last = new Map<string, OutboxEntry>();
    for (const r of rows) last.set(r.sceneId, r); // rows come in id order: the last one wins
    const upsertIds = [...last.values()].filter((r) => r.op === "UPSERT").map((r) => r.sceneId);
    const deleteIds = [...last.values()].filter((r) => r.op !== "UPSERT").map((r) => r.sceneId);
    const { index, source, embeddings } = this.options;
    if (upsertIds.length > 0) {
      // check the index first: a down engine or a model change should not cost embedding work
      await index.init();
      const built = await buildSceneDocuments(source, embeddings, upsertIds);
      deleteIds.push(...built.missing); // gone from the database since: gone from the index too
      await index.upsert(built.docs);
      result.upserted += built.docs.length;
      result.embedded += built.embedded;
    }
    if (deleteIds.length > 0) {
      await index.delete(deleteIds);
      result.deleted += deleteIds.length;
    }
  }

  private async fail(rows: OutboxEntry[], message: string): Promise<void> {
    const now = this.now().getTime();
    await this.options.outbox.postpone(
      rows.map((r) => ({ id: r.id, availableAt: new Date(now + this.backoffMs(r.attempts + 1)) })),
      message.slice(0, 2000),
    );
  }

  /** delay before the next try after `attempts` failures */
  backoffMs(attempts: number): number {
    return Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  }

  /**
   * Background draining (the server): drains now, then whenever woken by notify() or every pollMs. Errors
   * are logged, never thrown. stop() waits for the current batch.
   */
  start(): void {
    if (this.loop) return;
    const stop = new AbortController();
    let wake = () => {};
    const done = (async () => {
      while (!stop.signal.aborted) {
        try {
          await this.drain({ signal: stop.signal });
        } catch (error) {
          this.options.logger?.error({ err: error }, "search outbox: drain failed");
        }
        await new Promise<void>((resolve) => {
          // Each wait removes its own abort listener: left on the one long-lived signal, one piled up per
          // poll (MaxListenersExceededWarning after eleven).
          const done = () => {
            clearTimeout(timer);
            stop.signal.removeEventListener("abort", done);
            resolve();
          };
          const timer = setTimeout(done, this.options.pollMs ?? 2000);
          timer.unref();
          wake = done;
          stop.signal.addEventListener("abort", done, { once: true });
        });
      }
    })();
    this.loop = { stop, done, wake: () => wake() };
  }

  /** New rows were written (after an ingest): drain soon instead of at the next poll. */
  notify(): void {
    this.loop?.wake();
  }

  /** Ends the background loop (waiting for its batch) and gives the drain lease up. */
  async stop(): Promise<void> {
    const loop = this.loop;
    this.loop = undefined;
    if (loop) {
      loop.stop.abort();
      await loop.done;
    }
    while (this.draining) await this.draining.catch(() => undefined);
    await this.options.lease?.release().catch((error: unknown) => {
      this.options.logger?.warn({ err: error }, "search outbox: the drain lease could not be given up (it expires)");
    });
  }
}
