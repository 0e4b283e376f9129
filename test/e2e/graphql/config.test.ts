// Production toggles and error masking on a real server.
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execute, parse } from "graphql";
import { startTestServer, type GqlError, type TestServer } from "./helpers.js";
import { cineragSchema } from "../../../src/schema/build-schema.js";
import { createContext } from "../../../src/resolvers/context.js";

const INTROSPECTION = `{ __schema { queryType { name } } }`;

describe("introspection and playground off", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ CINERAG_GRAPHQL_INTROSPECTION: "false", CINERAG_GRAPHQL_PLAYGROUND: "false" });
  });
  afterAll(async () => t?.stop());

  it("refuses introspection over HTTP and WebSocket and hides field suggestions", async () => {
    const r = await t.gql(INTROSPECTION);
    expect(r.status).toBe(400);
    expect(r.body.errors![0]!.extensions!.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const { wsCollect } = await import("./helpers.js");
    const ws = await wsCollect(t.ws(), INTROSPECTION);
    expect((ws.error as GqlError[])[0]!.message).toMatch(/introspection/i);
    const typo = await t.gql(`{ clipz { totalCount } }`);
    expect(typo.body.errors![0]!.message).not.toMatch(/Did you mean/);
  });

  it("serves no playground", async () => {
    const res = await fetch(t.server.url, { headers: { accept: "text/html" } });
    expect(await res.text()).not.toContain("<title>cinerag</title>");
  });
});

describe("internal errors", () => {
  let t: TestServer;
  /** the logger's lines: pino JSON objects (a masked error is logged with its request id and cause) */
  const lines: Array<{ requestId?: string; err?: { message?: string } }> = [];
  beforeAll(async () => {
    const sink = new Writable({
      write: (chunk, _enc, cb) => (lines.push(JSON.parse(String(chunk)) as (typeof lines)[number]), cb()),
    });
    t = await startTestServer({}, { logger: pino({ level: "error" }, sink) });
  });
  afterAll(async () => t?.stop());

  it("are masked for the client and logged with the request id", async () => {
    t.app.api.scenes.scenes = () => Promise.reject(new Error("disk /secret/path exploded"));
    const r = await t.gql(`{ scenes { totalCount } }`, undefined, { "x-request-id": "req-42" });
    expect(r.body.errors).toEqual([
      {
        message: "Internal server error",
        locations: [{ line: 1, column: 3 }],
        path: ["scenes"],
        extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "req-42" },
      },
    ]);
    expect(JSON.stringify(r.body)).not.toContain("secret");
    const logged = lines.find((l) => l.requestId === "req-42");
    expect(logged?.err?.message).toContain("/secret/path");
  });
});

describe("operation time limit", () => {
  it("answers TIMEOUT once the deadline has passed", async () => {
    const schema = await cineragSchema();
    const t = await startTestServer();
    try {
      t.app.api.scenes.scenes = () => new Promise(() => undefined); // never answers
      const contextValue = createContext({
        services: t.app.api,
        logger: t.app.logger,
        requestId: "slow",
        role: "reader",
        timeoutMs: 50,
      });
      // the resolver never answers: only the deadline can end the operation (no wall-clock bound here)
      const result = await execute({ schema, document: parse(`{ scenes { totalCount } }`), contextValue });
      expect(result.errors?.[0]?.originalError).toMatchObject({ code: "TIMEOUT" });
    } finally {
      await t.stop();
    }
  });
});
