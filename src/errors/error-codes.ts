import type { ErrorCode } from "./app-error.js";

/**
 * Domain code → GraphQL `extensions.code` and CLI exit status; `transient`: the cause may go away by itself
 * (an engine that is down or restarting), so a background job that failed with it is retried (src/jobs).
 */
export const ERROR_TABLE: Record<ErrorCode, { graphql: string; exit: number; transient?: true }> = {
  BAD_INPUT: { graphql: "BAD_USER_INPUT", exit: 2 },
  NOT_FOUND: { graphql: "NOT_FOUND", exit: 2 },
  NOT_MEDIA: { graphql: "BAD_USER_INPUT", exit: 2 },
  NO_VIDEO_STREAM: { graphql: "BAD_USER_INPUT", exit: 2 },
  CORRUPT_MEDIA: { graphql: "BAD_USER_INPUT", exit: 2 },
  EMPTY_FILE: { graphql: "BAD_USER_INPUT", exit: 2 },
  SUBTITLE_UNREADABLE: { graphql: "BAD_USER_INPUT", exit: 2 },
  MEDIA_TOOL_FAILED: { graphql: "INTERNAL_SERVER_ERROR", exit: 1 },
  TIMEOUT: { graphql: "TIMEOUT", exit: 1 },
  CANCELLED: { graphql: "CANCELLED", exit: 130 },
  CONFIG_INVALID: { graphql: "INTERNAL_SERVER_ERROR", exit: 78 },
  FORBIDDEN: { graphql: "FORBIDDEN", exit: 2 },
  UNAUTHENTICATED: { graphql: "UNAUTHENTICATED", exit: 2 },
  SEARCH_UNAVAILABLE: { graphql: "SERVICE_UNAVAILABLE", exit: 1, transient: true },
  REINDEX_REQUIRED: { graphql: "FAILED_PRECONDITION", exit: 1 },
  MODEL_UNAVAILABLE: { graphql: "MODEL_UNAVAILABLE", exit: 1 },
  CONFLICT: { graphql: "CONFLICT", exit: 1 },
  // a generator's failure reaches clients with its own code: what went wrong with which server differs
  GENERATOR_UNAVAILABLE: { graphql: "GENERATOR_UNAVAILABLE", exit: 1 },
  GENERATOR_UNAUTHORIZED: { graphql: "GENERATOR_UNAUTHORIZED", exit: 1 },
  GENERATOR_NOT_FOUND: { graphql: "GENERATOR_NOT_FOUND", exit: 1 },
  GENERATOR_RATE_LIMITED: { graphql: "GENERATOR_RATE_LIMITED", exit: 1 },
  GENERATOR_BAD_REQUEST: { graphql: "GENERATOR_BAD_REQUEST", exit: 1 },
  GENERATOR_BAD_RESPONSE: { graphql: "GENERATOR_BAD_RESPONSE", exit: 1 },
  GENERATOR_TIMEOUT: { graphql: "GENERATOR_TIMEOUT", exit: 1 },
  GENERATOR_CANCELLED: { graphql: "GENERATOR_CANCELLED", exit: 130 },
  /** a configured engine (Redis, PostgreSQL) cannot be reached; 69 = EX_UNAVAILABLE */
  ENGINE_UNAVAILABLE: { graphql: "SERVICE_UNAVAILABLE", exit: 69, transient: true },
};
