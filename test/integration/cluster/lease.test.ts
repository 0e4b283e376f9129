// Leases in the database (src/cluster/lease.ts), on SQLite and on PostgreSQL: one holder at a time among
// clients of the same database racing for it, renewal, expiry (a fake clock, not a wait), release, a dead
// holder on this machine taken over at once, a holder on another machine only after its expiry, and the
// waiting acquire the ingest uses.
import { spawnSync } from "node:child_process";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lease } from "../../../src/cluster/lease.js";
import { LeaseRepository } from "../../../src/store/lease.repository.js";
import type { PrismaClient } from "../../../src/store/prisma.client.js";
import { DATABASES, type TestDatabase } from "./databases.js";

for (const { name, skip } of DATABASES) if (skip) console.warn(`[skip] leases on ${name}: ${skip}`);

describe.each(DATABASES)("leases on $name", ({ name, skip, start }) => {
  let db: TestDatabase;
  let clients: PrismaClient[];
  let n = 0;
  const fresh = () => `test-${name}-${n++}`;

  beforeAll(async () => {
    if (skip) return;
    db = await start();
    // four clients: four "processes" on the same database
    clients = await Promise.all([db.open(), db.open(), db.open(), db.open()]);
  }, 120_000);
  afterAll(async () => db?.close());

  it.skipIf(skip)("clients racing for a free lease: exactly one holds it, round after round", async () => {
    for (let round = 0; round < 10; round++) {
      const leaseName = fresh();
      const leases = clients.map((c) => new Lease(new LeaseRepository(c), leaseName, { ttlMs: 60_000 }));
      const held = await Promise.all(leases.map((l) => l.hold()));
      expect(held.filter(Boolean)).toHaveLength(1);
      const row = await new LeaseRepository(clients[0]!).find(leaseName);
      expect(row?.holder).toBe(leases[held.indexOf(true)]!.holder);
      // and racing again while it is held changes nothing: the holder renews, the others stay out
      const again = await Promise.all(leases.map((l) => l.hold()));
      expect(again).toEqual(held);
    }
  });

  it.skipIf(skip)("an expired lease is taken by the next one who asks, and its old holder has lost it", async () => {
    let clock = new Date("2026-01-01T00:00:00Z");
    const now = () => clock;
    const leaseName = fresh();
    const a = new Lease(new LeaseRepository(clients[0]!), leaseName, { ttlMs: 1000, now });
    const b = new Lease(new LeaseRepository(clients[1]!), leaseName, { ttlMs: 1000, now });
    expect(await a.hold()).toBe(true);
    clock = new Date(clock.getTime() + 900);
    expect(await b.hold()).toBe(false); // not expired yet
    expect(await a.hold()).toBe(true); // renewed: now until +1900
    clock = new Date(clock.getTime() + 900);
    expect(await b.hold()).toBe(false);
    clock = new Date(clock.getTime() + 1001); // a stopped renewing
    expect(await b.hold()).toBe(true);
    expect(await a.renew()).toBe(false);
    expect(await a.hold()).toBe(false);
  });

  it.skipIf(skip)("release frees it at once", async () => {
    const leaseName = fresh();
    const a = new Lease(new LeaseRepository(clients[0]!), leaseName);
    const b = new Lease(new LeaseRepository(clients[1]!), leaseName);
    expect(await a.hold()).toBe(true);
    expect(await b.hold()).toBe(false);
    await a.release();
    expect(await b.hold()).toBe(true);
    await a.release(); // no longer a's: releasing again leaves b's lease alone
    expect((await new LeaseRepository(clients[0]!).find(leaseName))?.holder).toBe(b.holder);
  });

  it.skipIf(skip)("a holder on this machine that died (kill -9) is taken over before its lease expires", async () => {
    const dead = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout);
    const repo = new LeaseRepository(clients[0]!);
    const leaseName = fresh();
    const far = new Date(Date.now() + 3600_000);
    expect(await repo.take(leaseName, `${os.hostname()}/${dead}/gone`, new Date(), far)).toBe(true);
    expect(await new Lease(new LeaseRepository(clients[1]!), leaseName).hold()).toBe(true);

    // this very pid, but not one of this process's live holders: a previous life of a restarted container
    const again = fresh();
    expect(await repo.take(again, `${os.hostname()}/${process.pid}/previous-life`, new Date(), far)).toBe(true);
    expect(await new Lease(new LeaseRepository(clients[1]!), again).hold()).toBe(true);
  });

  it.skipIf(skip)("a holder on another machine is judged by its expiry only", async () => {
    const repo = new LeaseRepository(clients[0]!);
    const leaseName = fresh();
    const until = new Date(Date.now() + 3600_000);
    expect(await repo.take(leaseName, `some-other-host/1/x`, new Date(), until)).toBe(true);
    const mine = new Lease(new LeaseRepository(clients[1]!), leaseName, { ttlMs: 1000 });
    expect(await mine.hold()).toBe(false);
    const later = new Lease(new LeaseRepository(clients[1]!), leaseName, {
      ttlMs: 1000,
      now: () => new Date(until.getTime() + 1),
    });
    expect(await later.hold()).toBe(true);
  });

  it.skipIf(skip)(
    "acquire waits for the holder, says it waited, keeps the lease renewed, stops on cancel",
    async () => {
      const leaseName = fresh();
      const first = await new Lease(new LeaseRepository(clients[0]!), leaseName, { ttlMs: 600 }).acquire();
      expect(first.waited).toBe(false);
      let secondHeld = false;
      const second = new Lease(new LeaseRepository(clients[1]!), leaseName, { ttlMs: 600 })
        .acquire(undefined, 20)
        .then((l) => ((secondHeld = true), l));
      // several lease lives go by: the heartbeat renews the first, the second keeps waiting
      await new Promise((r) => setTimeout(r, 2000));
      expect(secondHeld).toBe(false);

      const cancelled = new AbortController();
      const third = new Lease(new LeaseRepository(clients[2]!), leaseName).acquire(cancelled.signal, 20);
      cancelled.abort();
      await expect(third).rejects.toMatchObject({ code: "CANCELLED" });

      await first.release();
      const got = await second;
      expect(got.waited).toBe(true);
      await got.release();
      expect(await new LeaseRepository(clients[0]!).find(leaseName)).toBeUndefined();
    },
  );
});
