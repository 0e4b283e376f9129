// What can be checked without a cluster: the template, the filters and the error mapping.
import { describe, expect, it } from "vitest";
import {
  ElasticsearchSceneIndex,
  esFilter,
  sceneIndexTemplate,
} from "../../../src/search/elasticsearch.scene-index.js";

describe("ElasticsearchSceneIndex without a cluster", () => {
  it("maps an unreachable cluster to SEARCH_UNAVAILABLE and ping to false", async () => {
    const index = new ElasticsearchSceneIndex({
      node: "http://127.0.0.1:1",
      model: { modelId: "m", dimension: 8 },
      requestTimeoutMs: 2000,
    });
    expect(await index.ping()).toBe(false);
    await expect(index.init()).rejects.toMatchObject({ code: "SEARCH_UNAVAILABLE" });
    await expect(index.keywordSearch("x")).rejects.toMatchObject({ code: "SEARCH_UNAVAILABLE" });
    await expect(index.upsert([], { refresh: "wait_for" })).rejects.toMatchObject({ code: "SEARCH_UNAVAILABLE" });
    await index.close();
  });

  it("builds a template with per-language sub-fields, int8_hnsw cosine vectors and the model in _meta", () => {
    const t = sceneIndexTemplate("scenes", { modelId: "e5", dimension: 384 }, "2025-01-01T00:00:00.000Z");
    expect(t.index_patterns).toEqual(["scenes"]);
    const p = t.template.mappings.properties;
    expect(p.vector).toEqual({
      type: "dense_vector",
      dims: 384,
      index: true,
      similarity: "cosine",
      index_options: { type: "int8_hnsw" },
    });
    expect(p.text).toMatchObject({
      analyzer: "cinerag_standard",
      fields: { en: { analyzer: "cinerag_english" }, cjk: { analyzer: "cjk" } },
    });
    expect(p.clipId).toEqual({ type: "keyword" });
    expect(t.template.mappings._meta).toMatchObject({ modelId: "e5", dimension: 384 });
  });

  it("translates filters to keyword terms and range overlap", () => {
    expect(esFilter({ clipIds: ["a"], languages: ["zh-Hant"], timeRange: { from: 10, to: 20 } })).toEqual([
      { terms: { clipId: ["a"] } },
      { terms: { lang: ["zh"] } },
      { range: { startTime: { lt: 20 } } },
      { range: { endTime: { gt: 10 } } },
    ]);
  });
});
