// A Redis client error that says Redis cannot be reached (down, restarting, the network away), as ioredis raises
// them: the request or job may succeed later, nothing about it was wrong.
import { AppError } from "../errors/app-error.js";

/** what ioredis throws while it has no connection (offline queue off, retries per request used up, closed) */
const IOREDIS_UNAVAILABLE = [/Connection is closed/i, /Stream isn't writeable/i, /max retries per request/i];
/** a socket that could not connect or was cut, from any client */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH"]);

function isIoredisUnavailable(error: Error): boolean {
  return error.name === "MaxRetriesPerRequestError" || IOREDIS_UNAVAILABLE.some((p) => p.test(error.message));
}

function isNetworkError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && NETWORK_CODES.has(code);
}

export function isRedisUnavailable(error: unknown): boolean {
  return error instanceof Error && (isIoredisUnavailable(error) || isNetworkError(error));
}

/** ENGINE_UNAVAILABLE (GraphQL SERVICE_UNAVAILABLE) for a Redis (or a socket) that cannot be reached, else undefined. */
export function redisUnavailableError(error: unknown): AppError | undefined {
  if (!(error instanceof Error) || !isRedisUnavailable(error)) return undefined;
  // a bare socket error does not say whose server it was: its own words do (host and port)
  const what = isIoredisUnavailable(error) ? "Redis" : `a server (${error.message.split("\n")[0]})`;
  return new AppError("ENGINE_UNAVAILABLE", `${what} cannot be reached at the moment; try again shortly`);
}
