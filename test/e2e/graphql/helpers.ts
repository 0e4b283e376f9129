// Starts the real server (port 0) over a temp data directory, plus small HTTP and graphql-ws clients.
import { rm } from "node:fs/promises";
import WebSocket from "ws";
import { createClient, type Client } from "graphql-ws";
import { createApp, type App } from "../../../src/app.js";
import type { Logger } from "../../../src/logging/logger.js";
import { startServer, type RunningServer } from "../../../src/server/graphql-server.js";
import { tempDataDir, testConfig } from "../../integration/graphql/helpers/seed.js";

/** A GraphQL error as the server sends it. */
export interface GqlError {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

/** A GraphQL response whose `data` has the shape the test's operation asks for. */
export interface GqlBody<T> {
  data?: T;
  errors?: GqlError[];
}

/** An HTTP response; `body` is the parsed JSON (or the text when it is not JSON). */
export interface TestResponse<B> {
  status: number;
  body: B;
  headers: Headers;
}

export interface TestServer {
  app: App;
  server: RunningServer;
  dir: string;
  origin: string;
  /** B: the body's shape as the test expects it (unknown until it says) */
  post<B = unknown>(body: unknown, headers?: Record<string, string>): Promise<TestResponse<B>>;
  /** T: the shape of `data` for this operation (unknown until the test says) */
  gql<T = unknown>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<TestResponse<GqlBody<T>>>;
  ws(connectionParams?: Record<string, unknown>): Client;
  stop(): Promise<void>;
}

export async function startTestServer(
  env: Record<string, string> = {},
  opts: { dir?: string; logger?: Logger } = {},
): Promise<TestServer> {
  const dir = opts.dir ?? (await tempDataDir("cinerag-e2e-"));
  const app = await createApp(testConfig(dir, env), opts.logger ? { logger: opts.logger } : {});
  const server = await startServer(app, { port: 0, host: "127.0.0.1" });
  const origin = server.url.replace(/\/graphql$/, "");
  const clients: Client[] = [];
  const post = async <B>(body: unknown, headers: Record<string, string> = {}): Promise<TestResponse<B>> => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    // the test says what it expects to be there; its assertions check it
    return { status: res.status, body: parsed as B, headers: res.headers };
  };
  return {
    app,
    server,
    dir,
    origin,
    post,
    gql: <T>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) =>
      post<GqlBody<T>>({ query, variables }, headers),
    ws(connectionParams) {
      const client = createClient({
        url: server.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams,
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const c of clients) await c.dispose();
      await server.close();
      await app.close();
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs one operation over graphql-ws and collects every result until complete (or an error). */
export function wsCollect<T = unknown>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
  onEach?: (r: GqlBody<T>) => void,
): Promise<{ results: Array<GqlBody<T>>; error?: unknown }> {
  return new Promise((resolve) => {
    const results: Array<GqlBody<T>> = [];
    client.subscribe(
      { query, variables },
      {
        next: (r) => {
          const typed = r as GqlBody<T>;
          results.push(typed);
          onEach?.(typed);
        },
        error: (error) => resolve({ results, error }),
        complete: () => resolve({ results }),
      },
    );
  });
}
