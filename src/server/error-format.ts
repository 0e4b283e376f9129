// Every error leaves with `extensions.code`. Domain errors (AppError) map through ERROR_TABLE (a database or
// a Redis that cannot be reached counts as one: ENGINE_UNAVAILABLE, SERVICE_UNAVAILABLE in GraphQL); errors that
// GraphQL itself or Apollo raise (syntax, validation, variables) keep their codes; anything else is an
// internal error: masked as "Internal server error" and logged with the request id.
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { isAppError } from "../errors/app-error.js";
import { ERROR_TABLE } from "../errors/error-codes.js";
import type { Logger } from "../logging/logger.js";
import { engineUnavailableError } from "../errors/engine-unavailable.js";

const REQUEST_ID = Symbol.for("cinerag.requestId");
export const INTERNAL_MESSAGE = "Internal server error";

function originalOf(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  // a database or a Redis that went away is the service's state, not a bug: SERVICE_UNAVAILABLE, in our words
  return engineUnavailableError(current) ?? current;
}

/** true for errors whose message must not reach the client */
export function isInternal(error: unknown): boolean {
  const original = originalOf(error);
  if (isAppError(original)) return ERROR_TABLE[original.code].graphql === "INTERNAL_SERVER_ERROR";
  // raised on purpose with a code, or by GraphQL about the request (no path); with a path and no code it is a
  // broken promise of the server (e.g. null for a non-null field)
  if (original instanceof GraphQLError)
    return (
      original.extensions.code === "INTERNAL_SERVER_ERROR" || (!original.extensions.code && Boolean(original.path))
    );
  return true;
}

/** Logs an internal error with the request id and marks it, so that the formatter can report the id. */
export function recordInternalError(error: unknown, requestId: string, logger: Logger): void {
  if (!isInternal(error)) return;
  const original = originalOf(error);
  if (error && typeof error === "object") (error as Record<symbol, unknown>)[REQUEST_ID] = requestId;
  logger.error(
    { err: original, requestId, path: error instanceof GraphQLError ? error.path : undefined },
    "internal error in a GraphQL operation",
  );
}

const LIMIT_SETTINGS: Array<[RegExp, string]> = [
  [/cost limit/i, "CINERAG_GRAPHQL_MAX_COST"],
  [/depth limit/i, "CINERAG_GRAPHQL_MAX_DEPTH"],
  [/aliases limit/i, "CINERAG_GRAPHQL_MAX_ALIASES"],
  [/directives limit/i, "CINERAG_GRAPHQL_MAX_DIRECTIVES"],
];

/**
 * GraphQL Armor words every refusal as "Syntax Error: …" although the query parsed: say what it is, and
 * which setting raises the limit.
 */
function limitMessage(message: string): string {
  const setting = LIMIT_SETTINGS.find(([pattern]) => pattern.test(message))?.[1];
  if (!setting) return message;
  return `${message.replace(/^Syntax Error: /, "")} (the server's limit: ${setting})`;
}

export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  fallbackCode = "INTERNAL_SERVER_ERROR",
): GraphQLFormattedError {
  const original = originalOf(error);
  const base = { locations: formatted.locations, path: formatted.path };
  if (isAppError(original)) {
    const code = ERROR_TABLE[original.code].graphql;
    if (code !== "INTERNAL_SERVER_ERROR") return { ...base, message: original.message, extensions: { code } };
  } else if (original instanceof GraphQLError) {
    const code =
      (original.extensions.code as string | undefined) ??
      (formatted.extensions?.code as string | undefined) ??
      (original.path ? "INTERNAL_SERVER_ERROR" : fallbackCode);
    // http: Apollo's transport hint, not for clients
    const { http: _http, ...extensions } = { ...original.extensions, ...formatted.extensions };
    if (code !== "INTERNAL_SERVER_ERROR")
      return { ...base, message: limitMessage(formatted.message), extensions: { ...extensions, code } };
  }
  const requestId = error && typeof error === "object" ? (error as Record<symbol, unknown>)[REQUEST_ID] : undefined;
  return {
    ...base,
    message: INTERNAL_MESSAGE,
    extensions: { code: "INTERNAL_SERVER_ERROR", ...(requestId ? { requestId } : {}) },
  };
}

/** Formats a whole result outside Apollo (graphql-ws, `cinerag query`), logging internal errors. */
export function formatResultErrors<T extends { errors?: readonly GraphQLError[] | readonly GraphQLFormattedError[] }>(
  result: T,
  requestId: string,
  logger: Logger,
  fallbackCode = "BAD_USER_INPUT",
): T {
  if (!result.errors || result.errors.length === 0) return result;
  const errors = result.errors.map((e) => {
    if (!(e instanceof GraphQLError)) return e;
    // Errors without an original error here come from GraphQL itself (variables, validation): the request's fault.
    recordInternalError(e, requestId, logger);
    // Errors without a path are the request's own (variables that do not coerce, say), not a resolver's.
    return formatError(e.toJSON(), e, e.originalError && e.path ? "INTERNAL_SERVER_ERROR" : fallbackCode);
  });
  return { ...result, errors };
}

/**
 * At most `max` error entries in one response: the first `max - 1` and one that counts the rest (a query with
 * 200 bad directives got ~100 entries back, one per directive).
 */
export function capErrors(errors: readonly GraphQLFormattedError[], max: number): GraphQLFormattedError[] {
  if (errors.length <= max) return [...errors];
  const kept = errors.slice(0, Math.max(0, max - 1));
  const code = (errors[0]?.extensions?.code as string | undefined) ?? "BAD_USER_INPUT";
  const rest = errors.length - kept.length;
  const summary: GraphQLFormattedError = {
    message: `${rest} more errors not shown (at most ${max} a response: CINERAG_GRAPHQL_MAX_ERRORS)`,
    extensions: { code },
  };
  return [...kept, summary];
}
