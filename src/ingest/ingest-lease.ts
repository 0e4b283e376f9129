// One ingest of a file (by content hash) at a time, across processes: two `cinerag ingest` of the same file,
// or two jobs of the server, both began a clip and raced in its enrichment (foreign-key and lock-timeout
// errors). The lease is a file in the data directory created exclusively (O_EXCL) and naming its holder's
// pid; a holder that died (kill -9) leaves a file whose pid is gone, and the next taker removes it. A second
// ingest waits for the lease, then finds the clip READY and reports that it joined the first.
//
// Machine-local only. The holder is named by a pid and judged alive with `kill(pid, 0)`, which means
// something only in the taker's own pid namespace, and O_EXCL is not reliable on every network filesystem.
// Processes on one machine (or in one container) sharing a data directory are covered; processes on several
// machines, or containers with their own pid namespaces sharing a data directory over a volume, are not: a
// live holder elsewhere looks dead here and its lease is taken (or a dead one's pid is some live process
// here, and the wait never ends). Several machines need the lease in the database (a unique row per content
// hash with an expiry, or a PostgreSQL advisory lock: issue 10).
import { mkdir, open, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../errors/app-error.js";

const POLL_MS = 100;

export interface IngestLease {
  /** true when another ingest of the same file held it first (and has now finished) */
  waited: boolean;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class IngestLeases {
  constructor(private readonly dir: string) {}

  /** Waits for the lease of `contentHash` (polling; a cancel stops the wait), then holds it. */
  async acquire(contentHash: string, signal?: AbortSignal): Promise<IngestLease> {
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${contentHash}.lock`);
    let waited = false;
    for (;;) {
      if (signal?.aborted) throw new AppError("CANCELLED", "ingest cancelled while waiting for another ingest");
      try {
        const handle = await open(file, "wx");
        await handle.writeFile(String(process.pid));
        await handle.close();
        return { waited, release: () => rm(file, { force: true }) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = Number((await readFile(file, "utf8").catch(() => "")).trim());
      // an empty file is one being written this instant: wait; a dead holder's lease is void
      if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
        await rm(file, { force: true });
        continue;
      }
      waited = true;
      await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
    }
  }
}
