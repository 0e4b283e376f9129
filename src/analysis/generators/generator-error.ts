// Errors of a text generator: AppErrors whose codes (GENERATOR_*, in src/errors) reach GraphQL as
// `extensions.code` through the one error table; `status` is the HTTP status the server answered, if any.
import { AppError, type ErrorCode } from "../../errors/app-error.js";

export type GeneratorErrorCode = Extract<ErrorCode, `GENERATOR_${string}`>;

export class GeneratorError extends AppError {
  constructor(
    override readonly code: GeneratorErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(code, message, status === undefined ? undefined : { status });
    this.name = "GeneratorError";
  }
}

export function isGeneratorError(error: unknown): error is GeneratorError {
  return error instanceof GeneratorError;
}
