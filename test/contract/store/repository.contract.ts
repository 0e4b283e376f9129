// The repositories' contract (src/store), run on every database provider: the same cases, the same answers.
// Each case writes its own clips (unique content hashes) and reads back only those, so the cases share one
// migrated database per provider. What differs between SQLite and PostgreSQL underneath (LIKE and case,
// 32-bit integers, BLOB/bytea, NUL in text, concurrent writers) is what these cases pin down.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../../src/store/prisma.client.js";
import { createStore, type Store } from "../../../src/app.js";
import { AnalysisReadRepository } from "../../../src/store/analysis-read.repository.js";
import { AnalysisResultRepository } from "../../../src/store/analysis-result.repository.js";
import { bytesToVector } from "../../../src/store/vector-codec.js";
import type { ProbeResult } from "../../../src/media/media.port.js";
import type { CompleteClip } from "../../../src/store/clip.repository.js";

export interface StoreUnderTest {
  prisma: PrismaClient;
  close(): Promise<void>;
}

const probe = (over: Partial<ProbeResult> = {}): ProbeResult => ({
  path: `/media/${randomUUID()}.mkv`,
  formatName: "matroska,webm",
  sizeBytes: 1234,
  duration: 30,
  startTime: 0,
  video: { streamIndex: 0, width: 320, height: 180, frameRate: 25, variableFrameRate: false },
  streams: [{ index: 0, type: "video", codec: "h264" }],
  ...over,
});

const palette = [{ hex: "#102030", share: 1 }];

/** three scenes of ten seconds, one shot and keyframe each, an English and a French track */
function clipParts(): CompleteClip {
  const scenes = [0, 1, 2].map((i) => ({
    index: i,
    startTime: i * 10,
    endTime: (i + 1) * 10,
    firstShot: i,
    lastShot: i,
    text: ["Hello there, General Kenobi", "The 100% Solution_ok", "Quiet now"][i]!,
  }));
  return {
    scenes,
    shots: scenes.map((s) => ({
      index: s.index,
      startTime: s.startTime,
      endTime: s.endTime,
      startFrame: s.index * 250,
      endFrame: (s.index + 1) * 250 - 1,
      transition: s.index === 0 ? ("START" as const) : ("CUT" as const),
    })),
    keyframes: scenes.map((s) => ({
      shotIndex: s.index,
      time: s.startTime + 5,
      path: `keyframes/${randomUUID()}.jpg`,
      width: 320,
      height: 180,
      stats: { brightness: 0.5, contrast: 0.25, saturation: 0.125, colourfulness: 12.5, palette },
    })),
    tracks: [
      {
        index: 0,
        source: "EMBEDDED",
        streamIndex: 2,
        codec: "subrip",
        language: "EN-gb",
        imageBased: false,
        skipped: false,
        warnings: ["a warning"],
        cues: scenes.map((s) => ({
          index: s.index,
          startTime: s.startTime + 1,
          endTime: s.startTime + 3,
          rawText: `<i>${s.text}</i>`,
          text: s.text,
          ...(s.index === 0 ? { speaker: "OBI-WAN" } : {}),
        })),
      },
      {
        index: 1,
        source: "SIDECAR",
        path: "/media/x.fr.srt",
        codec: "subrip",
        language: "fr",
        encoding: "UTF-8",
        imageBased: false,
        skipped: false,
        warnings: [],
        cues: [{ index: 0, startTime: 11, endTime: 12, rawText: "Bonjour\u0000 à tous", text: "Bonjour\u0000 à tous" }],
      },
    ],
  };
}

