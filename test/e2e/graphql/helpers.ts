// Starts the real server (port 0) over a temp data directory, plus small HTTP and graphql-ws clients.
import { rm } from "node:fs/promises";
import WebSocket from "ws";
import { createClient, type Client } from "graphql-ws";
import { createApp, type App } from "../../../src/app.js";
import type { Logger } from "../../../src/logging/logger.js";
import { startServer, type RunningServer } from "../../../src/server/graphql-server.js";
import { tempDataDir, testConfig } from "../../integration/graphql/helpers/seed.js";

export interface TestServer {
  app: App;
  server: RunningServer;
  dir: string;
  origin: string;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  gql(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
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
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
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
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  return {
    app,
    server,
    dir,
    origin,
    post,
    gql: (query, variables, headers) => post({ query, variables }, headers),
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
export function wsCollect(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
  onEach?: (r: any) => void,
): Promise<{ results: any[]; error?: unknown }> {
  return new Promise((resolve) => {
    const results: any[] = [];
    client.subscribe(
      { query, variables },
      {
        next: (r) => {
          results.push(r);
          onEach?.(r);
        },
        error: (error) => resolve({ results, error }),
        complete: () => resolve({ results }),
      },
    );
  });
}
