import type { ErrorCode } from "./app-error.js";

/** Domain code → GraphQL `extensions.code` and CLI exit status. */
export const ERROR_TABLE: Record<ErrorCode, { graphql: string; exit: number }> = {
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
  SEARCH_UNAVAILABLE: { graphql: "SERVICE_UNAVAILABLE", exit: 1 },
  REINDEX_REQUIRED: { graphql: "FAILED_PRECONDITION", exit: 1 },
  MODEL_UNAVAILABLE: { graphql: "SERVICE_UNAVAILABLE", exit: 1 },
  CONFLICT: { graphql: "CONFLICT", exit: 1 },
  /** a configured engine (Redis, PostgreSQL) cannot be reached; 69 = EX_UNAVAILABLE */
  ENGINE_UNAVAILABLE: { graphql: "SERVICE_UNAVAILABLE", exit: 69 },
};
