// `cinerag query '<document>' [--variables '<json>']`: runs a GraphQL document against the data directory
// without a server and prints the JSON result (for scripts and notebooks). Exit status 1 when the result
// has errors, 2 when the document or variables cannot be read.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { GraphQLError } from "graphql";
import type { App } from "../app.js";
import { AppError } from "../errors/app-error.js";

interface QueryOptions {
  variables?: string;
  operationName?: string;
  runJobs?: boolean;
  pretty?: boolean;
}

async function readDocument(arg: string): Promise<string> {
  if (arg === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }
  if (arg.startsWith("@")) return readFile(arg.slice(1), "utf8");
  return arg;
}

function parseVariables(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError("BAD_INPUT", `--variables: not JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new AppError("BAD_INPUT", "--variables: must be a JSON object");
  return value as Record<string, unknown>;
}

/** Runs a document like the server would for a local editor; returns the formatted result. */
export async function runQuery(app: App, source: string, variables?: Record<string, unknown>, operationName?: string) {
  // loaded here, not above: every command registers `query`, and `ingest` has no use for GraphQL (start-up cost)
  const [graphql, { cineragSchema }, { createContext }, { formatResultErrors }] = await Promise.all([
    import("graphql"),
    import("../schema/build-schema.js"),
    import("../resolvers/context.js"),
    import("../server/error-format.js"),
  ]);
  const { execute, getOperationAST, OperationTypeNode, parse, specifiedRules, validate } = graphql;
  const schema = await cineragSchema();
  const requestId = `cli-${process.pid}`;
  let document;
  try {
    document = parse(source);
  } catch (error) {
    const e = error as GraphQLError;
    return { errors: [{ message: e.message, locations: e.locations, extensions: { code: "GRAPHQL_PARSE_FAILED" } }] };
  }
  const errors = validate(schema, document, specifiedRules);
  if (errors.length > 0)
    return {
      errors: errors.map((e) => ({
        message: e.message,
        locations: e.locations,
        extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
      })),
    };
  const operation = getOperationAST(document, operationName);
  if (operation?.operation === OperationTypeNode.SUBSCRIPTION) {
    return {
      errors: [
        {
          message: "subscriptions need the server: run `cinerag serve` and subscribe over WebSocket",
          extensions: { code: "BAD_USER_INPUT" },
        },
      ],
    };
  }
  const contextValue = createContext({
    services: app.api,
    logger: app.logger,
    requestId,
    role: "editor",
    baseUrl: app.config.publicUrl,
  });
  const result = await execute({ schema, document, variableValues: variables, operationName, contextValue });
  return formatResultErrors(result, requestId, app.logger);
}

export function registerQuery(program: Command, openApp: () => Promise<App>): void {
  program
    .command("query")
    .description("run a GraphQL query or mutation against the data directory and print the JSON result")
    .argument("<document>", "the GraphQL document; '-' reads it from stdin, '@file' from a file")
    .option("-v, --variables <json>", "variables as a JSON object")
    .option("-o, --operation-name <name>", "the operation to run when the document has several")
    .option(
      "--run-jobs",
      "run queued jobs (e.g. one queued by ingestClip) before exiting, instead of leaving them to `cinerag serve`",
    )
    .option("--pretty", "indent the JSON")
    .action(async (documentArg: string, options: QueryOptions) => {
      const source = await readDocument(documentArg);
      const variables = parseVariables(options.variables);
      const app = await openApp();
      try {
        const result = await runQuery(app, source, variables, options.operationName);
        if (options.runJobs) {
          await app.jobs.start();
          await app.jobs.idle();
        }
        process.stdout.write(`${JSON.stringify(result, null, options.pretty ? 2 : undefined)}\n`);
        process.exitCode = result.errors && result.errors.length > 0 ? 1 : 0;
      } finally {
        await app.close();
      }
    });
}
