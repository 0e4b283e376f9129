// One ingest per content hash (issue 15 item 7): a second taker waits for the first, a dead holder's lease is void.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { afterEach, expect, it } from "vitest";
import { IngestLeases } from "../../../src/ingest/ingest-lease.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("a second acquire of the same hash waits until the first is released, and says it waited", async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cinerag-lease-"));
  const leases = new IngestLeases(dir);
  const first = await leases.acquire("abc");
  expect(first.waited).toBe(false);
  let secondDone = false;
  const second = leases.acquire("abc").then((l) => ((secondDone = true), l));
  const other = await leases.acquire("def"); // another file is not held up
  expect(other.waited).toBe(false);
  await new Promise((r) => setTimeout(r, 300));
  expect(secondDone).toBe(false);
  await first.release();
  const lease = await second;
  expect(lease.waited).toBe(true);
  await lease.release();
  await other.release();
});

it("a lease left by a process that died (kill -9) is taken over", async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cinerag-lease-"));
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
  await writeFile(path.join(dir, "abc.lock"), dead);
  const lease = await new IngestLeases(dir).acquire("abc");
  expect(lease.waited).toBe(false);
  await lease.release();
});

it("a cancel stops the wait with CANCELLED", async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cinerag-lease-"));
  const leases = new IngestLeases(dir);
  const held = await leases.acquire("abc");
  const controller = new AbortController();
  const waiting = leases.acquire("abc", controller.signal);
  controller.abort();
  await expect(waiting).rejects.toMatchObject({ code: "CANCELLED" });
  await held.release();
});
