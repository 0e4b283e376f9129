// What clients read in `errors`: request-level mistakes are the user's (not masked), limits name their setting.
import { GraphQLError, buildSchema, execute, parse } from "graphql";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { formatError, formatResultErrors } from "../../../src/server/error-format.js";

const logger = pino({ level: "silent" });

describe("error formatting", () => {
  it("reports variables that do not coerce as BAD_USER_INPUT with graphql's message, not as an internal error", async () => {
    const schema = buildSchema("type Query { page(n: Int!): Int }");
    const result = await execute({
      schema,
      document: parse("query($n: Int!) { page(n: $n) }"),
      variableValues: { n: "x" },
    });
    const formatted = formatResultErrors(result, "req-1", logger);
    expect(formatted.errors).toHaveLength(1);
    expect(formatted.errors![0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect(formatted.errors![0]!.message).toMatch(/Int cannot represent non-integer value: "x"/);
  });

  it("still masks a resolver's unexpected error", async () => {
    const schema = buildSchema("type Query { boom: Int }");
    const result = await execute({
      schema,
      document: parse("{ boom }"),
      rootValue: {
        boom: () => {
          throw new Error("secret detail");
        },
      },
    });
    const formatted = formatResultErrors(result, "req-2", logger);
    expect(formatted.errors![0]!.message).not.toContain("secret detail");
    expect(formatted.errors![0]).toMatchObject({ extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "req-2" } });
  });

  it("says a refused query is too costly, and which setting raises the limit", () => {
    const armor = new GraphQLError("Syntax Error: Query Cost limit of 100 exceeded, found 250.", {
      extensions: { code: "BAD_USER_INPUT" },
    });
    const out = formatError(armor.toJSON(), armor);
    expect(out.message).toBe(
      "Query Cost limit of 100 exceeded, found 250. (the server's limit: CINERAG_GRAPHQL_MAX_COST)",
    );
    const syntax = new GraphQLError("Syntax Error: Expected Name, found <EOF>.", {
      extensions: { code: "GRAPHQL_PARSE_FAILED" },
    });
    expect(formatError(syntax.toJSON(), syntax).message).toBe("Syntax Error: Expected Name, found <EOF>.");
  });

  it("reports a database that cannot be reached as SERVICE_UNAVAILABLE, in our words", async () => {
    // the shapes Prisma threw with PostgreSQL stopped (test/e2e/scaleout/postgres.e2e.test.ts)
    const prismaError = (code: string, cause: object) =>
      Object.assign(new Error(`Invalid \`prisma.clip.count()\` invocation: ${code}`), {
        name: "PrismaClientKnownRequestError",
        code,
        clientVersion: "7.10.0",
        meta: { driverAdapterError: { name: "DriverAdapterError", cause } },
      });
    const errors = [
      prismaError("P1001", { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 }),
      prismaError("P2039", { kind: "postgres", code: "57P01", originalCode: "57P01" }),
    ];
    const schema = buildSchema("type Query { clips: Int }");
    for (const error of errors) {
      const result = await execute({
        schema,
        document: parse("{ clips }"),
        rootValue: {
          clips: () => {
            throw error;
          },
        },
      });
      const formatted = formatResultErrors(result, "req-3", logger);
      expect(formatted.errors![0]).toMatchObject({
        message: "the database cannot be reached at the moment; try again shortly",
        extensions: { code: "SERVICE_UNAVAILABLE" },
      });
    }
  });
});
