// `cinerag effects script.fountain --csv` through the real binary (dist/: `npm run build` first), on an
// empty archive (no references, so no reel, said in the text), and its one-line errors.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../ingest/cli-helpers.js";

let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "cinerag-effects-cli-"));
  env = { CINERAG_DATA_DIR: path.join(dir, "data"), CINERAG_OFFLINE: "1", CINERAG_MODEL_EMBEDDING: "hashing" };
  await writeFile(
    path.join(dir, "script.fountain"),
    "INT. KITCHEN - DAY\n\nMARTA\nPass the salt.\n\nEXT. HARBOUR - NIGHT\n\nA storm batters the docks, and a car crashes through the barrier, bursting into flames.\n",
  );
  await writeFile(path.join(dir, "empty.fountain"), "\n\n");
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

it("prints the effects table as CSV, one row per effect, none for the dialogue-only scene", async () => {
  const run = await runCli(["effects", path.join(dir, "script.fountain"), "--csv"], env);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const [header, ...rows] = run.stdout.trim().split("\n");
  expect(header).toBe("scene,heading,category,label,complexity,description,cues,detected_by,references");
  expect(rows.map((r) => r.split(",").slice(0, 3).join(",")).sort()).toEqual([
    "2,EXT. HARBOUR - NIGHT,EXPLOSION_FIRE",
    "2,EXT. HARBOUR - NIGHT,VEHICLE",
    "2,EXT. HARBOUR - NIGHT,WEATHER",
  ]);
});

it("says in text form that the archive gave no reel, and refuses an empty or missing script in one line", async () => {
  const text = await runCli(["effects", path.join(dir, "script.fountain")], env);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/scene 1: INT\. KITCHEN - DAY — no effects/);
  expect(text.stdout).toMatch(/no reel: no reference shots were found in the archive/);
  const empty = await runCli(["effects", path.join(dir, "empty.fountain")], env);
  expect(empty.code).toBe(2);
  expect(empty.stderr.trim().split("\n")).toHaveLength(1);
  expect(empty.stderr).toMatch(/the script is empty/);
  const missing = await runCli(["effects", path.join(dir, "nope.fountain")], env);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/cannot read the script/);
});
