import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EmbeddedSceneIndex } from "../../../src/search/embedded.scene-index.js";
import { sceneIndexContract } from "./scene-index.contract.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cinerag-search-"));

sceneIndexContract("embedded (SQLite FTS5 + sqlite-vec)", {
  async open(key, model) {
    return new EmbeddedSceneIndex({ file: path.join(dir, key, "search.db"), model });
  },
  async cleanup() {
    fs.rmSync(dir, { recursive: true, force: true });
  },
});

// The same contract with kNN on the worker threads (read-only connections, partitioned scan), which a
// real index uses from 20k vectors on.
sceneIndexContract("embedded, kNN on worker threads", {
  async open(key, model) {
    return new EmbeddedSceneIndex({
      file: path.join(dir, `workers-${key}`, "search.db"),
      model,
      knnThreads: 2,
      parallelKnnMin: 0,
    });
  },
  async cleanup() {
    fs.rmSync(dir, { recursive: true, force: true });
  },
});
