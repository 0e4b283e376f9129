// Errors of a text generator, with codes that reach GraphQL as `extensions.code` (src/resolvers maps them).
export type GeneratorErrorCode =
  /** cannot connect, or the server answered 5xx */
  | "GENERATOR_UNAVAILABLE"
  /** 401/403: the key is missing or wrong */
  | "GENERATOR_UNAUTHORIZED"
  /** 404: unknown model or path */
  | "GENERATOR_NOT_FOUND"
  /** 429 */
  | "GENERATOR_RATE_LIMITED"
  /** 400/422: the server refused the request */
  | "GENERATOR_BAD_REQUEST"
  /** the answer was not what the protocol says */
  | "GENERATOR_BAD_RESPONSE"
  | "GENERATOR_TIMEOUT"
  | "GENERATOR_CANCELLED";

export class GeneratorError extends Error {
  constructor(
    readonly code: GeneratorErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "GeneratorError";
  }
}

export function isGeneratorError(error: unknown): error is GeneratorError {
  return error instanceof GeneratorError;
}
