// The HTTP side of the server: Fastify 5 on a node:http server of our own, its routes (GraphQL through
// @as-integrations/fastify, the playground, keyframes, reels, the dashboard, health), request ids, bodies
// and transport errors. graphql-server.ts wires it to Apollo and graphql-ws.
import { randomUUID } from "node:crypto";
import http from "node:http";
import accepts from "accepts";
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type HTTPMethods,
  type RouteHandlerMethod,
} from "fastify";
import type { App } from "../app.js";
import type { Logger } from "../logging/logger.js";
import { REEL_ROUTE } from "../analysis/effects/reel-url.js";
import { KEYFRAME_ROUTE } from "../services/keyframe-url.js";
import type { ApiKeyAuth } from "./api-keys.js";
import { DASHBOARD_ROUTES, dashboardHandler } from "./dashboard.route.js";
import { databaseCheck, healthHandler, readyHandler, type ReadinessCheck } from "./health.js";
import { registerBodyParsers, transportErrorHandler } from "./http-body.js";
import { keyframeHandler } from "./keyframes.route.js";
import { PLAYGROUND_CSP, type Playground } from "./playground.js";
import { reelHandler } from "./reels.route.js";
import { notFound } from "./send-file.js";

export const GRAPHQL_PATH = "/graphql";
const REQUEST_ID_HEADER = "x-request-id";
const CLIENT_REQUEST_ID = /^[\w.:-]{1,100}$/;
// the methods a mounted route answers (Express's `use` took them all): Apollo and the file routes say no
const EVERY_METHOD: HTTPMethods[] = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

/** the client's x-request-id when it is a plain token, a new UUID otherwise */
function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === "string" && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Fastify on our own node:http server (serverFactory): we listen on it ourselves, on exactly one address
 * (Fastify's listen would bind every address of `localhost`), with Node's own timeouts, and its upgrades
 * are ours (graphql-ws).
 */
export function createHttpApp(
  bodyLimitBytes: number,
  logger: Logger,
): { fastify: FastifyInstance<http.Server>; httpServer: http.Server } {
  let httpServer: http.Server | undefined;
  const fastify = Fastify<http.Server>({
    serverFactory: (handler) => (httpServer = http.createServer(handler)),
    genReqId: requestIdOf,
    requestIdHeader: false,
    bodyLimit: bodyLimitBytes,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // a URL that does not decode (`%E0%A4%A`) names nothing here: 404, as every route answered it before
    frameworkErrors: (_error, request, reply) => {
      void notFound(reply.header(REQUEST_ID_HEADER, request.id));
    },
  });
  fastify.addHook("onRequest", (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  registerBodyParsers(fastify, bodyLimitBytes);
  fastify.setErrorHandler(transportErrorHandler(bodyLimitBytes, logger));
  fastify.setNotFoundHandler((_request, reply) => notFound(reply));
  if (!httpServer) throw new Error("Fastify did not call its serverFactory");
  return { fastify, httpServer };
}

export interface RouteDeps {
  app: App;
  auth: ApiKeyAuth;
  /** process start, for /healthz */
  started: number;
  /** undefined: no playground (CINERAG_GRAPHQL_PLAYGROUND=false) */
  playground: Playground | undefined;
  /** @as-integrations/fastify's handler, with our context function */
  apolloHandler: RouteHandlerMethod<http.Server, http.IncomingMessage, http.ServerResponse, GraphqlRoute>;
}

/** /graphql: a GET with `?query=` goes to Apollo, a browser's GET without it gets the playground */
type GraphqlRoute = { Querystring: { query?: unknown }; Reply: string };

/** Every route; resolves once Fastify is ready to serve. */
export async function registerRoutes(fastify: FastifyInstance<http.Server>, deps: RouteDeps): Promise<void> {
  const { app, auth } = deps;
  fastify.get("/healthz", healthHandler(deps.started));
  const checks: ReadinessCheck[] = [databaseCheck(app.store.health)];
  checks.push({ name: "search", check: () => app.search.sceneIndex.ping() });
  fastify.get("/readyz", readyHandler(checks));
  const { keyframeDir, dataDir } = app.config;
  const keyframes = keyframeHandler({ keyframeDir, urls: app.api.keyframeUrls, auth });
  const reels = reelHandler({ dataDir, urls: app.api.keyframeUrls, auth });
  for (const [prefix, handler] of [
    [KEYFRAME_ROUTE, keyframes],
    [REEL_ROUTE, reels],
  ] as const)
    for (const url of [prefix, `${prefix}/*`])
      fastify.route({ method: EVERY_METHOD, url, exposeHeadRoute: false, handler });
  const dashboard = dashboardHandler();
  for (const url of DASHBOARD_ROUTES) fastify.get(url, dashboard);
  fastify.route<GraphqlRoute>({
    method: EVERY_METHOD,
    url: GRAPHQL_PATH,
    exposeHeadRoute: false,
    handler(request, reply) {
      // A browser asking for a page gets the playground; GET queries (?query=) and the rest go to Apollo.
      if (
        deps.playground &&
        (request.method === "GET" || request.method === "HEAD") &&
        request.query.query === undefined &&
        accepts(request.raw).type(["text/html", "application/json"]) === "text/html"
      ) {
        servePlayground(deps.playground, request, reply);
        return;
      }
      return deps.apolloHandler.call(fastify, request, reply);
    },
  });
  await fastify.ready();
}

function servePlayground(playground: Playground, request: FastifyRequest, reply: FastifyReply): void {
  const { body, encoding } = playground.page(accepts(request.raw).encoding(["gzip"]) === "gzip");
  reply.header("Content-Security-Policy", PLAYGROUND_CSP);
  reply.header("Cache-Control", "no-cache");
  reply.header("Vary", "Accept, Accept-Encoding");
  if (encoding) reply.header("Content-Encoding", encoding);
  void reply.type("text/html; charset=utf-8").send(body);
}
