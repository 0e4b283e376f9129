import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { createPrismaClient, Prisma, type PrismaClient } from "../../../src/store/prisma.client.js";
import { HELPERS, runNode } from "./helpers/spawn.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "cinerag-client-test-"));
const file = path.join(tmp, "data", "cinerag.db");
let prisma: PrismaClient;

beforeAll(async () => {
  await migrateDatabase(file);
  prisma = createPrismaClient(file);
});
afterAll(async () => {
  await prisma?.$disconnect();
  rmSync(tmp, { recursive: true, force: true });
});

async function pragma(name: string): Promise<unknown> {
  const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`);
  const value = Object.values(rows[0] ?? {})[0];
  return typeof value === "bigint" ? Number(value) : value;
}

function clipData(n: number) {
  return {
    contentHash: `hash-${n}`,
    path: `/media/clip-${n}.mkv`,
    title: `Clip ${n}`,
    sizeBytes: 1000,
    formatName: "matroska,webm",
    duration: 60,
    frameRate: 24,
    width: 1920,
    height: 1080,
  };
}

describe("createPrismaClient", () => {
  it("sets WAL, a 5 s busy timeout, foreign keys and synchronous=NORMAL on its connection", async () => {
    expect(await pragma("journal_mode")).toBe("wal");
    expect(await pragma("busy_timeout")).toBe(5000);
    expect(await pragma("foreign_keys")).toBe(1);
    expect(await pragma("synchronous")).toBe(1); // NORMAL
  });

  it("cascades deletes from a clip to everything it is made of, and sets cue.sceneId null when a scene goes", async () => {
    const clip = await prisma.clip.create({ data: clipData(1) });
    const track = await prisma.subtitleTrack.create({
      data: { clipId: clip.id, index: 0, source: "EMBEDDED", codec: "subrip" },
    });
    const scene = await prisma.scene.create({ data: { clipId: clip.id, index: 0, startTime: 0, endTime: 10 } });
    const shot = await prisma.shot.create({
      data: {
        clipId: clip.id,
        sceneId: scene.id,
        index: 0,
        startTime: 0,
        endTime: 10,
        startFrame: 0,
        endFrame: 240,
        transition: "START",
      },
    });
    await prisma.keyframe.create({
      data: {
        clipId: clip.id,
        shotId: shot.id,
        time: 5,
        path: "keyframes/x.jpg",
        width: 320,
        height: 180,
        brightness: 0.5,
        contrast: 0.5,
        saturation: 0.5,
        colourfulness: 0.5,
        palette: "[]",
      },
    });
    const cue = await prisma.cue.create({
      data: {
        clipId: clip.id,
        trackId: track.id,
        sceneId: scene.id,
        index: 0,
        startTime: 1,
        endTime: 2,
        rawText: "Hi",
        text: "Hi",
      },
    });
    await prisma.ingestCheckpoint.create({ data: { clipId: clip.id, stage: "probe", data: "{}" } });

    await prisma.scene.delete({ where: { id: scene.id } });
    expect((await prisma.cue.findUniqueOrThrow({ where: { id: cue.id } })).sceneId).toBeNull();
    expect((await prisma.shot.findUniqueOrThrow({ where: { id: shot.id } })).sceneId).toBeNull();

    await prisma.clip.delete({ where: { id: clip.id } });
    const counts = await Promise.all([
      prisma.subtitleTrack.count(),
      prisma.cue.count(),
      prisma.shot.count(),
      prisma.keyframe.count(),
      prisma.scene.count(),
      prisma.ingestCheckpoint.count(),
    ]);
    expect(counts).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("enforces foreign keys", async () => {
    const error = await prisma.scene
      .create({ data: { clipId: "no-such-clip", index: 0, startTime: 0, endTime: 1 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((error as Prisma.PrismaClientKnownRequestError).code).toBe("P2003");
  });

  it("lets another connection read while a write transaction is open (WAL)", async () => {
    const clip = await prisma.clip.create({ data: clipData(2) });
    const reader = new Database(file, { readonly: true });
    try {
      await prisma.$transaction(async (tx) => {
        await tx.clip.update({ where: { id: clip.id }, data: { title: "renamed" } });
        // In rollback-journal mode this read would fail with SQLITE_BUSY; in WAL it sees the last commit.
        const row = reader.prepare("SELECT title FROM Clip WHERE id = ?").get(clip.id) as { title: string };
        expect(row.title).toBe("Clip 2");
      });
    } finally {
      reader.close();
    }
    expect((await prisma.clip.findUniqueOrThrow({ where: { id: clip.id } })).title).toBe("renamed");
  });

  /** Runs `write` while another process holds the write lock for 1.5 s; when it was issued and when it finished. */
  async function whileLockedElsewhere(write: () => Promise<unknown>) {
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = runNode([path.join(HELPERS, "hold-write-lock.mjs"), file, "1500"], {
      onStdout: (chunk) => chunk.includes("locked") && locked(),
    });
    await isLocked;
    const startedAt = Date.now();
    const outcome = await write().then(
      () => "written",
      (error: unknown) => String(error),
    );
    const finishedAt = Date.now();
    const done = await holder;
    expect(done.code, done.stderr).toBe(0);
    const releasingAt = Number(/releasing (\d+)/.exec(done.stdout)?.[1]);
    expect(releasingAt).toBeGreaterThan(0);
    return { outcome, startedAt, finishedAt, releasingAt };
  }

  // The adapter begins a transaction with a deferred BEGIN: one that read first took a read snapshot, and its
  // first write then failed at once with SQLITE_BUSY while another process held the write lock (SQLite does
  // not wait where waiting could deadlock), busy timeout or not. Two `cinerag ingest` of one file hit it in
  // CI: the waiter polled the ingest lease while the holder stored the clip (read, then write).
  it("a transaction that reads before it writes waits for another process's write lock too", async () => {
    const clip = await prisma.clip.create({ data: clipData(3) });
    const interactive = await whileLockedElsewhere(() =>
      prisma.$transaction(async (tx) => {
        await tx.scene.findMany({ where: { clipId: clip.id } });
        await tx.scene.create({ data: { clipId: clip.id, index: 0, startTime: 0, endTime: 1 } });
      }),
    );
    expect(interactive.outcome).toBe("written");
    expect(interactive.startedAt).toBeLessThanOrEqual(interactive.releasingAt);
    expect(interactive.finishedAt).toBeGreaterThanOrEqual(interactive.releasingAt);
    const batch = await whileLockedElsewhere(() =>
      prisma.$transaction([
        prisma.scene.findMany({ where: { clipId: clip.id } }),
        prisma.scene.create({ data: { clipId: clip.id, index: 1, startTime: 1, endTime: 2 } }),
      ]),
    );
    expect(batch.outcome).toBe("written");
    expect(batch.finishedAt).toBeGreaterThanOrEqual(batch.releasingAt);
    expect(await prisma.scene.count({ where: { clipId: clip.id } })).toBe(2);
  });

  it("waits for another process's write lock instead of failing (busy timeout)", async () => {
    // The holder keeps the lock 1.5 s, well inside the 5 s busy timeout. No duration is asserted (machines are
    // noisy): the write is ordered against the moment the holder lets go, on the one system clock both share.
    const write = await whileLockedElsewhere(() => prisma.job.create({ data: { kind: "INGEST" } }));
    expect(write.outcome).toBe("written"); // would be SQLITE_BUSY without the busy timeout
    // the write was issued while the lock was held, and completed only once it was let go
    expect(write.startedAt).toBeLessThanOrEqual(write.releasingAt);
    expect(write.finishedAt).toBeGreaterThanOrEqual(write.releasingAt);
  });
});
