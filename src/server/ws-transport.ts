// graphql-ws over `ws` with the limits a public socket needs. graphql-ws's own `useServer` glue reads every
// message as fast as it arrives and runs it: 20 connections sending 2000 `subscribe` each kept the event loop
// busy for tens of seconds and opened 40,000 operations. This glue (the same protocol core, `makeServer`)
// adds, per connection: a message rate (token bucket; over it: close 4429), a cap on queries/mutations in
// flight and on open subscriptions (over: that operation gets an error with code TOO_MANY_REQUESTS), and
// backpressure (a client that does not read its replies is not read either until it catches up); per IP
// address: a cap on open connections (close 4429). Failed sends to a client that has gone are not errors.
import type http from "node:http";
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL, makeServer, type ServerOptions } from "graphql-ws";
import { GraphQLError, OperationTypeNode, getOperationAST, type ExecutionArgs } from "graphql";
import type { WebSocket, WebSocketServer } from "ws";
import type { WebSocketLimits } from "../config.js";
import type { Logger } from "../logging/logger.js";

/** What the transport keeps per connection (graphql-ws's `ctx.extra`). */
export interface WsExtra {
  socket: WebSocket;
  request: http.IncomingMessage;
  /** operation id → kind, while it runs (queries/mutations) or is open (subscriptions) */
  operations: Map<string, "pending" | "operation" | "subscription">;
  role?: "reader" | "editor";
  connectionId?: string;
}

const KEEP_ALIVE_MS = 12_000;
const BACKPRESSURE_POLL_MS = 20;
const CLOSE_GRACE_MS = 1000;
export const TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS";

