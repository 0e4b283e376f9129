// Query protection with GraphQL Armor (depth, aliases, directives, cost, field suggestions) and the token
// limit of GraphQL's own parser, the same for HTTP (Apollo: validation rules, parseOptions) and WebSocket
// operations (parsed and validated in graphql-ws onSubscribe with the same options and rules).
//
// Armor's own max-tokens Apollo plugin is not used: it re-parses in `parsingDidStart` and turns any syntax
// error into an HTTP 500. graphql-js (>= 16.7) counts tokens while parsing (`maxTokens`) and Apollo reports
// the overflow as a syntax error (GRAPHQL_PARSE_FAILED, 400) before validation, let alone execution.
import { ApolloArmor } from "@escape.tech/graphql-armor";
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";
import type { GraphQLLimits } from "../config.js";

export interface Protection {
  apollo: ReturnType<ApolloArmor["protect"]>;
  /** rules beyond GraphQL's own, for every transport */
  validationRules: ValidationRule[];
  /** for Apollo's `parseOptions` */
  parseOptions: { maxTokens: number };
  /** parses with the token limit; throws a GraphQLError (GRAPHQL_PARSE_FAILED) on syntax or too many tokens */
  parse(source: string): DocumentNode;
  /** GraphQL's rules plus ours */
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
}

export function createProtection(limits: GraphQLLimits): Protection {
  const armorConfig = {
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    maxTokens: { enabled: false }, // see above: parseOptions.maxTokens
    costLimit: { maxCost: limits.maxCost },
    // suggestions ("Did you mean …") reveal the schema: hide them when introspection is off
    blockFieldSuggestion: { enabled: !limits.introspection },
  };
  const apollo = new ApolloArmor(armorConfig).protect();
  const validationRules = [
    ...apollo.validationRules,
    ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  return {
    apollo,
    validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    parse(source) {
      try {
        return parse(source, { maxTokens: limits.maxTokens });
      } catch (error) {
        if (error instanceof GraphQLError) {
          throw new GraphQLError(error.message, {
            nodes: error.nodes,
            source: error.source,
            positions: error.positions,
            extensions: { code: "GRAPHQL_PARSE_FAILED" },
          });
        }
        throw error;
      }
    },
    validate(schema, document) {
      // graphql stops at maxErrors ("Too many validation errors"): no work spent on the 101st bad directive
      return validate(schema, document, [...specifiedRules, ...validationRules], { maxErrors: limits.maxErrors }).map(
        (e) =>
          new GraphQLError(e.message, {
            nodes: e.nodes,
            source: e.source,
            positions: e.positions,
            extensions: { code: (e.extensions.code as string | undefined) ?? "GRAPHQL_VALIDATION_FAILED" },
          }),
      );
    },
  };
}
