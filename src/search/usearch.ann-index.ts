// The approximate nearest-neighbour (ANN) index of the embedded SceneIndex: an HNSW graph from USearch
// (npm `usearch`, Apache-2.0, prebuilt linux-x64/arm64 and macOS binaries inside the npm package, SIMD
// kernels chosen at run time), cosine metric over int8-quantised copies of the unit vectors. The
// float32 vectors stay in SQLite (scene_vectors): the index only proposes candidates, which the embedded
// index re-scores exactly, so the scores it returns are exact cosines and quantisation costs no ranking
// among the candidates.
//
// Persistence: a snapshot file beside the search database, `<file>.ann-<seq>.usearch`, plus
// `<file>.ann.json` naming it and the change sequence number (`seq`) it contains. Both are written to a
// temporary name and renamed, the JSON last, so a crash leaves either the old snapshot or the new one.
// The JSON holds the snapshot's sha256, checked before loading. The snapshot is derived data: a missing, unreadable or foreign one (another model, an index reset since)
// is ignored and the graph is rebuilt from scene_vectors.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import type * as USearch from "usearch";

// The CommonJS build: the ESM one finds its native binary from a stack trace, which fails when it is
// loaded through the CLI's entry point ("Could not find native build for usearch").
const usearch = createRequire(import.meta.url)("usearch") as typeof USearch;
const { Index, MetricKind, ScalarKind } = usearch;
type Index = USearch.Index;

/** An exact scan with USearch's SIMD kernels (the benchmark's baseline). */
export const exactSearch = usearch.exactSearch;
export { MetricKind };

// M 32 / ef_add 128 / ef 1024 at 1M clustered scenes (bench:search): semantic recall@10 1.000 under every filter,
// semantic p50 9.7-11 ms (the exact scan 65-140 ms), graph build 657 s on 2 busy cores. M 16 / ef_add 64 stopped at 0.933 whatever ef was: the graph, not
// the search, limited recall. The price is a graph build about 3-4x longer and a snapshot 25 % larger.
const CONNECTIVITY = 32;
const EXPANSION_ADD = 128;
const EXPANSION_SEARCH = 1024;

export interface AnnParams {
  /** HNSW connectivity (M); default 32 */
  connectivity?: number;
  /** candidate list while inserting (efConstruction); default 128 */
  expansionAdd?: number;
  /**
   * candidate list while searching (ef); default 1024. At 1M clustered scenes (bench:search, i8), M 16 /
   * ef_add 64: recall@10 0.902 at 256, 0.933 at 512, 0.934 at 1024 (the graph limits it beyond); semantic p50
   * 4.6, 4.9, 7.7 ms; M 32 / ef_add 128 at 1024: 1.000, 9.7 ms; the exact scan 80 ms
   */
  expansionSearch?: number;
  /** threads for bulk inserts; default 2 */
  threads?: number;
  /** stored precision of the graph's vector copies; default "i8" (candidates are re-scored in float32) */
  quantization?: "i8" | "f16" | "f32";
}

/** What a snapshot belongs to: an index reset (new createdAt) or another model makes it foreign. */
export interface AnnIdentity {
  modelId: string;
  dimension: number;
  createdAt: string;
}

interface SnapshotInfo extends AnnIdentity {
  seq: number;
  count: number;
  file: string;
  /** the file's size and sha256: USearch's load() trusts its input (a damaged file can crash the process) */
  bytes: number;
  sha256: string;
}

export class AnnIndex {
  /** the change sequence number of the vectors table this graph reflects */
  applied = 0;
  /** changes applied since the last snapshot */
  unsaved = 0;
  private readonly index: Index;

  constructor(
    readonly identity: AnnIdentity,
    private readonly params: AnnParams = {},
  ) {
    this.index = new Index({
      dimensions: identity.dimension,
      metric: MetricKind.Cos,
      quantization: { i8: ScalarKind.I8, f16: ScalarKind.F16, f32: ScalarKind.F32 }[params.quantization ?? "i8"],
      connectivity: params.connectivity ?? CONNECTIVITY,
      expansion_add: params.expansionAdd ?? EXPANSION_ADD,
      expansion_search: params.expansionSearch ?? EXPANSION_SEARCH,
      multi: false,
    });
  }

  get size(): number {
    return this.index.size();
  }

