// Helpers over transformers.js tensors without importing the library's types everywhere.

export interface TensorLike {
  dims: number[];
  data: ArrayLike<number> | Float32Array;
}

/** The [batch, vocab] scores a logits processor reads and may change in place. */
export interface LogitsLike {
  dims: number[];
  data: Float32Array;
}

/** Rows of a [n, d] tensor as Float32Arrays (copies). */
export function rows(tensor: TensorLike): Float32Array[] {
  const [n, d] = tensor.dims;
  if (n === undefined || d === undefined || tensor.dims.length !== 2)
    throw new Error(`expected a [n, d] tensor, got [${tensor.dims.join(", ")}]`);
  const data = Float32Array.from(tensor.data as ArrayLike<number>);
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) out.push(data.slice(i * d, (i + 1) * d));
  return out;
}

export { normaliseInPlace as normalise } from "../../util/vector-math.js";
