// How a vector is stored: the raw bytes of its Float32Array (platform byte order, little-endian on every
// machine cinerag runs on) in a BLOB column. The store encodes and decodes; callers see Float32Array only.
// (PostgreSQL: the same bytes fit a bytea column; pgvector would be a change here and in the schema.)

export function vectorToBytes(v: Float32Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(v.byteLength);
  out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return out;
}

export function bytesToVector(b: Uint8Array): Float32Array {
  // copied: the driver's buffer may be shared or unaligned for a Float32Array view
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}
