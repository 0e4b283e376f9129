// Leases: a named right that one holder has at a time, across every process on every machine that shares
// the database (the Lease table, src/store/lease.repository.ts). Used so that the search outbox drains from
// one process only ("search-outbox") and one file is ingested by one worker at a time ("ingest:<hash>").
//
// A holder is `<hostname>/<pid>/<uuid>`, one per Lease object. A lease lasts `ttlMs` from its last renewal;
// a holder that dies (kill -9, a machine that goes away) stops renewing and the lease is free once expired.
// A dead holder on the taker's own machine is seen at once: its pid is gone (or it is this pid and not one
// of this process's live holders: a restarted container whose process is pid 1 again), and the taker takes
// the lease from it without waiting for the expiry. A holder on another machine is judged only by the
// expiry, so clocks must agree to well within ttlMs (NTP does); expiry times are written by the holder's
// clock and compared by the taker's.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../errors/app-error.js";
import type { Logger } from "../logging/logger.js";
import type { LeaseRepository } from "../store/lease.repository.js";

const HOST = os.hostname();
/** the holders this process runs now: a lease naming this host and pid but none of these is a dead one's */
const LIVE = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** true when `holder` is known to be dead: a process of this machine that is gone */
export function holderIsDead(holder: string): boolean {
  const [host, pidText] = holder.split("/");
  if (host !== HOST) return false; // another machine: only the expiry can tell
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  return pid === process.pid ? !LIVE.has(holder) : !pidAlive(pid);
}

export interface LeaseOptions {
  /** how long a take or renewal holds; default 30 s */
  ttlMs?: number;
  logger?: Logger;
  /** clock (tests) */
  now?: () => Date;
}

export interface HeldLease {
  /** true when another holder had it first and this one waited */
  waited: boolean;
  release(): Promise<void>;
}

export class Lease {
  readonly holder = `${HOST}/${process.pid}/${randomUUID()}`;
  private readonly ttlMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly leases: LeaseRepository,
    readonly name: string,
    private readonly options: LeaseOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Renews the lease, or takes it when it is free, expired or a dead holder's; true when held for ttlMs. */
  async hold(): Promise<boolean> {
    LIVE.add(this.holder);
    const now = this.now();
    const until = new Date(now.getTime() + this.ttlMs);
    if (await this.leases.renew(this.name, this.holder, until)) return true;
    const current = await this.leases.find(this.name);
    const dead = current && holderIsDead(current.holder) ? current.holder : undefined;
    return this.leases.take(this.name, this.holder, now, until, dead);
  }

  /** Extends the lease if this holder still has it; false when it does not. */
  renew(): Promise<boolean> {
    return this.leases.renew(this.name, this.holder, new Date(this.now().getTime() + this.ttlMs));
  }

  /** Gives the lease up (if still held), so that another process takes it at once. */
  async release(): Promise<void> {
    LIVE.delete(this.holder);
    await this.leases.release(this.name, this.holder);
  }

  /**
   * Waits until the lease is held (polling every pollMs; a cancel stops the wait), then keeps it renewed
   * every ttlMs / 3 until released. A renewal that finds the lease taken (this process stalled past the
   * expiry) is logged: the holder's work goes on, guarded by the database's unique keys.
   */
  async acquire(signal?: AbortSignal, pollMs = 100): Promise<HeldLease> {
    let waited = false;
    for (;;) {
      if (signal?.aborted) throw new AppError("CANCELLED", `cancelled while waiting for the lease ${this.name}`);
      if (await this.hold()) break;
      waited = true;
      await sleep(pollMs, undefined, { signal }).catch(() => undefined);
    }
    const heartbeat = setInterval(
      () => {
        // a renewal only: after release() (the row is gone) it changes nothing
        this.renew().then(
          (held) => {
            if (!held) this.options.logger?.warn({ lease: this.name }, "lease lost to another holder while held");
          },
          (error: unknown) => this.options.logger?.warn({ lease: this.name, err: error }, "lease renewal failed"),
        );
      },
      Math.max(50, Math.floor(this.ttlMs / 3)),
    );
    heartbeat.unref();
    return {
      waited,
      release: async () => {
        clearInterval(heartbeat);
        await this.release();
      },
    };
  }
}

/** Makes leases of one repository with the same options (the composition root hands this out). */
export class Leases {
  constructor(
    private readonly leases: LeaseRepository,
    private readonly options: LeaseOptions = {},
  ) {}

  lease(name: string): Lease {
    return new Lease(this.leases, name, this.options);
  }
}
