// Every failure the CLI shows is one line on stderr and an exit status; stack traces go to the log only.
import { isAppError } from "../errors/app-error.js";
import { ERROR_TABLE } from "../errors/error-codes.js";

export function describeError(error: unknown): { message: string; exit: number } {
  if (isAppError(error)) return { message: error.message, exit: ERROR_TABLE[error.code].exit };
  const message = error instanceof Error ? error.message : String(error);
  return { message: `internal error: ${message.split("\n")[0]}`, exit: 1 };
}

export function printError(error: unknown): number {
  const { message, exit } = describeError(error);
  process.stderr.write(`cinerag: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  return exit;
}
