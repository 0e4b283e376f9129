// The vector maths of the project in one place: embedders normalise with it, search adapters guard and
// normalise what they store and what they are asked, analysis compares vectors with it.

/** Dot product over the common length. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Cosine similarity; 0 when either vector has no direction (all zeros). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.sqrt(dot(a, a) * dot(b, b));
  return n > 0 ? dot(a, b) / n : 0;
}

/** true when every component is a finite number (no NaN, no ±Infinity). */
export function isFiniteVector(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}

/**
 * L2-normalises in place; an all-zero vector stays zero (0/0 would make it NaN, and a NaN vector then
 * "matches" everything equally: the defect of issue #13).
 */
export function normaliseInPlace(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  if (norm > 0 && Number.isFinite(norm)) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}

/**
 * The vector scaled to unit length (a copy unless it already is one); undefined when it has no
 * direction: all zeros, or any component not finite.
 */
export function unitVector(v: Float32Array): Float32Array | undefined {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  if (!(norm > 0) || !Number.isFinite(norm)) return undefined;
  if (Math.abs(norm - 1) < 1e-6) return v;
  const inv = 1 / Math.sqrt(norm);
  return v.map((x) => x * inv);
}
