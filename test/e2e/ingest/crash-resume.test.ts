// kill -9 at any moment, then the same command again, ends with exactly what a clean run stores.
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { generateClip, tempDir, threeSceneSpec } from "../../fixtures/media.js";
import { killIngestDuring, runCli } from "./cli-helpers.js";
import { snapshot } from "./db-snapshot.js";

let dir: string;
let clip: string;

beforeAll(async () => {
  dir = await tempDir();
  // Larger frames and a longer clip than elsewhere, so that each stage lasts long enough to be hit.
  const spec = threeSceneSpec("crash").spec;
  spec.width = 640;
  spec.height = 360;
  spec.shots = [
    ...spec.shots,
    ...spec.shots.map((s) => ({ ...s, angle: s.angle === "left" ? ("top" as const) : ("bottom" as const) })),
  ];
  clip = await generateClip(dir, spec);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts an ingest and SIGKILLs it when its debug log reports `stage` at or past `percent`. */
function killDuring(dataDir: string, stage: string, percent: number): Promise<{ killed: boolean }> {
  return killIngestDuring(clip, { CINERAG_DATA_DIR: dataDir, CINERAG_DECODE_WIDTH: "480" }, stage, percent);
}

async function keyframeNames(dataDir: string): Promise<string[]> {
  const root = path.join(dataDir, "keyframes");
  const clips = await readdir(root);
  const names = await Promise.all(clips.map(async (c) => (await readdir(path.join(root, c))).map((f) => f)));
  return names.flat().sort();
}

it("resumes after kill -9 in every stage and stores exactly what a clean run stores", async () => {
  const clean = path.join(dir, "clean");
  const ok = await runCli(["ingest", "--json", clip], { CINERAG_DATA_DIR: clean, CINERAG_DECODE_WIDTH: "480" });
  expect(ok.code).toBe(0);
  const expected = snapshot(path.join(clean, "cinerag.db"));
  expect(expected.shots.length).toBeGreaterThan(10);

  const crashed = path.join(dir, "crashed");
  const points: Array<[string, number]> = [
    ["probe", 0],
    ["subtitles", 100],
    ["shots", 10],
    ["shots", 60],
    ["scenes", 0],
    ["store", 0],
  ];
  let kills = 0;
  for (const [stage, percent] of points) {
    const { killed } = await killDuring(crashed, stage, percent);
    if (killed) kills++;
    // After any crash the clip is either absent or READY, never half there.
    const state = snapshot(path.join(crashed, "cinerag.db"));
    const ready = state.clips.filter((c) => c.status === "READY").length;
    if (ready === 0) {
      expect(state.shots).toHaveLength(0);
      expect(state.cues).toHaveLength(0);
      expect(state.scenes).toHaveLength(0);
    } else {
      break;
    }
  }
  expect(kills).toBeGreaterThanOrEqual(4);

  const again = await runCli(["ingest", "--json", clip], { CINERAG_DATA_DIR: crashed, CINERAG_DECODE_WIDTH: "480" });
  expect(again.code).toBe(0);
  expect(snapshot(path.join(crashed, "cinerag.db"))).toEqual(expected);
  expect(await keyframeNames(crashed)).toEqual(await keyframeNames(clean));
});
