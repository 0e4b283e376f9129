// The air-gapped path, one command each way (issue 13): `cinerag models pack <file>` where the models are on
// disk, `cinerag models unpack <file>` on a machine with an empty cache and CINERAG_OFFLINE=1; the unpacked
// embedding model then runs (real onnxruntime inference on a tiny generated model with the real
// architecture's inputs and outputs). A damaged or hostile archive is refused with one line and changes
// nothing. Runs the built binary (npm test builds first).
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import * as tar from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../e2e/ingest/cli-helpers.js";
import { tempDir } from "../../fixtures/media.js";
import {
  TINY_EMBEDDING_DIMENSION,
  writeTinyEmbeddingModel,
  writeTinyEmotionModel,
} from "../../fixtures/tiny-models.js";
import { ModelRegistry } from "../../../src/models/model-registry.js";
import { DEFAULT_MODELS } from "../../../src/models/model-registry.js";

let dir: string;
let archive: string;
const EMBEDDING = DEFAULT_MODELS.embedding.id;
const EMOTION = DEFAULT_MODELS.emotion.id;
const source = () => ({ CINERAG_DATA_DIR: path.join(dir, "online"), CINERAG_OFFLINE: "1" });
const target = (name: string) => ({ CINERAG_DATA_DIR: path.join(dir, name), CINERAG_OFFLINE: "1" });
const cacheOf = (name: string) => path.join(dir, name, "models");

interface ListRow {
  task: string;
  model: string;
  state: string;
}
const states = async (env: Record<string, string>) => {
  const r = await runCli(["models", "list", "--json"], env);
  expect(r.code).toBe(0);
  return Object.fromEntries((JSON.parse(r.stdout) as ListRow[]).map((row) => [row.task, row.state]));
};

beforeAll(async () => {
  dir = await tempDir("cinerag-models-pack-");
  // what `models pull` leaves in the cache of an online machine: the hub ids' folders
  await writeTinyEmbeddingModel(path.join(cacheOf("online"), EMBEDDING));
  await writeTinyEmotionModel(path.join(cacheOf("online"), EMOTION));
  archive = path.join(dir, "models.tar");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("cinerag models pack / unpack", () => {
  it("packs the models on disk and says what it left out", async () => {
    const r = await runCli(["models", "pack", archive], source());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^embedding: ${EMBEDDING} packed \\(\\d+ files`, "m"));
    expect(r.stdout).toMatch(new RegExp(`^emotion: ${EMOTION} packed`, "m"));
    expect(r.stderr).toMatch(/^cinerag: caption: \S+ not packed: not on disk$/m);
    expect(existsSync(archive)).toBe(true);
    // no partial file left beside it
    expect(readdirSync(dir).filter((f) => f.includes(".partial-"))).toEqual([]);
  });

  it("a task named on the command line that is not on disk is an error, and no archive is written", async () => {
    const file = path.join(dir, "asr.tar");
    const r = await runCli(["models", "pack", file, "asr"], source());
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/not on disk: asr .*cinerag models pull asr/);
    expect(existsSync(file)).toBe(false);
  });

  it("unpacks offline into an empty cache: the models are present, verified, and run", async () => {
    expect((await states(target("offline"))).embedding).toBe("unavailable");
    const r = await runCli(["models", "unpack", archive], target("offline"));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^embedding: ${EMBEDDING} installed \\(.*sha256 verified\\)$`, "m"));
    const after = await states(target("offline"));
    expect(after.embedding).toBe("present");
    expect(after.emotion).toBe("present");
    // no staging folder left in the cache
    expect(readdirSync(cacheOf("offline")).filter((f) => f.startsWith("."))).toEqual([]);
    const registry = new ModelRegistry({ overrides: {}, cacheDir: cacheOf("offline"), offline: true, batchSize: 8 });
    try {
      const embedder = registry.embedder();
      const [v] = await embedder.embed(["the ship in the storm"], "query");
      expect(embedder.provenance).toMatchObject({ method: "model", model: EMBEDDING });
      expect(v).toHaveLength(TINY_EMBEDDING_DIMENSION);
    } finally {
      await registry.dispose();
    }
    // again over the installed copy: replaced, still present
    const again = await runCli(["models", "unpack", archive], target("offline"));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/replaced the copy on disk/);
  });

  it("a damaged archive (one flipped byte in a weight file) is refused and changes nothing", async () => {
    const bytes = await readFile(archive);
    // the ONNX weights are the largest file: flip a byte inside its content, well past its tar header
    const at = bytes.indexOf(Buffer.from("model.onnx")) + 2048;
    const damaged = Buffer.from(bytes);
    damaged[at] = damaged[at]! ^ 0xff;
    const file = path.join(dir, "damaged.tar");
    await writeFile(file, damaged);
    const r = await runCli(["models", "unpack", file], target("damaged"));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^cinerag: model pack is damaged: .* failed the sha256 check/);
    expect((await states(target("damaged"))).embedding).toBe("unavailable");
    expect(readdirSync(cacheOf("damaged"))).toEqual([]);
  });

  it("an archive with a path out of the cache, a link or no index is refused and writes nothing outside", async () => {
    const evil = path.join(dir, "evil");
    await mkdir(path.join(evil, "models"), { recursive: true });
    await writeFile(path.join(evil, "cinerag-pack.json"), '{"format":"cinerag-models/1","models":[]}');
    await writeFile(path.join(dir, "outside.txt"), "x");
    const file = path.join(dir, "evil.tar");
    // preservePaths keeps the "../" in the entry's name, as a hostile archive would
    await tar.create({ file, cwd: evil, preservePaths: true }, ["cinerag-pack.json", "../outside.txt"]);
    await rm(path.join(dir, "outside.txt"));
    const r = await runCli(["models", "unpack", file], target("evil"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cinerag: not a model pack: it holds .*outside\.txt/);
    expect(existsSync(path.join(dir, "outside.txt"))).toBe(false);
    expect(existsSync(path.join(cacheOf("evil"), "..", "outside.txt"))).toBe(false);

    const notTar = path.join(dir, "not.tar");
    await writeFile(notTar, "this is not an archive at all\n".repeat(40));
    const bad = await runCli(["models", "unpack", notTar], target("evil"));
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/^cinerag: not a readable model pack: /);
    expect(readdirSync(cacheOf("evil"))).toEqual([]);
  });
});
