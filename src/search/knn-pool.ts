// Parallel exact kNN for the embedded index. vec0 scans are brute force and single-threaded, and
// better-sqlite3 is synchronous, so one kNN over 100k x 384 floats blocks the event loop for ~50 ms. The
// vec0 table is split into `shards` partitions (a vec0 PARTITION KEY column, shard = rowid % shards); each
// worker thread holds its own read-only connection to the index file (WAL: readers never block each other
// or the writer, and every query sees everything committed before it starts) and scans its partitions.
// The caller merges the per-shard top-k lists. The scan stays exact: same results as one full scan.
//
// The worker is plain JavaScript evaluated from a string (Worker `eval`), so it runs the same from
// TypeScript sources (vitest) and from dist/ without a build step or a loader.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import * as sqliteVec from "sqlite-vec";

export interface KnnShardRow {
  id: number;
  distance: number;
}

export interface KnnRequest {
  /** the vec0 query; its parameters are (vector, k, shard, ...params) */
  sql: string;
  vector: Float32Array;
  k: number;
  params: unknown[];
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true, timeout: 5000 });
db.pragma("cache_size = -8192");
db.pragma("mmap_size = " + workerData.mmapSize);
db.loadExtension(workerData.vecPath);
const statements = new Map();
parentPort.on("message", (m) => {
  try {
    let s = statements.get(m.sql);
    if (!s) { if (statements.size > 200) statements.clear(); s = db.prepare(m.sql); statements.set(m.sql, s); }
    const rows = [];
    for (const shard of m.shards) for (const r of s.all(m.vector, m.k, shard, ...m.params)) rows.push(r);
    parentPort.postMessage({ id: m.id, rows });
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: String(error && error.message || error) });
  }
});
`;

type Pending = { resolve: (rows: KnnShardRow[]) => void; reject: (e: Error) => void };

interface PoolWorker {
  worker: Worker;
  shards: number[];
  pending: Map<number, Pending>;
}

export class KnnWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;

  constructor(file: string, shards: number, threads: number, mmapSize = 0) {
    const require = createRequire(import.meta.url);
    const workerData = {
      file,
      betterSqlite3: require.resolve("better-sqlite3"),
      vecPath: sqliteVec.getLoadablePath(),
      mmapSize,
    };
    const n = Math.max(1, Math.min(threads, shards));
    for (let w = 0; w < n; w++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
      worker.unref(); // an idle pool never keeps the process alive
      const entry: PoolWorker = { worker, shards: [], pending: new Map() };
      for (let s = w; s < shards; s += n) entry.shards.push(s);
      worker.on("message", (m: { id: number; rows?: KnnShardRow[]; error?: string }) => {
        const p = entry.pending.get(m.id);
        if (!p) return;
        entry.pending.delete(m.id);
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.rows ?? []);
      });
      const fail = (error: Error) => {
        for (const p of entry.pending.values()) p.reject(error);
        entry.pending.clear();
      };
      worker.on("error", fail);
      worker.on("exit", (code) => fail(new Error(`kNN worker exited (${code})`)));
      this.workers.push(entry);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Every shard's top-k rows (unsorted, up to k per shard); the caller merges. */
  async query(request: KnnRequest): Promise<KnnShardRow[]> {
    if (this.closed) throw new Error("kNN worker pool is closed");
    const parts = await Promise.all(
      this.workers.map((entry) =>
        new Promise<KnnShardRow[]>((resolve, reject) => {
          const id = this.nextId++;
          entry.pending.set(id, { resolve, reject });
          entry.worker.ref();
          entry.worker.postMessage({
            id,
            sql: request.sql,
            vector: request.vector,
            k: request.k,
            params: request.params,
            shards: entry.shards,
          });
        }).finally(() => {
          if (entry.pending.size === 0) entry.worker.unref();
        }),
      ),
    );
    return parts.flat();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }
}
