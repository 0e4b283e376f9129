// The keyword thread of embedded.scene-index.ts: the keyword side of a large index's language-filtered hybrid
// searches, on a connection of its own to the same file, while the main thread searches the ANN graph
// (better-sqlite3 reads synchronously, so on one thread the two sides ran one after the other).
import { workerData } from "node:worker_threads";
import { serveRequests } from "../util/worker-client.js";
import {
  EmbeddedSceneIndex,
  type EmbeddedSceneIndexOptions,
  type KeywordThreadRequest,
} from "./embedded.scene-index.js";
import type { SceneHit } from "./scene-index.port.js";

const index = new EmbeddedSceneIndex(workerData as EmbeddedSceneIndexOptions);

serveRequests<KeywordThreadRequest, SceneHit[]>((request) =>
  index.keywordRanked(request.query, request.depth, request.filter),
);
