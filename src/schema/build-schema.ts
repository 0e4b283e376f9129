// Builds the executable schema (once per process: it depends on no configuration; services come in the context).
import "reflect-metadata";
import { fileURLToPath } from "node:url";
import { buildSchema } from "type-graphql";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { RESOLVERS } from "../resolvers/index.js";
import { ANALYSIS_RESOLVERS } from "../analysis/analysis.resolvers.js";
import { SEARCH_RESOLVERS } from "../resolvers/search.resolver.js";
import { EffectsResolver } from "../analysis/effects/effects.resolver.js";
import { authChecker } from "../resolvers/auth.js";

let built: Promise<GraphQLSchema> | undefined;

/**
 * type-graphql insists on a pubSub when there are subscriptions, but ours subscribe through the pub/sub in
 * the context (`subscribe` functions), so one schema serves every app: this one is never used.
 */
const CONTEXT_PUBSUB_ONLY = {
  publish(): void {
    throw new Error("subscriptions use the pub/sub of the GraphQL context");
  },
  subscribe(): AsyncIterable<unknown> {
    throw new Error("subscriptions use the pub/sub of the GraphQL context");
  },
};

export function cineragSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [...RESOLVERS, ...SEARCH_RESOLVERS, ...ANALYSIS_RESOLVERS, EffectsResolver],
    authChecker,
    validate: false,
    pubSub: CONTEXT_PUBSUB_ONLY,
  });
  return built;
}

/** SDL as committed in schema.graphql: sorted, so that diffs show real changes only. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

/** schema.graphql at the package root (from src/schema or dist/src/schema) */
export function schemaFilePath(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const root = here.includes(`${"/dist/"}`)
    ? new URL("../../../", import.meta.url)
    : new URL("../../", import.meta.url);
  return fileURLToPath(new URL("schema.graphql", root));
}
