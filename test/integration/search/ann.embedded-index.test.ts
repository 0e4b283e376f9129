// The embedded index's ANN graph (HNSW, usearch) with every kNN forced through it (exactMax 0): its recall
// against an exact scan, filters, its snapshot across restarts and damage, and two instances (two
// processes in real use: `cinerag ingest` beside `cinerag serve`) writing and reading the same file.
// Vectors: points around random centres (the shape sentence embeddings have), seeded, so every run is the same.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { EmbeddedSceneIndex } from "../../../src/search/embedded.scene-index.js";
import type { SceneDocument, SceneIndexFilter } from "../../../src/search/scene-index.port.js";
import { mulberry32 } from "../../../src/util/prng.js";
import { dot, normaliseInPlace } from "../../../src/util/vector-math.js";
import { trackedIndexes } from "./indexes.js";

const DIM = 32;
const MODEL = { modelId: "clustered-test-vectors", dimension: DIM };
const indexes = trackedIndexes("cinerag-ann-", { model: MODEL });
const newFile = indexes.newFile;
const openIndex = (file: string, exactMax = 0): EmbeddedSceneIndex => indexes.open(file, { exactMax });

function corpus(count: number, seed: number): { docs: SceneDocument[]; queries: Float32Array[] } {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const around = (v: Float32Array, spread: number) =>
    normaliseInPlace(v.map((x) => x + (spread / Math.sqrt(DIM)) * gauss()));
  const centres = Array.from({ length: 40 }, () => normaliseInPlace(new Float32Array(DIM).map(gauss)));
  const docs: SceneDocument[] = Array.from({ length: count }, (_, i) => ({
    sceneId: `s${i}`,
    clipId: `clip-${i % 50}`,
    clipTitle: `Clip ${i % 50}`,
    startTime: (i % 20) * 30,
    endTime: (i % 20) * 30 + 30,
    language: i % 4 === 0 ? "fr" : "en",
    text: `scene ${i}`,
    vector: around(centres[i % centres.length]!, 0.8),
  }));
  const queries = Array.from({ length: 40 }, () => around(docs[Math.floor(rand() * count)]!.vector!, 0.4));
  return { docs, queries };
}

