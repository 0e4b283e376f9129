// Request bodies and transport errors of the HTTP layer (Fastify). Bodies are read as express.json() read
// them before: JSON only (strict: an object or an array), at most the body limit, an empty body as `{}`;
// any other content type is left unread, so that Apollo's CSRF rule refuses it (400) unless the request
// carries a preflight header. Transport errors (too large, not JSON) leave in GraphQL's error shape.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "../logging/logger.js";

const NOT_JSON = "CINERAG_BODY_NOT_JSON";
const BAD_CHARSET = "CINERAG_BODY_CHARSET";
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

function bodyError(code: string, statusCode: number, message: string): FastifyError {
  return Object.assign(new Error(message), { code, statusCode, name: "BodyError" });
}

/** `{}` for an empty body, the parsed object or array otherwise; a JSON scalar is refused as body-parser did */
export function parseJsonBody(contentType: string | undefined, body: string): unknown {
  const charset = CHARSET.exec(contentType ?? "")?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8")
    throw bodyError(BAD_CHARSET, 415, `unsupported charset "${charset.toUpperCase()}": send UTF-8`);
  const start = body.search(/\S/);
  if (start === -1) return {};
  if (body[start] !== "{" && body[start] !== "[") throw bodyError(NOT_JSON, 400, "not JSON");
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw bodyError(NOT_JSON, 400, "not JSON");
  }
}

export function registerBodyParsers(fastify: FastifyInstance, bodyLimitBytes: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    "application/json",
    { parseAs: "string", bodyLimit: bodyLimitBytes },
    (request, body, done) => {
      try {
        done(null, parseJsonBody(request.headers["content-type"], body as string));
      } catch (error) {
        done(error as FastifyError, undefined);
      }
    },
  );
  // not read at all (Node discards it after the response); Apollo answers for the content type
  fastify.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
}

/** The status, code and message a transport error leaves with. */
export function transportError(error: FastifyError, bodyLimitBytes: number): [number, string, string] {
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return [413, "PAYLOAD_TOO_LARGE", `the request body is larger than the limit of ${bodyLimitBytes} bytes`];
  if (error.code === NOT_JSON) return [400, "BAD_REQUEST", "the request body is not valid JSON"];
  if (error.statusCode && error.statusCode < 500) return [error.statusCode, "BAD_REQUEST", error.message];
  return [500, "INTERNAL_SERVER_ERROR", "Internal server error"];
}

export function transportErrorHandler(bodyLimitBytes: number, logger: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const [status, code, message] = transportError(error, bodyLimitBytes);
    if (status >= 500) logger.error({ err: error, requestId: request.id }, "HTTP request failed");
    return reply.code(status).send({ errors: [{ message, extensions: { code, requestId: request.id } }] });
  };
}
