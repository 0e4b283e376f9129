// k-means (k-means++ seeding from a seeded PRNG, so the same vectors always give the same clusters) on
// unit vectors, and the silhouette coefficient (cosine distance) to choose k over a small range.
import { mulberry32 } from "../../util/prng.js";

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function normalise(v: Float64Array | Float32Array): Float64Array {
  const n = Math.sqrt(dot(v, v));
  const out = new Float64Array(v.length);
  if (n > 0) for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

const cosDist = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(0, 1 - dot(a, b));

export interface Clustering {
  k: number;
  /** cluster of each point */
  labels: number[];
  /** unit centroids */
  centroids: Float64Array[];
  inertia: number;
}

export function kmeans(points: ArrayLike<number>[], k: number, seed = 42, restarts = 5, iterations = 50): Clustering {
  const n = points.length;
  const dim = points[0]?.length ?? 0;
  let best: Clustering | undefined;
  const rand = mulberry32(seed);
  for (let r = 0; r < restarts; r++) {
    // k-means++
    const centroids: Float64Array[] = [normalise(Float64Array.from(points[Math.floor(rand() * n)]!))];
    while (centroids.length < k) {
      const d = points.map((p) => Math.min(...centroids.map((c) => cosDist(p, c))) ** 2);
      const total = d.reduce((a, b) => a + b, 0);
      let pick = 0;
      if (total > 0) {
        let x = rand() * total;
        for (; pick < n - 1; pick++) {
          x -= d[pick]!;
          if (x <= 0) break;
        }
      } else pick = Math.floor(rand() * n);
      centroids.push(normalise(Float64Array.from(points[pick]!)));
    }
    let labels = new Array<number>(n).fill(0);
    for (let it = 0; it < iterations; it++) {
      const next = points.map((p) => {
        let bi = 0;
        let bd = Infinity;
        centroids.forEach((c, i) => {
          const dd = cosDist(p, c);
          if (dd < bd - 1e-12) {
            bd = dd;
            bi = i;
          }
        });
        return bi;
      });
      const changed = next.some((l, i) => l !== labels[i]);
      labels = next;
      for (let c = 0; c < k; c++) {
        const sum = new Float64Array(dim);
        let count = 0;
        labels.forEach((l, i) => {
          if (l !== c) return;
          count++;
          const p = points[i]!;
          for (let j = 0; j < dim; j++) sum[j]! += p[j]!;
        });
        if (count > 0) centroids[c] = normalise(sum);
      }
      if (!changed && it > 0) break;
    }
    const inertia = points.reduce((s, p, i) => s + cosDist(p, centroids[labels[i]!]!), 0);
    if (!best || inertia < best.inertia - 1e-12) best = { k, labels, centroids, inertia };
  }
  return best!;
}

/** Mean silhouette (cosine distance); a point alone in its cluster scores 0. */
export function silhouette(points: ArrayLike<number>[], labels: number[]): number {
  const n = points.length;
  const clusters = new Set(labels);
  if (clusters.size < 2 || clusters.size >= n) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const sums = new Map<number, { d: number; c: number }>();
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const e = sums.get(labels[j]!) ?? { d: 0, c: 0 };
      e.d += cosDist(points[i]!, points[j]!);
      e.c++;
      sums.set(labels[j]!, e);
    }
    const own = sums.get(labels[i]!);
    if (!own || own.c === 0) continue; // singleton: 0
    const a = own.d / own.c;
    let b = Infinity;
    for (const [l, e] of sums) if (l !== labels[i]) b = Math.min(b, e.d / e.c);
    const s = Math.max(a, b) > 0 ? (b - a) / Math.max(a, b) : 0;
    total += s;
  }
  return total / n;
}

export interface KChoice {
  best: Clustering;
  silhouette: number;
  candidates: Array<{ k: number; silhouette: number }>;
}

/** k from `minK`..`maxK` (bounded by n − 1) with the highest silhouette; fewer than 3 points: one cluster. */
export function chooseK(points: ArrayLike<number>[], minK = 2, maxK = 8, seed = 42): KChoice {
  const n = points.length;
  if (n < 3) {
    return {
      best: { k: 1, labels: points.map(() => 0), centroids: n ? [centroidOf(points)] : [], inertia: 0 },
      silhouette: 0,
      candidates: [],
    };
  }
  const candidates: Array<{ k: number; silhouette: number }> = [];
  let best: Clustering | undefined;
  let bestS = -Infinity;
  for (let k = Math.max(2, minK); k <= Math.min(maxK, n - 1); k++) {
    const c = kmeans(points, k, seed);
    const s = silhouette(points, c.labels);
    candidates.push({ k, silhouette: Math.round(s * 10000) / 10000 });
    if (s > bestS + 1e-9) {
      bestS = s;
      best = c;
    }
  }
  return { best: best!, silhouette: Math.round(bestS * 10000) / 10000, candidates };
}

function centroidOf(points: ArrayLike<number>[]): Float64Array {
  const sum = new Float64Array(points[0]!.length);
  for (const p of points) for (let j = 0; j < sum.length; j++) sum[j]! += p[j]!;
  return normalise(sum);
}
