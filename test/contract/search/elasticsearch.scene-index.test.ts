// Needs a cluster: `docker compose up -d elasticsearch` then ELASTICSEARCH_URL=http://localhost:9200.
import { Client } from "@elastic/elasticsearch";
import { describe } from "vitest";
import { ElasticsearchSceneIndex } from "../../../src/search/elasticsearch.scene-index.js";
import { sceneIndexContract } from "./scene-index.contract.js";

const url = process.env.ELASTICSEARCH_URL;
if (!url)
  console.warn(
    "[skip] Elasticsearch contract tests: set ELASTICSEARCH_URL (e.g. http://localhost:9200 after `docker compose up -d`)",
  );

describe.skipIf(!url)("Elasticsearch SceneIndex (ELASTICSEARCH_URL unset: skipped)", () => {
  const prefix = `cinerag-test-${process.pid}`;
  const admin = new Client({ node: url ?? "http://localhost:9200" });
  sceneIndexContract("elasticsearch", {
    open(key, model) {
      return Promise.resolve(
        new ElasticsearchSceneIndex({ node: url!, index: `${prefix}-${key}`.toLowerCase(), model }),
      );
    },
    async cleanup() {
      await admin.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
      await admin.indices.deleteIndexTemplate({ name: `${prefix}-*` }).catch(() => undefined);
      await admin.close();
    },
  });
});
