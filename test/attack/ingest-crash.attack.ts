// kill -9 trials of the ingest, and two ingests of the same file at once (issue 15, item 7): after every
// kill the database is intact with the clip absent or READY; the same command again stores exactly what a
// clean run stores; of two concurrent ingests one does the work and the other joins it, with no raw
// database error in either's output.
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { generateClip, tempDir, threeSceneSpec } from "../fixtures/media.js";
import { killIngestDuring } from "../e2e/ingest/cli-helpers.js";
import { snapshot } from "../e2e/ingest/db-snapshot.js";
import { databaseIntact, runCliMeasured } from "./helpers/cli-process.js";
import { runCases } from "./helpers/record.js";

let dir: string;
let clip: string;
const ENV = { CINERAG_ENRICH: "none", CINERAG_OFFLINE: "1", CINERAG_DECODE_WIDTH: "160" };
// the enrichment is where two concurrent ingests raced (foreign keys, lock time-outs): the lexicon step runs
const CONCURRENT_ENV = { ...ENV, CINERAG_ENRICH: "emotion" };

beforeAll(async () => {
  dir = await tempDir("cinerag-attack-crash-");
  // the first scene only (10.8 s): each trial is two ingests, and the suite runs on two cores
  const spec = threeSceneSpec("attack-crash").spec;
  spec.shots = spec.shots.slice(0, 4);
  spec.subtitles = spec.subtitles?.map((t) => ({ ...t, cues: t.cues.filter((c) => c.end < 10.8) }));
  clip = await generateClip(dir, spec);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("kill -9 at every stage, then the same command again", async () => {
  const clean = path.join(dir, "clean");
  const ok = await runCliMeasured(["ingest", "--json", clip], { ...ENV, CINERAG_DATA_DIR: clean });
  expect(ok.code, ok.stderr).toBe(0);
  const expected = snapshot(path.join(clean, "cinerag.db"));
  const points: Array<[string, number]> = [
    ["probe", 0],
    ["subtitles", 100],
    ["shots", 0],
    ["scenes", 0],
    ["store", 0],
  ];
  let kills = 0;
  const failures = await runCases(
    "kill -9 during ingest (5 stages, then resume)",
    points,
    async ([stage, percent], i) => {
      const dataDir = path.join(dir, `crash-${i}`);
      const env = { ...process.env, ...ENV, CINERAG_DATA_DIR: dataDir } as Record<string, string>;
      const { killed } = await killIngestDuring(clip, env, stage, percent);
      if (killed) kills++;
      const state = databaseIntact(path.join(dataDir, "cinerag.db"));
      expect(state.ok, state.why).toBe(true);
      const again = await runCliMeasured(["ingest", "--json", clip], { ...ENV, CINERAG_DATA_DIR: dataDir });
      expect(again.code, again.stderr).toBe(0);
      expect(snapshot(path.join(dataDir, "cinerag.db"))).toEqual(expected);
    },
    () => `${kills} of ${points.length} runs killed mid-stage`,
  );
  expect(failures).toEqual([]);
  expect(kills).toBeGreaterThanOrEqual(3);
});

it("two ingests of the same file at once: one does it, the other joins", async () => {
  const trials = [0, 1];
  let did = 0;
  let joined = 0;
  const failures = await runCases(
    "concurrent ingests of one file (2 trials)",
    trials,
    async (t) => {
      const dataDir = path.join(dir, `concurrent-${t}`);
      const env = { ...CONCURRENT_ENV, CINERAG_DATA_DIR: dataDir, CINERAG_LOG_LEVEL: "info" };
      const runs = await Promise.all([
        runCliMeasured(["ingest", "--json", clip], env),
        runCliMeasured(["ingest", "--json", clip], env),
      ]);
      for (const r of runs) {
        // the message keeps one line (helpers/record.ts): the error's, the last one, not the first log line
        expect(r.code, r.stderr.trim().split("\n").pop()).toBe(0);
        expect(r.stderr).not.toMatch(/prisma|invocation|\n\s+at /i);
      }
      const clips = runs.map(
        (r) => (JSON.parse(r.stdout) as { clip: { alreadyIngested: boolean; joined?: boolean } }).clip,
      );
      did += clips.filter((c) => !c.alreadyIngested).length;
      joined += clips.filter((c) => c.alreadyIngested && c.joined).length;
      expect(clips.filter((c) => !c.alreadyIngested)).toHaveLength(1);
      expect(clips.filter((c) => c.alreadyIngested && c.joined)).toHaveLength(1);
      const state = databaseIntact(path.join(dataDir, "cinerag.db"));
      expect(state.ok, state.why).toBe(true);
      expect(state.clips).toBe(1);
    },
    () => `${did} ingested, ${joined} joined, no raw database error`,
  );
  expect(failures).toEqual([]);
});
