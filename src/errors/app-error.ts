// Domain errors carry a code. One table (src/errors/error-codes.ts) maps codes to GraphQL
// `extensions.code` and CLI exit statuses; anything without a code is an internal error.

export type ErrorCode =
  | "BAD_INPUT"
  | "NOT_FOUND"
  | "NOT_MEDIA"
  | "NO_VIDEO_STREAM"
  | "CORRUPT_MEDIA"
  | "EMPTY_FILE"
  | "SUBTITLE_UNREADABLE"
  | "MEDIA_TOOL_FAILED"
  | "TIMEOUT"
  | "CANCELLED"
  | "CONFIG_INVALID"
  | "FORBIDDEN"
  | "UNAUTHENTICATED"
  | "SEARCH_UNAVAILABLE"
  | "REINDEX_REQUIRED"
  | "MODEL_UNAVAILABLE"
  | "CONFLICT"
  | "ENGINE_UNAVAILABLE";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