function exactTop(docs: SceneDocument[], q: Float32Array, k: number, keep: (d: SceneDocument) => boolean): string[] {
  return docs
    .filter(keep)
    .map((d) => ({ id: d.sceneId, s: dot(q, d.vector!) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}

function recall(expected: string[][], got: string[][]): number {
  let hit = 0;
  let all = 0;
  expected.forEach((e, i) => {
    const g = new Set(got[i]);
    hit += e.filter((id) => g.has(id)).length;
    all += e.length;
  });
  return hit / all;
}

describe("embedded index: ANN graph", () => {
  const { docs, queries } = corpus(3000, 11);

  it("finds the exact scan's nearest scenes (recall@10 >= 0.95) with exact cosine scores", async () => {
    const index = openIndex(newFile());
    await index.upsert(docs);
    const got = await Promise.all(queries.map((q) => index.vectorSearch(q, { limit: 10 })));
    const expected = queries.map((q) => exactTop(docs, q, 10, () => true));
    expect(
      recall(
        expected,
        got.map((hits) => hits.map((h) => h.sceneId)),
      ),
    ).toBeGreaterThanOrEqual(0.95);
    const first = got[0]![0]!;
    const doc = docs.find((d) => d.sceneId === first.sceneId)!;
    expect(first.score).toBeCloseTo(dot(queries[0]!, doc.vector!), 5);
  });

  it("answers filters through the graph (over-fetch) and through the scenes indexes (few rows) alike", async () => {
    const index = openIndex(newFile());
    await index.upsert(docs);
    const filters: Array<[SceneIndexFilter, (d: SceneDocument) => boolean]> = [
      [
        { languages: ["en"], timeRange: { from: 100, to: 400 } },
        (d) => d.language === "en" && d.startTime < 400 && d.endTime > 100,
      ],
      [{ clipIds: ["clip-7"] }, (d) => d.clipId === "clip-7"],
      [{ languages: ["fr"] }, (d) => d.language === "fr"],
    ];
    for (const [filter, keep] of filters) {
      const got = await Promise.all(queries.map((q) => index.vectorSearch(q, { limit: 10, filter })));
      for (const hits of got) {
        expect(hits).toHaveLength(10);
        for (const h of hits) expect(keep(docs.find((d) => d.sceneId === h.sceneId)!)).toBe(true);
      }
      const expected = queries.map((q) => exactTop(docs, q, 10, keep));
      expect(
        recall(
          expected,
          got.map((hits) => hits.map((h) => h.sceneId)),
        ),
      ).toBeGreaterThanOrEqual(0.95);
    }
  });

  it("gives an index made with the old time index the covering one, with the same filtered answers", async () => {
    const file = newFile();
    const filter: SceneIndexFilter = { languages: ["en"], timeRange: { from: 100, to: 400 } };
    const first = openIndex(file);
    await first.upsert(docs);
    const before = await Promise.all(queries.map((q) => first.vectorSearch(q, { limit: 10, filter })));
    await first.close();
    const db = new Database(file);
    db.exec("DROP INDEX scenes_start; CREATE INDEX scenes_start ON scenes (start_time)");
    db.close();
    const reopened = openIndex(file);
    const after = await Promise.all(queries.map((q) => reopened.vectorSearch(q, { limit: 10, filter })));
    expect(after).toEqual(before);
    const check = new Database(file, { readonly: true });
    const sql = check.prepare("SELECT sql FROM sqlite_master WHERE name = 'scenes_start'").pluck().get();
    check.close();
    expect(sql).toMatch(/start_time, end_time, lang/);
  });

  it("keeps its graph on disk: a restart loads the snapshot, a damaged one is rebuilt", async () => {
    const file = newFile();
    const first = openIndex(file);
    await first.upsert(docs.slice(0, 1000));
    const before = (await first.vectorSearch(queries[0]!, { limit: 10 })).map((h) => h.sceneId);
    await first.close();
    const info = JSON.parse(fs.readFileSync(`${file}.ann.json`, "utf8")) as {
      seq: number;
      count: number;
      file: string;
    };
    expect(info.count).toBe(1000);
    expect(fs.existsSync(path.join(path.dirname(file), info.file))).toBe(true);

    const second = openIndex(file);
    await second.init();
    expect(second.syncAnn().applied).toBe(info.seq); // from the snapshot, nothing replayed
    expect((await second.vectorSearch(queries[0]!, { limit: 10 })).map((h) => h.sceneId)).toEqual(before);
    await second.close();

    fs.writeFileSync(path.join(path.dirname(file), info.file), "not a graph"); // a crash mid-write, a bad disk
    const third = openIndex(file);
    expect((await third.vectorSearch(queries[0]!, { limit: 10 })).map((h) => h.sceneId)).toEqual(before);
    expect(third.syncAnn().size).toBe(1000);
  });

  it("sees another instance's writes and deletes on the same file", async () => {
    const file = newFile();
    const writer = openIndex(file);
    const reader = openIndex(file);
    await writer.upsert(docs.slice(0, 500));
    const target = docs[1234]!;
    expect((await reader.vectorSearch(target.vector!, { limit: 1 }))[0]!.sceneId).not.toBe(target.sceneId);
    await writer.upsert([target]);
    expect((await reader.vectorSearch(target.vector!, { limit: 1 }))[0]).toMatchObject({ sceneId: target.sceneId });
    await writer.deleteClip(target.clipId);
    const after = await reader.vectorSearch(target.vector!, { limit: 20 });
    expect(after.some((h) => h.clipId === target.clipId)).toBe(false);
    // the writer saves a snapshot and forgets the deletes in it; the reader, behind it, still catches up
    writer.saveAnn();
    await writer.upsert([{ ...target, sceneId: "s-new", clipId: "clip-new" }]);
    expect((await reader.vectorSearch(target.vector!, { limit: 1 }))[0]).toMatchObject({ sceneId: "s-new" });
  });

  it("reset drops the graph and its snapshot", async () => {
    const file = newFile();
    const index = openIndex(file);
    await index.upsert(docs.slice(0, 200));
    await index.vectorSearch(queries[0]!);
    index.saveAnn();
    expect(fs.existsSync(`${file}.ann.json`)).toBe(true);
    await index.reset(MODEL.modelId, DIM);
    expect(fs.readdirSync(path.dirname(file)).some((f) => f.includes(".ann"))).toBe(false);
    expect(await index.vectorSearch(queries[0]!)).toEqual([]);
  });
});
