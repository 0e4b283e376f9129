// Query protection with GraphQL Armor (depth, aliases, directives, cost, field suggestions) and the token
// limit of GraphQL's own parser, the same for HTTP (Apollo: validation rules, parseOptions) and WebSocket
// operations (parsed and validated in graphql-ws onSubscribe with the same options and rules).
//
// Armor's own max-tokens Apollo plugin is not used: it re-parses in `parsingDidStart` and turns any syntax
// error into an HTTP 500. graphql-js (>= 16.7) counts tokens while parsing (`maxTokens`) and Apollo reports
// the overflow as a syntax error (GRAPHQL_PARSE_FAILED, 400) before validation, let alone execution.
//
// Armor's field-suggestion Apollo plugin is not used either: armor types its plugins against Apollo's CJS
// declarations, which this ESM build cannot accept without a cast. `maskFieldSuggestions` below does what it
// does (same pattern, same mask), typed against the Apollo this server runs.
import type { ApolloServerPlugin } from "@apollo/server";
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

/** armor's mask for a hidden field suggestion */
export const SUGGESTION_MASK = "[Suggestion hidden]";

/** Hides "Did you mean …" in every error of a request, as armor's blockFieldSuggestion plugin for Apollo. */
export function maskFieldSuggestions(mask = SUGGESTION_MASK): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        didEncounterErrors({ errors }) {
          for (const error of errors) error.message = error.message.replace(/Did you mean ".+"/g, mask);
          return Promise.resolve();
        },
      });
    },
  };
}

export interface Protection {
  /** Apollo plugins of the protection (the field-suggestion mask when introspection is off) */
  apolloPlugins: ApolloServerPlugin[];
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
    blockFieldSuggestion: { enabled: false }, // see above: maskFieldSuggestions
  };
  const apollo = new ApolloArmor(armorConfig).protect();
  // suggestions ("Did you mean …") reveal the schema: hide them when introspection is off
  const apolloPlugins = limits.introspection ? [] : [maskFieldSuggestions()];
  const validationRules = [
    ...apollo.validationRules,
    ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  return {
    apolloPlugins,
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
