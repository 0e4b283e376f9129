// The keyword thread of embedded.scene-index.ts: its share of the keyword side of a large index's hybrid
// searches, on a connection of its own to the same file, while the main thread searches the graph and scores
// the other share (better-sqlite3 reads synchronously: on one thread the parts of a search wait for each other).
import { workerData } from "node:worker_threads";
import { serveRequests } from "../util/worker-client.js";
import {
  EmbeddedSceneIndex,
  type EmbeddedSceneIndexOptions,
  type KeywordThreadRequest,
} from "./embedded.scene-index.js";
import type { KeywordPart } from "./impact.keyword-index.js";

const index = new EmbeddedSceneIndex(workerData as EmbeddedSceneIndexOptions);

serveRequests<KeywordThreadRequest, KeywordPart>((request) =>
  index.keywordPart(request.query, request.depth, request.filter, request.share),
);
