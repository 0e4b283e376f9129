// HTTP + WebSocket on one port: Fastify 5 + Apollo Server 5 at /graphql (POST, GET queries), graphql-ws on
// the same path, the offline playground for browsers, keyframe files and health endpoints.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { fastifyApolloHandler } from "@as-integrations/fastify";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { WebSocketServer } from "ws";
import { AppError } from "../errors/app-error.js";
import {
  GraphQLError,
  OperationTypeNode,
  getOperationAST,
  type ExecutionArgs,
  type GraphQLFormattedError,
} from "graphql";
import type { App } from "../app.js";
import type { ApiRole } from "../config.js";
import { isAppError } from "../errors/app-error.js";
import { TOPICS } from "../events/pubsub.port.js";
import { ERROR_TABLE } from "../errors/error-codes.js";
import { cineragSchema } from "../schema/build-schema.js";
import { createContext, type GraphQLContext } from "../resolvers/context.js";
import { ApiKeyAuth } from "./api-keys.js";
import { capErrors, formatError, formatResultErrors, recordInternalError } from "./error-format.js";
import { createProtection } from "./protection.js";
import { serveGraphqlWs } from "./ws-transport.js";
import { Playground } from "./playground.js";
import { createHttpApp, GRAPHQL_PATH, registerRoutes } from "./http-app.js";
import { logSearchTopology } from "../search/search-topology.js";

export { GRAPHQL_PATH } from "./http-app.js";
export interface ServerOptions {
  port?: number;
  host?: string;
  /** start the job runner and the search outbox worker (default true) */
  runJobs?: boolean;
}

export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  httpServer: http.Server;
  close(): Promise<void>;
}

function asGraphQLError(error: unknown): GraphQLError {
  if (isAppError(error)) {
    const code = ERROR_TABLE[error.code].graphql;
    const status = code === "UNAUTHENTICATED" ? 401 : code === "FORBIDDEN" ? 403 : 400;
    return new GraphQLError(error.message, { extensions: { code, http: { status } } });
  }
  return error instanceof GraphQLError
    ? error
    : new GraphQLError("Internal server error", { extensions: { code: "INTERNAL_SERVER_ERROR" } });
}

