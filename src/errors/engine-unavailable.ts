// A database or a Redis that cannot be reached, as the domain error it is (ENGINE_UNAVAILABLE): raw client
// errors of either reach the API's error formatter and the job runner unwrapped (the pipeline does not wrap
// every call), and both word them the same way.
import type { AppError } from "./app-error.js";
import { redisUnavailableError } from "../events/redis-error.js";
import { databaseUnavailableError } from "../store/database-error.js";

export function engineUnavailableError(error: unknown): AppError | undefined {
  return databaseUnavailableError(error) ?? redisUnavailableError(error);
}
