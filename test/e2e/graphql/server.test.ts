// The real server on a free port, with real clients: HTTP queries, the playground, keyframes, health, the
// abusive-query set and transport-level protection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedClip, type SeededClip } from "../../integration/graphql/helpers/seed.js";
import { startTestServer, type GqlBody, type TestServer } from "./helpers.js";

let t: TestServer;
let clip: SeededClip;

beforeAll(async () => {
  t = await startTestServer({
    CINERAG_GRAPHQL_MAX_DEPTH: "10",
    CINERAG_GRAPHQL_MAX_ALIASES: "5",
    CINERAG_GRAPHQL_MAX_TOKENS: "800",
    CINERAG_GRAPHQL_MAX_COST: "1000",
    CINERAG_GRAPHQL_BODY_LIMIT: "16384",
  });
  clip = await seedClip(t.app.prisma, t.app.config, { title: "Harbour", scenes: 3, jpegs: true });
});
afterAll(async () => {
  await t?.stop();
});

describe("HTTP", () => {
  it("answers queries and echoes a request id", async () => {
    const r = await t.gql(`{ clips { totalCount nodes { title scenes { totalCount } } } }`, undefined, {
      "x-request-id": "my-req-1",
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      data: { clips: { totalCount: 1, nodes: [{ title: "Harbour", scenes: { totalCount: 3 } }] } },
    });
    expect(r.headers.get("x-request-id")).toBe("my-req-1");
    const other = await t.gql(`{ __typename }`);
    expect(other.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("returns absolute keyframe URLs that serve the JPEG", async () => {
    const r = await t.gql<{ keyframes: { nodes: Array<{ url: string }> } }>(
      `{ keyframes(first: 1) { nodes { url } } }`,
    );
    const url: string = r.body.data!.keyframes.nodes[0]!.url;
    expect(url).toBe(`${t.origin}/keyframes/${clip.clipId}/000000.jpg`);
    const img = await fetch(url);
    expect(img.status).toBe(200);
    expect(img.headers.get("content-type")).toBe("image/jpeg");
    const bytes = Buffer.from(await img.arrayBuffer());
    expect(bytes.subarray(0, 2).toString("hex")).toBe("ffd8");
  });

  it("serves nothing outside the keyframe folder", async () => {
    for (const p of [
      `/keyframes/${clip.clipId}/..%2F..%2Fcinerag.db`,
      `/keyframes/..%2Fcinerag.db`,
      `/keyframes/%2e%2e/%2e%2e/cinerag.db`,
      `/keyframes/${clip.clipId}/.hidden.jpg`,
      `/keyframes/${clip.clipId}/000000.png`,
      `/keyframes/${clip.clipId}/nope.jpg`,
      `/keyframes/cinerag.db`,
    ]) {
      const res = await fetch(`${t.origin}${p}`);
      expect(res.status, p).toBe(404);
    }
  });

  it("has health and readiness endpoints", async () => {
    const h = await fetch(`${t.origin}/healthz`);
    expect(h.status).toBe(200);
    const r = await fetch(`${t.origin}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: "ready", checks: { database: "ok" } });
  });

  it("serves an offline playground to browsers: no external scripts or styles", async () => {
    const res = await fetch(t.server.url, { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).toContain("<title>cinerag</title>");
    expect(html).not.toMatch(/<script[^>]*\bsrc\s*=/i);
    expect(html).not.toMatch(/<link[^>]*rel=["']?stylesheet[^>]*href=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import\s+(url\()?["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/(unpkg\.com|jsdelivr|cdnjs|googleapis|apollographql\.com\/embeddable)/);
    expect(html).toContain('"subscriptionsProtocol":"WS"');
    expect(html).toContain("subscription JobProgress");
  });

  it("keeps Apollo's codes for request errors", async () => {
    const syntax = await t.gql(`{ clips { `);
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors![0]!.extensions!.code).toBe("GRAPHQL_PARSE_FAILED");
    const invalid = await t.gql(`{ clips { nope } }`);
    expect(invalid.body.errors![0]!.extensions!.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const variables = await t.gql(`query($n: Int) { clips(first: $n) { totalCount } }`, { n: "x" });
    expect(variables.body.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
    const domain = await t.gql(`{ clip(id: "Zm9v") { id } }`);
    expect(domain.body.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
    expect(domain.body.errors![0]!.extensions!.stacktrace).toBeUndefined();
  });

  it("prevents CSRF: simple requests are refused", async () => {
    const get = await fetch(`${t.server.url}?query=${encodeURIComponent("{ __typename }")}`);
    expect(get.status).toBe(400);
    const form = await fetch(t.server.url, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(form.status).toBe(400);
    const preflighted = await fetch(`${t.server.url}?query=${encodeURIComponent("{ __typename }")}`, {
      headers: { "apollo-require-preflight": "1" },
    });
    expect(await preflighted.json()).toEqual({ data: { __typename: "Query" } });
  });
});

describe("abusive operations are rejected before execution", () => {
  let nested = "startTime";
  for (let i = 0; i < 5; i++) nested = `clip { scenes { nodes { ${nested} } } }`;
  const deep = `{ scenes { nodes { ${nested} } } }`; // depth 18
  const aliased = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: clips { totalCount }`).join(" ")} }`;
  const heavy =
    "nodes { startTime endTime text clip { title duration } shots { nodes { startTime transition keyframe { url brightness palette { hex share } shot { scene { text startTime } } } } } cues { nodes { text speaker track { language } } } }";
  const wide = `{ a: scenes { ${heavy} } b: scenes(last: 5) { ${heavy} } c: scenes(first: 3) { ${heavy} } }`;
  const tokens = `{ clips { ${"totalCount ".repeat(900)} } }`;
  const directives = `{ clips @skip(if: false) @include(if: true) { totalCount @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) } }`;

  it.each([
    ["deep", deep, /depth/i],
    ["aliased", aliased, /alias/i],
    ["wide (cost)", wide, /cost|alias/i],
    ["too many tokens", tokens, /tokens/i],
    ["too many directives", directives, /directive/i],
  ])("%s", async (_name, query, message) => {
    const r = await t.gql(query);
    expect(r.status).toBe(400);
    expect(r.body.data).toBeUndefined(); // never executed
    const errors = r.body.errors as Array<{ message: string; extensions: { code: string } }>;
    expect(errors.map((e) => e.message).join("\n")).toMatch(message);
    for (const e of errors)
      expect(e.extensions.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED|GRAPHQL_PARSE_FAILED/);
  });

  it("batched", async () => {
    const r = await t.post([{ query: "{ __typename }" }, { query: "{ __typename }" }]);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/batch/i);
  });

  it("oversized", async () => {
    const r = await t.post<GqlBody<unknown>>({
      query: `{ clips { totalCount } }`,
      variables: { pad: "x".repeat(20_000) },
    });
    expect(r.status).toBe(413);
    expect(r.body.errors![0]!.extensions!.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("the same limits apply over WebSocket", async () => {
    const { wsCollect } = await import("./helpers.js");
    const client = t.ws();
    for (const [query, message] of [
      [deep, /depth/i],
      [aliased, /alias/i],
      [tokens, /token/i],
    ] as const) {
      const { results, error } = await wsCollect(client, query);
      expect(results).toEqual([]);
      const errors = error as Array<{ message: string; extensions?: { code?: string } }>;
      expect(errors.map((e) => e.message).join("\n")).toMatch(message);
      for (const e of errors)
        expect(e.extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED|GRAPHQL_PARSE_FAILED/);
    }
    const ok = await wsCollect(client, `{ clips { totalCount } }`);
    expect(ok.results).toEqual([{ data: { clips: { totalCount: 1 } } }]);
  });
});
