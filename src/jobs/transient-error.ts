// Which failures of a job are worth another run: an engine that is down or restarting (the database, Redis, the
// search engine) may be back in a moment, while bad media or bad input fail the same way every time. The codes'
// `transient` flag is in the one error table (src/errors/error-codes.ts); raw client errors of a database or a
// Redis that went away count too (the pipeline does not wrap every call).
import { isAppError } from "../errors/app-error.js";
import { ERROR_TABLE } from "../errors/error-codes.js";
import { engineUnavailableError } from "../errors/engine-unavailable.js";
import { isRedisUnavailable } from "../events/redis-error.js";
import { isDatabaseUnavailable } from "../store/database-error.js";
import type { RetryPolicy } from "../config.js";

export function isTransientError(error: unknown): boolean {
  if (isAppError(error)) return ERROR_TABLE[error.code].transient === true;
  return isDatabaseUnavailable(error) || isRedisUnavailable(error);
}

/** `CODE: message` as a Job row's `error` says it */
export function jobErrorText(error: unknown): string {
  if (isAppError(error)) return `${error.code}: ${error.message}`;
  const unavailable = engineUnavailableError(error);
  if (unavailable) return `${unavailable.code}: ${unavailable.message}`;
  return `INTERNAL: internal error: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
}

/** ms to wait after the `attempt`-th run failed (1-based): backoffMs, then twice as long each time (as BullMQ) */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.round(policy.backoffMs * 2 ** (attempt - 1));
}

export const NO_RETRY: RetryPolicy = { attempts: 1, backoffMs: 0 };
