// The HTTP layer itself (Fastify since issue 16), on a real server with a raw node:http client, so that
// bodies, headers and URLs reach the server exactly as written: the body limit (with and without a
// Content-Length), bodies that are not JSON, the CSRF rule for every "simple" content type, request ids on
// every kind of answer, URLs that do not decode, unknown routes, the reel route under a dot data
// directory, and a close that does not wait for idle keep-alive or WebSocket clients.
import { mkdir, writeFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedClip, tempDataDir, type SeededClip } from "../../integration/graphql/helpers/seed.js";
import { startTestServer, wsCollect, type TestServer } from "./helpers.js";

const LIMIT = 4096;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json<T = { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>(): T;
}

/** One request as written; `chunks` are sent without a Content-Length (chunked transfer encoding). */
function raw(
  origin: string,
  method: string,
  urlPath: string,
  opts: { headers?: Record<string, string>; body?: string; chunks?: string[]; agent?: http.Agent } = {},
): Promise<RawResponse> {
  const u = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: urlPath, method, headers: opts.headers, agent: opts.agent },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (d: Buffer) => parts.push(d));
        res.on("end", () => {
          const text = Buffer.concat(parts).toString("utf8");
          resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) as never });
        });
      },
    );
    req.on("error", reject);
    if (opts.chunks) for (const c of opts.chunks) req.write(c);
    else if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const JSON_TYPE = { "content-type": "application/json" };
/** a body of exactly `bytes` bytes: `{ __typename }` padded in a variable */
function bodyOf(bytes: number): string {
  const empty = JSON.stringify({ query: "{ __typename }", variables: { pad: "" } });
  return JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(bytes - empty.length) } });
}

let t: TestServer;
let clip: SeededClip;
let dataDir: string;

beforeAll(async () => {
  // a data directory whose own name starts with a dot, as the default ./.cinerag does
  dataDir = path.join(await tempDataDir("cinerag-http-"), ".cinerag");
  await mkdir(dataDir);
  t = await startTestServer({ CINERAG_GRAPHQL_BODY_LIMIT: String(LIMIT) }, { dir: dataDir });
  clip = await seedClip(t.app.prisma, t.app.config, { title: "Harbour", scenes: 1, jpegs: true });
});
afterAll(async () => {
  await t?.stop();
});

describe("body limit", () => {
  it("takes a body of exactly the limit and refuses one byte more, with or without a Content-Length", async () => {
    const atLimit = bodyOf(LIMIT);
    expect(Buffer.byteLength(atLimit)).toBe(LIMIT);
    const ok = await raw(t.origin, "POST", "/graphql", { headers: JSON_TYPE, body: atLimit });
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual({ data: { __typename: "Query" } });

    const over = bodyOf(LIMIT + 1);
    for (const sent of [{ body: over }, { chunks: [over.slice(0, 1000), over.slice(1000)] }]) {
      const r = await raw(t.origin, "POST", "/graphql", { headers: JSON_TYPE, ...sent });
      expect(r.status).toBe(413);
      const error = r.json().errors![0]!;
      expect(error.message).toBe(`the request body is larger than the limit of ${LIMIT} bytes`);
      expect(error.extensions).toEqual({ code: "PAYLOAD_TOO_LARGE", requestId: r.headers["x-request-id"] });
    }
  });
});

describe("bodies that are not a GraphQL request", () => {
  it.each([
    ["broken JSON", "{nope"],
    ["a JSON string", '"{ __typename }"'],
    ["JSON null", "null"],
  ])("%s: 400 BAD_REQUEST", async (_name, body) => {
    const r = await raw(t.origin, "POST", "/graphql", { headers: JSON_TYPE, body });
    expect(r.status).toBe(400);
    expect(r.json().errors).toEqual([
      {
        message: "the request body is not valid JSON",
        extensions: { code: "BAD_REQUEST", requestId: r.headers["x-request-id"] },
      },
    ]);
  });

  it("an empty JSON body is Apollo's 'POST body missing'", async () => {
    const r = await raw(t.origin, "POST", "/graphql", { headers: JSON_TYPE, body: "" });
    expect(r.status).toBe(400);
    expect(r.json().errors![0]!.message).toMatch(/POST body missing/);
  });

  it("a charset other than UTF-8 is refused (415), UTF-8 spelled either way is read", async () => {
    const query = JSON.stringify({ query: "{ __typename }" });
    const utf16 = await raw(t.origin, "POST", "/graphql", {
      headers: { "content-type": "application/json; charset=utf-16" },
      body: query,
    });
    expect(utf16.status).toBe(415);
    expect(utf16.json().errors![0]!.message).toMatch(/charset "UTF-16"/);
    for (const charset of ["utf-8", "UTF8", '"utf-8"']) {
      const r = await raw(t.origin, "POST", "/graphql", {
        headers: { "content-type": `application/json; charset=${charset}` },
        body: query,
      });
      expect(r.status, charset).toBe(200);
    }
  });
});

