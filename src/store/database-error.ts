// A database error in a log line says what happened in our words, with our code, never Prisma's raw text
// (several lines naming the call, "Invalid `prisma.cueEmotion.createMany()` invocation", and a stack).
import { AppError, isAppError } from "../errors/app-error.js";

function isPrismaError(error: unknown): error is Error & { code?: string } {
  return error instanceof Error && (error.name.startsWith("PrismaClient") || "clientVersion" in error);
}

const MESSAGES: Array<[RegExp, string]> = [
  [/timed out|busy|locked/i, "the database was busy for too long (another writer held it)"],
  [/foreign key/i, "a row it refers to is gone (deleted or re-ingested meanwhile)"],
  [/unique constraint/i, "the row was written at the same time by another writer"],
];

/** Our error for a database failure (code CONFLICT or TIMEOUT); any other error is returned as it is. */
export function describeDatabaseError(error: unknown): unknown {
  if (isAppError(error) || !isPrismaError(error)) return error;
  const match = MESSAGES.find(([pattern]) => pattern.test(error.message));
  const code = match && match[0].source.startsWith("timed") ? "TIMEOUT" : "CONFLICT";
  return new AppError(code, `database write failed: ${match?.[1] ?? "the database refused the operation"}`, {
    prismaCode: error.code,
  });
}