export async function startServer(app: App, options: ServerOptions = {}): Promise<RunningServer> {
  const { config, logger } = app;
  const started = Date.now();
  const schema = await cineragSchema();
  const auth = new ApiKeyAuth(config.apiKeyList);
  const limits = config.graphql;
  const protection = createProtection(limits);
  const playground = new Playground({
    endpoint: GRAPHQL_PATH,
    keysRequired: !auth.localMode,
    mediaRoots: config.mediaRoots,
  });
  const baseUrlOf = (req: http.IncomingMessage & { protocol?: string }) =>
    config.publicUrl ?? (req.headers.host ? `${req.protocol ?? "http"}://${req.headers.host}` : "");

  const { fastify, httpServer } = createHttpApp(limits.bodyLimitBytes, logger);

  // ---- WebSocket: graphql-ws, same limits and rules as HTTP ---------------------------------------------
  // noServer + our own upgrade routing: attached with `server:`, ws re-emits the HTTP server's errors
  // (a port in use) and graphql-ws prints them with a stack trace; the listen error below says it in a line.
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: limits.bodyLimitBytes });
  httpServer.on("upgrade", (request, socket, head) => {
    if (new URL(request.url ?? "/", "http://localhost").pathname !== GRAPHQL_PATH) return socket.destroy();
    wsServer.handleUpgrade(request, socket, head, (ws) => wsServer.emit("connection", ws, request));
  });
  const wsDisposable = serveGraphqlWs(
    {
      onConnect(ctx) {
        ctx.extra.connectionId = randomUUID();
        const key = ApiKeyAuth.keyFrom(ctx.connectionParams);
        if (auth.localMode) ctx.extra.role = "editor";
        else if (key !== undefined) {
          const role = auth.roleOf(key);
          if (!role) {
            logger.info({ connectionId: ctx.extra.connectionId }, "websocket refused: unknown API key");
            return false; // closes with 4403 Forbidden
          }
          ctx.extra.role = role;
        }
        // no key yet: each operation may carry one in extensions.headers (GraphiQL); else it is refused
        return true;
      },
      onSubscribe(ctx, id, payload) {
        const requestId = `${ctx.extra.connectionId ?? "ws"}:${id}`;
        let role = ctx.extra.role;
        if (!role) {
          try {
            role = auth.authenticate(ApiKeyAuth.keyFrom(payload.extensions));
          } catch (error) {
            return [asGraphQLError(error)];
          }
        }
        let document;
        try {
          document = protection.parse(payload.query);
        } catch (error) {
          return [asGraphQLError(error)];
        }
        const errors = protection.validate(schema, document);
        if (errors.length > 0) return errors;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation)
          return [
            new GraphQLError("no operation to run (give operationName)", { extensions: { code: "BAD_USER_INPUT" } }),
          ];
        const contextValue: GraphQLContext = createContext({
          services: app.api,
          logger,
          requestId,
          role,
          baseUrl: baseUrlOf(ctx.extra.request),
          timeoutMs: operation.operation === OperationTypeNode.SUBSCRIPTION ? undefined : limits.operationTimeoutMs,
        });
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
        return args;
      },
      onNext(_ctx, _id, _payload, args, result) {
        const c = args.contextValue as GraphQLContext;
        const formatted = formatResultErrors(result, c.requestId, logger);
        return formatted.errors && formatted.errors.length > limits.maxErrors
          ? { ...formatted, errors: capErrors(formatted.errors.map(toFormatted), limits.maxErrors) }
          : formatted;
      },
      onError(ctx, id, _payload, errors) {
        const requestId = `${ctx.extra.connectionId ?? "ws"}:${id}`;
        return capErrors(
          errors.map((e) => {
            recordInternalError(e, requestId, logger);
            return formatError(e.toJSON(), e, "BAD_USER_INPUT");
          }),
          limits.maxErrors,
        );
      },
    },
    wsServer,
    limits.ws,
    logger,
  );

  // ---- Apollo ---------------------------------------------------------------------------------------
  const operationPlugin: ApolloServerPlugin<GraphQLContext> = {
    requestDidStart() {
      return Promise.resolve({
        didEncounterErrors({ errors, contextValue }) {
          for (const e of errors) recordInternalError(e, contextValue?.requestId ?? "unknown", logger);
          return Promise.resolve();
        },
        willSendResponse({ contextValue, response }) {
          contextValue?.deadline?.clear();
          const body = response.body;
          if (body.kind === "single" && body.singleResult.errors && body.singleResult.errors.length > limits.maxErrors)
            body.singleResult.errors = capErrors(body.singleResult.errors, limits.maxErrors);
          return Promise.resolve();
        },
      });
    },
  };
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: limits.introspection,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    // `cinerag serve` handles SIGINT/SIGTERM itself (jobs go back to QUEUED, then the server drains).
    // Apollo's own handler would stop and then re-raise the signal, killing the process mid-shutdown.
    stopOnTerminationSignals: false,
    validationRules: protection.validationRules,
    parseOptions: protection.parseOptions,
    formatError: (formatted, error) => formatError(formatted, error),
    plugins: [
      ...protection.apolloPlugins,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      operationPlugin,
      {
        serverWillStart() {
          return Promise.resolve({
            async drainServer() {
              await wsDisposable.dispose();
            },
          });
        },
      },
    ],
    logger: {
      debug: (m) => logger.debug(m),
      info: (m) => logger.info(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
  });
  await apollo.start();

  // ---- HTTP routes ----------------------------------------------------------------------------------
  await registerRoutes(fastify, {
    app,
    auth,
    started,
    playground: limits.playground ? playground : undefined,
    apolloHandler: fastifyApolloHandler(apollo, {
      context: (request) => {
        let role: ApiRole;
        try {
          role = auth.localMode ? "editor" : auth.authenticate(ApiKeyAuth.keyFrom(request.headers));
        } catch (error) {
          return Promise.reject(asGraphQLError(error));
        }
        return Promise.resolve(
          createContext({
            services: app.api,
            logger,
            requestId: request.id,
            role,
            baseUrl: baseUrlOf(request.raw),
            timeoutMs: limits.operationTimeoutMs,
          }),
        );
      },
    }),
  });

  // ---- listen ---------------------------------------------------------------------------------------
  const host = options.host ?? config.host;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, host, options.port ?? config.port));
    httpServer.once("error", onError);
    httpServer.listen(options.port ?? config.port, host, () => {
      httpServer.off("error", onError);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}${GRAPHQL_PATH}`;

  if (auth.localMode) {
    logger.warn(
      { host },
      "no API keys configured (CINERAG_API_KEYS): local single-user mode, every client may query and mutate",
    );
    if (!["127.0.0.1", "::1", "localhost"].includes(host))
      logger.warn({ host }, "listening beyond loopback without API keys");
  } else {
    const roles = config.apiKeyList.reduce<Record<string, number>>(
      (n, k) => ({ ...n, [k.role]: (n[k.role] ?? 0) + 1 }),
      {},
    );
    logger.info({ keys: roles }, "API keys required");
  }
  if (!app.api.mediaRoots.configured)
    logger.warn("no media roots (CINERAG_MEDIA_ROOTS): ingestClip is refused until they are configured");
  logSearchTopology(logger, config);
  // Background work: ingest jobs, and the search outbox (woken whenever a clip becomes READY or is deleted).
  const clipEvents = app.events.subscribe(TOPICS.CLIP_UPDATED);
  if (options.runJobs !== false) {
    app.search.outbox.start();
    void (async () => {
      for await (const _event of clipEvents) app.search.outbox.notify();
    })();
    await app.jobs.start();
  }
  logger.info(
    { url, playground: limits.playground, introspection: limits.introspection },
    "cinerag GraphQL server listening",
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    wsUrl: url.replace(/^http/, "ws"),
    port,
    httpServer,
    close() {
      closing ??= (async () => {
        await app.jobs.stop();
        await clipEvents.return?.();
        await app.search.outbox.stop();
        await apollo.stop(); // drains HTTP and the WebSocket server
        await fastify.close();
        wsServer.close();
        app.events.close();
      })();
      return closing;
    },
  };
}

function toFormatted(e: GraphQLError | GraphQLFormattedError): GraphQLFormattedError {
  return e instanceof GraphQLError ? e.toJSON() : e;
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === "EADDRINUSE")
    return new AppError("BAD_INPUT", `port ${port} on ${host} is in use: choose another with --port or CINERAG_PORT`);
  if (error.code === "EACCES")
    return new AppError("BAD_INPUT", `no permission to listen on port ${port} on ${host}: choose a port above 1023`);
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND")
    return new AppError(
      "BAD_INPUT",
      `cannot listen on ${host}: not an address of this machine (CINERAG_HOST / --host)`,
    );
  return error;
}