describe("CSRF rule", () => {
  it.each([
    ["text/plain", { "content-type": "text/plain" }],
    ["a form", { "content-type": "application/x-www-form-urlencoded" }],
    ["multipart", { "content-type": "multipart/form-data; boundary=x" }],
    ["no content type", {}],
  ])("refuses a simple POST (%s) before reading it", async (_name, headers) => {
    // a mutation that would change something if it ran: the clip must still be there afterwards
    const mutation = JSON.stringify({ query: `mutation { deleteClip(id: "${clip.clipId}") { __typename } }` });
    const r = await raw(t.origin, "POST", "/graphql", { headers, body: mutation });
    expect(r.status).toBe(400);
    expect(r.json().errors![0]!.message).toMatch(/CSRF/);
    expect(r.headers["x-request-id"]).toMatch(UUID);
    const still = await t.gql<{ clips: { totalCount: number } }>(`{ clips { totalCount } }`);
    expect(still.body.data!.clips.totalCount).toBe(1);
  });

  it("answers a GET query only with a preflight header or a JSON content type", async () => {
    const url = `/graphql?query=${encodeURIComponent("{ __typename }")}`;
    expect((await raw(t.origin, "GET", url, { headers: { accept: "application/json" } })).status).toBe(400);
    for (const headers of [{ "apollo-require-preflight": "1" }, JSON_TYPE]) {
      const r = await raw(t.origin, "GET", url, { headers });
      expect(r.status).toBe(200);
      expect(r.json()).toEqual({ data: { __typename: "Query" } });
    }
  });
});

describe("request ids", () => {
  it("echoes a plain client id and replaces anything else with a UUID", async () => {
    const body = JSON.stringify({ query: "{ __typename }" });
    const echoed = await raw(t.origin, "POST", "/graphql", {
      headers: { ...JSON_TYPE, "x-request-id": "abc.1:2-3_x" },
      body,
    });
    expect(echoed.headers["x-request-id"]).toBe("abc.1:2-3_x");
    for (const given of ["has space", "x".repeat(101), "<script>", ""]) {
      const r = await raw(t.origin, "POST", "/graphql", { headers: { ...JSON_TYPE, "x-request-id": given }, body });
      expect(r.headers["x-request-id"], given).toMatch(UUID);
    }
  });

  it("are on every answer: health, files, not found, a URL that does not decode", async () => {
    for (const urlPath of [
      "/healthz",
      "/readyz",
      `/keyframes/${clip.clipId}/000000.jpg`,
      "/nope",
      `/keyframes/${clip.clipId}/%E0%A4%A.jpg`,
    ]) {
      const r = await raw(t.origin, "GET", urlPath, { headers: { "x-request-id": "rid-7" } });
      expect(r.headers["x-request-id"], urlPath).toBe("rid-7");
    }
  });
});

describe("routes", () => {
  it("a URL that does not decode, or names no route, is a plain 404", async () => {
    for (const urlPath of [`/keyframes/${clip.clipId}/%E0%A4%A.jpg`, "/nope", "/graphql%E0"]) {
      const r = await raw(t.origin, "GET", urlPath);
      expect(r.status, urlPath).toBe(404);
      expect(r.headers["content-type"]).toMatch(/^text\/plain/);
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(r.text).toBe("not found");
    }
  });

  it("a missing keyframe's 404 is not cacheable; a served one is", async () => {
    const missing = await raw(t.origin, "GET", `/keyframes/${clip.clipId}/999999.jpg`);
    expect(missing.status).toBe(404);
    expect(missing.headers["cache-control"]).toBeUndefined();
    const served = await raw(t.origin, "GET", `/keyframes/${clip.clipId}/000000.jpg`);
    expect(served.status).toBe(200);
    expect(served.headers["cache-control"]).toBe("public, max-age=3600");
  });

  it("serves /graphql/ like /graphql, and tells other methods which ones Apollo takes", async () => {
    const r = await raw(t.origin, "POST", "/graphql/", {
      headers: JSON_TYPE,
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(r.json()).toEqual({ data: { __typename: "Query" } });
    const put = await raw(t.origin, "PUT", "/graphql", {
      headers: JSON_TYPE,
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe("GET, POST");
  });

  it("serves a reel from a data directory whose name starts with a dot, and no dot file in it", async () => {
    const reels = path.join(dataDir, "reels");
    await mkdir(reels, { recursive: true });
    await writeFile(path.join(reels, "breakdown-1.mp4"), Buffer.from("not really an mp4"));
    await writeFile(path.join(reels, ".secret.mp4"), Buffer.from("hidden"));
    const r = await raw(t.origin, "GET", "/reels/breakdown-1.mp4");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("video/mp4");
    expect(r.text).toBe("not really an mp4");
    const ranged = await raw(t.origin, "GET", "/reels/breakdown-1.mp4", { headers: { range: "bytes=0-2" } });
    expect(ranged.status).toBe(206);
    expect(ranged.text).toBe("not");
    for (const p of ["/reels/.secret.mp4", "/reels/%2Esecret.mp4", "/reels/..%2Freels%2F.secret.mp4"])
      expect((await raw(t.origin, "GET", p)).status, p).toBe(404);
  });
});

describe("close", () => {
  it("does not wait for an idle keep-alive connection or an open WebSocket", async () => {
    const own = await startTestServer({}, { dir: await tempDataDir("cinerag-http-close-") });
    const agent = new http.Agent({ keepAlive: true });
    const first = await raw(own.origin, "POST", "/graphql", {
      headers: JSON_TYPE,
      body: JSON.stringify({ query: "{ __typename }" }),
      agent,
    });
    expect(first.status).toBe(200);
    expect(first.headers.connection).toBe("keep-alive");
    const ws = own.ws();
    const events: string[] = [];
    const subscription = wsCollect(ws, `subscription { clipUpdated { clipId } }`, undefined, () => events.push("next"));
    // the subscription is open once the server answers a query on the same socket
    expect((await wsCollect(ws, `{ __typename }`)).results).toEqual([{ data: { __typename: "Query" } }]);
    await own.server.close();
    const ended = await subscription;
    expect(ended.results).toEqual([]);
    await expect(
      raw(own.origin, "POST", "/graphql", { headers: JSON_TYPE, body: "{}", agent: new http.Agent() }),
    ).rejects.toThrow(/ECONNREFUSED/);
    agent.destroy();
    await own.stop();
  });
});
