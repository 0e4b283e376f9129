import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EmbeddedSceneIndex } from "../../../src/search/embedded.scene-index.js";
import { sceneIndexContract } from "./scene-index.contract.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cinerag-search-"));

sceneIndexContract("embedded (SQLite FTS5 + HNSW)", {
  open(key, model) {
    return Promise.resolve(new EmbeddedSceneIndex({ file: path.join(dir, key, "search.db"), model }));
  },
  cleanup() {
    fs.rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  },
});

// The same contract with every kNN through the ANN graph (candidates re-scored exactly, filters by
// over-fetching) and every filtered keyword search through the postings with candidates checked against the
// filter, which a real index uses once it holds more vectors than exactMax (and filters select more than
// filterExactMax scenes).
sceneIndexContract("embedded, kNN through the ANN graph", {
  open(key, model) {
    return Promise.resolve(
      new EmbeddedSceneIndex({
        file: path.join(dir, `ann-${key}`, "search.db"),
        model,
        exactMax: 0,
        filterExactMax: 0,
      }),
    );
  },
  cleanup() {
    fs.rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  },
});
