import type { Command } from "commander";
import type { App } from "../app.js";
import { AppError } from "../errors/app-error.js";

interface ServeOptions {
  port?: string;
  host?: string;
}

export function registerServe(program: Command, openApp: () => Promise<App>, signal: AbortSignal): void {
  program
    .command("serve")
    .description(
      "serve the GraphQL API, its playground (/graphql), keyframes and health endpoints; runs ingest jobs (with CINERAG_REDIS_URL only enqueues them for `cinerag worker`, unless CINERAG_SERVE_WORKER=1 or CINERAG_JOBS=in-process)",
    )
    .option("-p, --port <port>", "port (default CINERAG_PORT or 4000; 0 = any free port)")
    .option("--host <host>", "interface to listen on (default CINERAG_HOST or 127.0.0.1)")
    .action(async (options: ServeOptions) => {
      const port = options.port === undefined ? undefined : Number(options.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
        throw new AppError("BAD_INPUT", `--port: not a port number: ${options.port}`);
      const app = await openApp();
      let server;
      try {
        // loaded here, not above: every command registers `serve`, only this one needs the server
        const { startServer } = await import("../server/graphql-server.js");
        server = await startServer(app, { port, host: options.host });
      } catch (error) {
        await app.close();
        throw error;
      }
      process.stderr.write(
        `cinerag: serving ${server.url} (playground: open it in a browser; dashboard: ${new URL("/", server.url).href}; subscriptions: ${server.wsUrl})\n`,
      );
      await new Promise<void>((resolve) =>
        signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      process.stderr.write("cinerag: shutting down (running jobs resume at the next start)\n");
      await server.close();
      await app.close();
      process.exitCode = 0;
    });
}
