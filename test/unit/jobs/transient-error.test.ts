// Which job failures are retried (src/jobs/transient-error.ts): the codes the error table marks transient and raw
// client errors of an engine that went away; everything else is permanent. The Prisma error shape is the one
// PostgreSQL's stop produced (test/e2e/scaleout/postgres.e2e.test.ts); the ioredis messages are ioredis's own.
import { describe, expect, it } from "vitest";
import { AppError } from "../../../src/errors/app-error.js";
import { backoffDelay, isTransientError, jobErrorText } from "../../../src/jobs/transient-error.js";

const prismaUnreachable = () =>
  Object.assign(new Error("Invalid `prisma.job.update()` invocation:\n\nCan't reach database server"), {
    name: "PrismaClientKnownRequestError",
    code: "P1001",
    clientVersion: "7.10.0",
  });

describe("transient job failures", () => {
  it("an engine away is transient; bad media, bad input, a bug or a cancel is not", () => {
    expect(isTransientError(new AppError("ENGINE_UNAVAILABLE", "Redis is away"))).toBe(true);
    expect(isTransientError(new AppError("SEARCH_UNAVAILABLE", "search is away"))).toBe(true);
    expect(isTransientError(prismaUnreachable())).toBe(true);
    expect(isTransientError(new Error("Connection is closed."))).toBe(true);
    expect(
      isTransientError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" })),
    ).toBe(true);
    for (const code of ["NO_VIDEO_STREAM", "BAD_INPUT", "CORRUPT_MEDIA", "CANCELLED", "TIMEOUT"] as const)
      expect(isTransientError(new AppError(code, "x")), code).toBe(false);
    expect(isTransientError(new TypeError("cannot read properties of undefined"))).toBe(false);
    expect(isTransientError("a string")).toBe(false);
  });

  it("says a failure as `CODE: message`, a database's in our words", () => {
    expect(jobErrorText(new AppError("NO_VIDEO_STREAM", "no video stream"))).toBe("NO_VIDEO_STREAM: no video stream");
    expect(jobErrorText(prismaUnreachable())).toBe(
      "ENGINE_UNAVAILABLE: the database cannot be reached at the moment; try again shortly",
    );
    expect(jobErrorText(new Error("Connection is closed."))).toBe(
      "ENGINE_UNAVAILABLE: Redis cannot be reached at the moment; try again shortly",
    );
    expect(jobErrorText(new TypeError("x is undefined\n    at f"))).toBe("INTERNAL: internal error: x is undefined");
  });

  it("waits backoffMs after the first failed run, twice as long after each later one", () => {
    const policy = { attempts: 5, backoffMs: 500 };
    expect([1, 2, 3, 4].map((a) => backoffDelay(policy, a))).toEqual([500, 1000, 2000, 4000]);
  });
});