export function repositoryContract(provider: string, open: () => Promise<StoreUnderTest>): void {
  describe(`repositories on ${provider}`, () => {
    let db: StoreUnderTest;
    let store: Store;
    beforeAll(async () => {
      db = await open();
      store = createStore(db.prisma);
    });
    afterAll(async () => {
      await db?.close();
    });

    /** a READY clip with the parts above; its title is unique to the case */
    async function readyClip(title = `Clip ${randomUUID()}`, over: Partial<ProbeResult> = {}) {
      const clip = await store.clips.begin(randomUUID(), probe(over), title);
      await store.clips.complete(clip.id, clipParts());
      return clip;
    }

    it("answers the health check", async () => {
      expect(await store.health.ping()).toBe(true);
    });

    it("stores a clip of more than 2 GiB and reads its size back as a number", async () => {
      const size = 5 * 1024 ** 3 + 7;
      const clip = await readyClip(undefined, { sizeBytes: size });
      const [row] = await store.clips.byIds([clip.id]);
      expect(row?.sizeBytes).toBe(size);
      expect(typeof row?.sizeBytes).toBe("number");
      const [listed] = await store.clips.list({ ids: [clip.id] }, 0, 10);
      expect(listed?.sizeBytes).toBe(size);
    });

    it("writes a whole clip in one transaction and loads it back exactly (NUL characters dropped)", async () => {
      const clip = await readyClip();
      const loaded = await store.clips.load(clip.id);
      const parts = clipParts();
      const fr = parts.tracks[1]!;
      fr.cues[0] = { ...fr.cues[0]!, rawText: "Bonjour à tous", text: "Bonjour à tous" };
      expect(loaded?.parts.scenes).toEqual(parts.scenes);
      expect(loaded?.parts.shots).toEqual(parts.shots);
      expect(loaded?.parts.keyframes.map(({ path: _p, ...k }) => k)).toEqual(
        parts.keyframes.map(({ path: _p, ...k }) => k),
      );
      expect(loaded?.parts.tracks).toEqual(parts.tracks);
      expect((await store.clips.findSummary(clip.id))?.status).toBe("READY");
      expect(await store.outbox.count()).toBeGreaterThanOrEqual(3);
    });

    it("stores a track of more cues than one statement may bind (PostgreSQL: 65535 parameters)", async () => {
      const parts = clipParts();
      const many = 7000; // × 11 columns ≈ 77 000 values
      parts.tracks[0]!.cues = Array.from({ length: many }, (_, i) => ({
        index: i,
        startTime: (i * 30) / many,
        endTime: (i * 30) / many + 0.001,
        rawText: `line ${i}`,
        text: `line ${i}`,
      }));
      const clip = await store.clips.begin(randomUUID(), probe(), "Many cues");
      await store.clips.complete(clip.id, parts);
      expect(await store.scenes.countCues({ clipIds: [clip.id] })).toBe(many + 1);
      const cues = await store.scenes.allCues({ clipIds: [clip.id], language: "en" });
      expect(cues).toHaveLength(many);
      expect((await store.scenes.cuesByIds(cues.map((c) => c.id))).length).toBe(many);
    });

    it("filters titles and texts by substring ignoring case (% and _ are LIKE wildcards on both)", async () => {
      const tag = randomUUID().slice(0, 8);
      const a = await readyClip(`The Great ${tag} Escape`);
      const b = await readyClip(`Small ${tag} 100% Things`);
      const ids = [a.id, b.id];
      const titles = async (titleContains: string) =>
        (await store.clips.list({ ids, titleContains }, 0, 10)).map((c) => c.id);
      expect(await titles(`great ${tag.toUpperCase()}`)).toEqual([a.id]);
      expect(await titles(tag)).toEqual([a.id, b.id]);
      expect(await titles("0% t")).toEqual([b.id]);
      // Prisma sends the value into LIKE unescaped, on both providers: _ is any one character, % any run
      expect(await titles("g_eat")).toEqual([a.id]);
      expect(await titles(`great%escape`)).toEqual([a.id]);
      expect(await store.clips.count({ ids, titleContains: "ESCAPE" })).toBe(1);

      const scenes = await store.scenes.scenes({ clipIds: ids, textContains: "general KENOBI" }, 0, 10);
      expect(scenes.map((s) => s.clipId)).toEqual([...ids].sort());
      expect(await store.scenes.countScenes({ clipIds: ids, textContains: "100% solution_" })).toBe(2);
      expect(await store.scenes.countScenes({ clipIds: ids, textContains: "100%_solution" })).toBe(2);
      expect(await store.scenes.countScenes({ clipIds: ids, textContains: "100%x" })).toBe(0);
      const cues = await store.scenes.cues({ clipIds: [a.id], textContains: "quiet" }, 0, 10);
      expect(cues.map((c) => c.text)).toEqual(["Quiet now"]);
    });

    it("matches a language by its primary subtag, whatever the case of the stored tag", async () => {
      const clip = await readyClip();
      // stored "EN-gb" and "fr": "en" and "EN" find the English track's cues, "fr" the French one
      expect(await store.scenes.countCues({ clipIds: [clip.id], language: "en" })).toBe(3);
      expect(await store.scenes.countCues({ clipIds: [clip.id], language: "EN-US" })).toBe(3);
      expect(await store.scenes.countCues({ clipIds: [clip.id], language: "fr" })).toBe(1);
      expect(await store.scenes.countScenes({ clipIds: [clip.id], language: "fr" })).toBe(1);
      expect(await store.scenes.countCues({ clipIds: [clip.id], language: "de" })).toBe(0);
    });

    it("pages scenes, cues, shots and keyframes in one total order", async () => {
      const clip = await readyClip();
      const all = await store.scenes.cues({ clipIds: [clip.id] }, 0, 100);
      const paged = [
        ...(await store.scenes.cues({ clipIds: [clip.id] }, 0, 2)),
        ...(await store.scenes.cues({ clipIds: [clip.id] }, 2, 2)),
      ];
      expect(paged.map((c) => c.id)).toEqual(all.map((c) => c.id));
      expect(all.map((c) => c.startTime)).toEqual([1, 11, 11, 21]);
      expect((await store.scenes.shots({ clipIds: [clip.id] }, 1, 5)).map((s) => s.index)).toEqual([1, 2]);
      const keyframes = await store.scenes.keyframes({ clipIds: [clip.id], startTime: 10 }, 0, 5);
      expect(keyframes.map((k) => k.time)).toEqual([15, 25]);
    });

    it("creates one clip row when several workers begin the same content at once", async () => {
      const hash = randomUUID();
      const rows = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.clips.begin(hash, probe(), `Worker ${i}`)),
      );
      expect(new Set(rows.map((r) => r.id)).size).toBe(1);
      expect(await db.prisma.clip.count({ where: { contentHash: hash } })).toBe(1);
    });

    it("keeps checkpoints, marks an unfinished clip FAILED and never a READY one", async () => {
      const clip = await store.clips.begin(randomUUID(), probe(), "Unfinished");
      await store.clips.saveCheckpoint(clip.id, "shots", { n: 1 });
      await store.clips.saveCheckpoint(clip.id, "shots", { n: 2 });
      expect(await store.clips.getCheckpoint(clip.id, "shots")).toEqual({ n: 2 });
      await store.clips.markUnfinished(clip.id, "cancelled");
      expect((await store.clips.findSummary(clip.id))?.status).toBe("FAILED");
      const ready = await readyClip();
      await store.clips.markUnfinished(ready.id, "late");
      expect((await store.clips.findSummary(ready.id))?.status).toBe("READY");
    });

    it("deletes a clip with its rows and queues its scenes' removal from the index", async () => {
      const clip = await readyClip();
      const high = await store.outbox.highWater();
      expect(typeof high).toBe("number");
      expect(await store.clips.deleteWithScenes(clip.id)).toBe(3);
      expect(await db.prisma.cue.count({ where: { clipId: clip.id } })).toBe(0);
      const due = await store.outbox.due(new Date(Date.now() + 1000), 10_000);
      const mine = due.filter((e) => e.clipId === clip.id);
      expect(mine.map((e) => e.op)).toEqual(["UPSERT", "UPSERT", "UPSERT", "DELETE", "DELETE", "DELETE"]);
      expect(mine.map((e) => e.id)).toEqual([...mine.map((e) => e.id)].sort((x, y) => x - y));
    });

    it("adds a sidecar track to a READY clip once, queueing the scenes that gained cues", async () => {
      const clip = await readyClip();
      const track = {
        source: "SIDECAR" as const,
        path: "/media/y.de.srt",
        codec: "subrip",
        language: "de",
        imageBased: false,
        skipped: false,
        warnings: [],
        cues: [{ index: 0, startTime: 21, endTime: 22, rawText: "Ruhe", text: "Ruhe" }],
      };
      expect((await store.clips.addTracks(clip.id, [track])).map((t) => t.index)).toEqual([2]);
      expect(await store.clips.addTracks(clip.id, [track])).toEqual([]);
      expect(await store.scenes.countCues({ clipIds: [clip.id], language: "de" })).toBe(1);
    });

    it("adds tracks from concurrent requests without losing one, and completes a clip twice at once to one copy", async () => {
      const clip = await readyClip();
      const track = (p: string) => ({
        source: "SIDECAR" as const,
        path: p,
        codec: "subrip",
        language: "de",
        imageBased: false,
        skipped: false,
        warnings: [],
        cues: [{ index: 0, startTime: 21, endTime: 22, rawText: p, text: p }],
      });
      const added = await Promise.all(
        ["/a.srt", "/b.srt", "/c.srt"].map((p) => store.clips.addTracks(clip.id, [track(p)])),
      );
      expect(
        added
          .flat()
          .map((t) => t.index)
          .sort(),
      ).toEqual([2, 3, 4]);
      expect(await store.scenes.countCues({ clipIds: [clip.id], language: "de" })).toBe(3);

      const again = await store.clips.begin(randomUUID(), probe(), "Twice");
      await Promise.all([store.clips.complete(again.id, clipParts()), store.clips.complete(again.id, clipParts())]);
      expect(await db.prisma.scene.count({ where: { clipId: again.id } })).toBe(3);
      expect(await db.prisma.cue.count({ where: { clipId: again.id } })).toBe(4);
    });

    it("runs the outbox: due rows in write order, postponed with attempts, deleted up to a high water", async () => {
      const clipId = randomUUID();
      await store.outbox.enqueue("UPSERT", clipId, ["s1", "s2", "s3"]);
      const high = await store.outbox.highWater();
      const rows = (await store.outbox.due(new Date(Date.now() + 1000), 100_000)).filter((r) => r.clipId === clipId);
      expect(rows.map((r) => r.sceneId)).toEqual(["s1", "s2", "s3"]);
      const later = new Date(Date.now() + 3_600_000);
      await store.outbox.postpone([{ id: rows[0]!.id, availableAt: later }], "boom");
      await store.outbox.postpone([{ id: rows[0]!.id, availableAt: later }], "boom");
      const after = (await store.outbox.due(new Date(), 100_000)).filter((r) => r.clipId === clipId);
      expect(after.map((r) => r.sceneId)).toEqual(["s2", "s3"]);
      expect(
        (await store.outbox.due(new Date(Date.now() + 7_200_000), 100_000)).find((r) => r.id === rows[0]!.id),
      ).toMatchObject({ attempts: 2 });
      await store.outbox.deleteUpTo(high, clipId);
      expect((await store.outbox.due(later, 100_000)).filter((r) => r.clipId === clipId)).toEqual([]);
    });

    it("moves jobs through conditional transitions: of racing claims exactly one wins", async () => {
      const job = await store.jobs.create("INGEST", "{}", "queued");
      const claims = await Promise.all(
        Array.from({ length: 5 }, () => store.jobs.transition(job.id, ["QUEUED"], { status: "RUNNING" })),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await store.jobs.get(job.id))?.status).toBe("RUNNING");
      expect(await store.jobs.requeueStale(new Date(Date.now() + 60_000), [], "requeued")).toBeGreaterThanOrEqual(1);
      expect((await store.jobs.get(job.id))?.status).toBe("QUEUED");
      expect(await store.jobs.count({ statuses: ["QUEUED"] })).toBeGreaterThanOrEqual(1);
    });

    it("stores vectors as exact bytes, in batches past 500 hashes, and keeps the first of racing writers", async () => {
      const model = `model-${randomUUID()}`;
      const vec = (i: number) => Float32Array.from({ length: 8 }, (_, j) => Math.sin(i * 8 + j) * 1e-3 + j);
      const entries = Array.from({ length: 520 }, (_, i) => ({ textHash: `h${i}`, vector: vec(i) }));
      await store.embeddingCache.save(model, entries);
      const racing = Array.from({ length: 20 }, (_, i) => `race${i}`);
      await Promise.all(
        Array.from({ length: 6 }, (_, k) =>
          store.embeddingCache.save(
            model,
            racing.map((textHash) => ({ textHash, vector: vec(k) })),
          ),
        ),
      );
      const found = await store.embeddingCache.find(model, [...entries.map((e) => e.textHash), ...racing, "missing"]);
      expect(found.size).toBe(540);
      expect(found.get("h519")).toEqual(vec(519));
      const first = found.get("race0");
      expect(Array.from({ length: 6 }, (_, k) => vec(k))).toContainEqual(first);
      for (const h of racing) expect(found.get(h)).toBeInstanceOf(Float32Array);
    });

    it("stores enrichment results per model and finds the rows still without one", async () => {
      const clip = await readyClip();
      const cues = await store.enrichment.cuesWithoutEmotion(clip.id, "lexicon-1");
      expect(cues).toHaveLength(4);
      const scores = { anger: 0, disgust: 0, fear: 0, joy: 1, sadness: 0, surprise: 0, neutral: 0 };
      await store.enrichment.saveCueEmotions(
        cues
          .slice(0, 3)
          .map((c) => ({ cueId: c.id, clipId: clip.id, model: "lexicon-1", method: "lexicon", label: "joy", scores })),
      );
      expect(await store.enrichment.cuesWithoutEmotion(clip.id, "lexicon-1")).toHaveLength(1);
      const keyframes = await store.enrichment.keyframesWithoutVector(clip.id, "clip-1");
      const vector = Float32Array.from([0.6, -0.8, 0, 1e-7]);
      await store.enrichment.saveKeyframeVectors(
        keyframes.map((k) => ({ keyframeId: k.id, clipId: clip.id, model: "clip-1", vector })),
      );
      const stored = await new AnalysisReadRepository(db.prisma).keyframeVectors(
        keyframes.map((k) => k.id),
        "clip-1",
      );
      expect(stored).toHaveLength(3);
      for (const row of stored) {
        expect(row.vector).toBeInstanceOf(Uint8Array);
        expect(bytesToVector(row.vector)).toEqual(vector);
      }
    });

    it("saves analysis results by input key (racing writers: one row) and lists them by a clip in their scope", async () => {
      const results = new AnalysisResultRepository(db.prisma);
      const clipId = randomUUID();
      const data = {
        kind: "EMOTION",
        scopeHash: randomUUID(),
        inputKey: randomUUID(),
        clipIds: JSON.stringify([clipId]),
        parameters: "{}",
        models: "[]",
        codeVersion: "0.1.0",
        result: JSON.stringify({ ok: 1 }),
      };
      const racing = await Promise.all(Array.from({ length: 4 }, () => results.save(data)));
      expect(new Set(racing.map((r) => r.id)).size).toBe(1);
      const first = racing[0]!;
      const second = await results.save({ ...data, result: JSON.stringify({ ok: 2 }) });
      expect(second.id).toBe(first.id);
      const listed = await results.list({ clipId, take: 10 });
      expect(listed.map((r) => JSON.parse(r.result) as unknown)).toEqual([{ ok: 2 }]);
      expect(await results.list({ clipId: randomUUID(), take: 10 })).toEqual([]);
    });
  });
}
