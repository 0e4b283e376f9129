// One ingest of a file (by content hash) at a time, across processes and machines: two `cinerag ingest` of
// the same file, or two workers given the same file, both began a clip and raced in its enrichment
// (foreign-key and lock-timeout errors). The lease is a row of the Lease table, "ingest:<content hash>"
// (src/cluster/lease.ts), so it holds for every process on every machine that shares the database; a holder
// that died is seen at once on its own machine (its pid is gone) and after the lease's expiry elsewhere. A
// second ingest waits for the lease, then finds the clip READY and reports that it joined the first. The
// unique content hash stays the last guard: two clips of the same bytes cannot be stored.
import type { HeldLease, Leases } from "../cluster/lease.js";

export type IngestLease = HeldLease;

export class IngestLeases {
  constructor(private readonly leases: Leases) {}

  /** Waits for the lease of `contentHash` (polling; a cancel stops the wait), then holds it. */
  acquire(contentHash: string, signal?: AbortSignal): Promise<IngestLease> {
    return this.leases.lease(`ingest:${contentHash}`).acquire(signal);
  }
}
