/** Splits `items` into consecutive batches of at most `size` (size < 1 is treated as 1). */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const n = Math.max(1, Math.floor(size));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/** Maps `items` batch by batch (in order, one batch at a time), checking `signal` between batches. */
export async function mapBatched<T, R>(
  items: readonly T[],
  size: number,
  fn: (batch: T[]) => Promise<R[]>,
  signal?: AbortSignal,
): Promise<R[]> {
  const out: R[] = [];
  for (const batch of batches(items, size)) {
    signal?.throwIfAborted();
    const results = await fn(batch);
    if (results.length !== batch.length) throw new Error(`batch of ${batch.length} gave ${results.length} results`);
    out.push(...results);
  }
  return out;
}