/** A token bucket: `rate` per second sustained, bursts of `2 × rate`. */
class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(private readonly rate: number) {
    this.tokens = 2 * rate;
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(2 * this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

function refusal(message: string): GraphQLError[] {
  return [new GraphQLError(message, { extensions: { code: TOO_MANY_REQUESTS } })];
}

function messageId(data: string): string | undefined {
  try {
    const parsed = JSON.parse(data) as { type?: unknown; id?: unknown };
    return parsed.type === "subscribe" && typeof parsed.id === "string" ? parsed.id : undefined;
  } catch {
    return undefined; // graphql-ws itself closes with 4400
  }
}

export interface WsTransport {
  /** closes every connection (1001) and the server */
  dispose(): Promise<void>;
  /** open connections per IP address (tests, metrics) */
  connectionsByIp(): ReadonlyMap<string, number>;
}

export function serveGraphqlWs(
  options: ServerOptions<Record<string, unknown>, WsExtra>,
  wss: WebSocketServer,
  limits: WebSocketLimits,
  logger: Logger,
): WsTransport {
  const perIp = new Map<string, number>();
  const onSubscribe = options.onSubscribe;
  const server = makeServer<Record<string, unknown>, WsExtra>({
    ...options,
    async onSubscribe(ctx, id, payload) {
      const ops = ctx.extra.operations;
      // cheap refusal before any parsing: nothing of either kind can be admitted
      if (ops.size >= limits.maxOperations + limits.maxSubscriptions)
        return refusal(`too many operations on this connection (CINERAG_WS_MAX_OPERATIONS / _MAX_SUBSCRIPTIONS)`);
      ops.set(id, "pending"); // counts while it is parsed, so that a burst cannot slip past the check above
      const result = await onSubscribe?.(ctx, id, payload);
      if (!result || Array.isArray(result)) {
        ops.delete(id);
        return result;
      }
      const args = result as ExecutionArgs;
      const kind =
        getOperationAST(args.document, args.operationName)?.operation === OperationTypeNode.SUBSCRIPTION
          ? "subscription"
          : "operation";
      const open = [...ops.values()].filter((k) => k === kind).length;
      ops.delete(id);
      if (kind === "subscription" && open >= limits.maxSubscriptions)
        return refusal(
          `too many subscriptions on this connection: at most ${limits.maxSubscriptions} (CINERAG_WS_MAX_SUBSCRIPTIONS)`,
        );
      if (kind === "operation" && open >= limits.maxOperations)
        return refusal(
          `too many operations in flight on this connection: at most ${limits.maxOperations} (CINERAG_WS_MAX_OPERATIONS)`,
        );
      ops.set(id, kind);
      return args;
    },
  });

  wss.options.handleProtocols = (protocols) =>
    protocols.has(GRAPHQL_TRANSPORT_WS_PROTOCOL) ? GRAPHQL_TRANSPORT_WS_PROTOCOL : false;

  wss.on("connection", (socket: WebSocket, request: http.IncomingMessage) => {
    const ip = request.socket.remoteAddress ?? "unknown";
    const count = (perIp.get(ip) ?? 0) + 1;
    perIp.set(ip, count);
    const release = () => {
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left > 0) perIp.set(ip, left);
      else perIp.delete(ip);
    };
    if (count > limits.maxConnectionsPerIp) {
      socket.once("close", release);
      socket.close(
        CloseCode.TooManyInitialisationRequests,
        `too many connections from this address (CINERAG_WS_MAX_CONNECTIONS_PER_IP ${limits.maxConnectionsPerIp})`,
      );
      return;
    }
    attach(socket, request, release);
  });

  function attach(socket: WebSocket, request: http.IncomingMessage, release: () => void): void {
    const extra: WsExtra = { socket, request, operations: new Map() };
    const bucket = new TokenBucket(limits.messagesPerSecond);
    let refused = false;
    let draining: NodeJS.Timeout | undefined;

    // Backpressure: stop reading a client whose replies pile up unread; read again once half has gone.
    const throttle = () => {
      if (draining || socket.bufferedAmount <= limits.maxBufferedBytes) return;
      socket.pause();
      draining = setInterval(() => {
        if (socket.readyState !== socket.OPEN || socket.bufferedAmount <= limits.maxBufferedBytes / 2) {
          clearInterval(draining);
          draining = undefined;
          if (socket.readyState === socket.OPEN) socket.resume();
        }
      }, BACKPRESSURE_POLL_MS);
    };

    socket.on("error", (error) => logger.debug({ err: error }, "websocket error"));
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            // an error here is a client that has gone: its close event ends its operations
            socket.send(data, () => resolve());
            throttle();
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on("message", (raw: Buffer) => {
            if (refused) return;
            if (!bucket.take()) {
              refused = true;
              socket.close(
                CloseCode.TooManyInitialisationRequests,
                `too many messages: at most ${limits.messagesPerSecond} a second (CINERAG_WS_MESSAGE_RATE)`,
              );
              // later messages are dropped unread; a client that does not finish the close handshake is cut
              setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
              return;
            }
            const data = raw.toString();
            // one message per turn of the event loop: a burst in one TCP chunk must not hold HTTP requests back
            void new Promise<void>((resolve) => setImmediate(resolve))
              // a connection refused meanwhile runs none of what it had sent
              .then(() => (refused || socket.readyState !== socket.OPEN ? undefined : handle(data)))
              .catch((error: unknown) => {
                logger.error({ err: error }, "internal error in a WebSocket message");
                socket.close(CloseCode.InternalServerError, "Internal server error");
              })
              .finally(() => {
                const id = messageId(data);
                if (id !== undefined) extra.operations.delete(id);
              });
          }),
      },
      extra,
    );

    const ping = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      const wait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
      socket.once("pong", () => clearTimeout(wait));
      socket.ping();
    }, KEEP_ALIVE_MS);
    ping.unref();

    socket.once("close", (code, reason) => {
      clearInterval(ping);
      if (draining) clearInterval(draining);
      release();
      void closed(code, reason.toString()).catch((error: unknown) =>
        logger.error({ err: error }, "internal error closing a WebSocket"),
      );
    });
  }

  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, "Going away");
      wss.removeAllListeners();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    connectionsByIp: () => perIp,
  };
}
