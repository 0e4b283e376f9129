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

/** Prisma's codes for a server it cannot reach, a connection lost or a pool that gave no connection in time */
const UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** the driver adapter's kinds of the same */
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "SocketTimeout", "ConnectionClosed", "TooManyConnections"]);

interface AdapterCause {
  kind?: string;
  code?: string;
  originalCode?: string;
}

/**
 * true when the database server cannot be reached or went away (PostgreSQL stopped or restarting, the
 * network down): the request may succeed later, nothing about it was wrong.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!isPrismaError(error)) return false;
  if (error.code && UNAVAILABLE_CODES.has(error.code)) return true;
  const meta = (error as { meta?: { driverAdapterError?: { cause?: AdapterCause } } }).meta;
  const cause = meta?.driverAdapterError?.cause;
  if (!cause) return false;
  if (cause.kind && UNAVAILABLE_KINDS.has(cause.kind)) return true;
  // PostgreSQL's SQLSTATE: class 08 connection exception; 57P01-57P03 shutting down, crashed, starting up
  const sqlState = cause.originalCode ?? cause.code;
  return typeof sqlState === "string" && (/^08/.test(sqlState) || /^57P0[123]$/.test(sqlState));
}

/** ENGINE_UNAVAILABLE (GraphQL SERVICE_UNAVAILABLE) for a database that cannot be reached, else undefined. */
export function databaseUnavailableError(error: unknown): AppError | undefined {
  if (!isDatabaseUnavailable(error)) return undefined;
  return new AppError("ENGINE_UNAVAILABLE", "the database cannot be reached at the moment; try again shortly", {
    prismaCode: (error as { code?: string }).code,
  });
}

/** Our error for a database failure (code CONFLICT, TIMEOUT or ENGINE_UNAVAILABLE); any other error is returned as it is. */
export function describeDatabaseError(error: unknown): unknown {
  if (isAppError(error) || !isPrismaError(error)) return error;
  const unavailable = databaseUnavailableError(error);
  if (unavailable) return unavailable;
  const match = MESSAGES.find(([pattern]) => pattern.test(error.message));
  const code = match && match[0].source.startsWith("timed") ? "TIMEOUT" : "CONFLICT";
  return new AppError(code, `database write failed: ${match?.[1] ?? "the database refused the operation"}`, {
    prismaCode: error.code,
  });
}