  /** Adds (or replaces) vectors: `vectors` holds one unit vector of `dimension` per key, back to back. */
  add(keys: number[], vectors: Float32Array): void {
    if (keys.length === 0) return;
    const big = BigUint64Array.from(keys, (k) => BigInt(k));
    this.remove(big);
    this.index.add(big, vectors, this.params.threads ?? 2);
    this.unsaved += keys.length;
  }

  remove(keys: BigUint64Array | number[]): void {
    const big = keys instanceof BigUint64Array ? keys : BigUint64Array.from(keys, (k) => BigInt(k));
    if (big.length === 0 || this.index.size() === 0) return;
    const present = this.index.contains(big);
    const drop = big.filter((_, i) => (Array.isArray(present) ? present[i] : present));
    if (drop.length > 0) {
      this.index.remove(drop);
      this.unsaved += drop.length;
    }
  }

  /** how many candidates any search ranks (its list length): asking for fewer costs the same */
  get breadth(): number {
    return this.params.expansionSearch ?? EXPANSION_SEARCH;
  }

  /** Up to k nearest keys with their approximate cosine distances, nearest first. */
  search(vector: Float32Array, k: number): Array<{ id: number; distance: number }> {
    const n = this.index.size();
    if (n === 0) return [];
    // the search list is at least k long; asking for ef results keeps the configured breadth also after
    // load(), which restores the graph with the file's own search setting
    const ef = Math.max(k, this.breadth);
    const m = this.index.search(vector, Math.min(ef, n), 1);
    const out: Array<{ id: number; distance: number }> = [];
    for (let i = 0; i < Math.min(m.keys.length, k); i++) {
      const key = m.keys[i]!;
      if (key === 0xffffffffffffffffn) continue; // padding when fewer were found
      out.push({ id: Number(key), distance: m.distances[i]! });
    }
    return out;
  }

  /** Writes a snapshot for `base` (the search database file); returns false for an in-memory database. */
  save(base: string): boolean {
    if (base === ":memory:") return false;
    const file = `${base}.ann-${this.applied}.usearch`;
    const tmp = `${file}.tmp-${process.pid}`;
    this.index.save(tmp);
    fs.renameSync(tmp, file);
    const info: SnapshotInfo = {
      ...this.identity,
      seq: this.applied,
      count: this.size,
      file: path.basename(file),
      bytes: fs.statSync(file).size,
      sha256: fileSha256(file),
    };
    const json = `${base}.ann.json`;
    fs.writeFileSync(`${json}.tmp-${process.pid}`, JSON.stringify(info));
    fs.renameSync(`${json}.tmp-${process.pid}`, json);
    this.unsaved = 0;
    removeSnapshots(base, path.basename(file));
    return true;
  }

  /** The snapshot of `base` when there is a readable one of this identity; undefined otherwise. */
  static load(base: string, identity: AnnIdentity, params: AnnParams = {}): AnnIndex | undefined {
    if (base === ":memory:") return undefined;
    try {
      const info = JSON.parse(fs.readFileSync(`${base}.ann.json`, "utf8")) as SnapshotInfo;
      if (
        info.modelId !== identity.modelId ||
        info.dimension !== identity.dimension ||
        info.createdAt !== identity.createdAt ||
        path.basename(info.file) !== info.file
      )
        return undefined;
      const file = path.join(path.dirname(base), info.file);
      if (fs.statSync(file).size !== info.bytes || fileSha256(file) !== info.sha256) return undefined;
      const ann = new AnnIndex(identity, params);
      ann.index.load(file);
      if (ann.size !== info.count || ann.index.dimensions() !== identity.dimension) return undefined;
      ann.applied = info.seq;
      return ann;
    } catch {
      return undefined; // none yet, or damaged: the caller rebuilds
    }
  }
}

function fileSha256(file: string): string {
  const hash = createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

/** Deletes the snapshots of `base` other than `keep` (all of them without it). */
export function removeSnapshots(base: string, keep?: string): void {
  if (base === ":memory:") return;
  const dir = path.dirname(base);
  const prefix = `${path.basename(base)}.ann`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || name === keep) continue;
    if (keep && name === `${prefix}.json`) continue;
    if (name.includes(".tmp-") && !name.endsWith(`.tmp-${process.pid}`)) continue; // another process's write
    fs.rmSync(path.join(dir, name), { force: true });
  }
}
