// Every resolver of the analyses for the schema: each folder's, the stored results', and the fields of Evidence.
import type { ClassType } from "type-graphql";
import { FOLDER_RESOLVERS } from "./analysis.kinds.js";
import { EVIDENCE_RESOLVERS } from "./relations.resolver.js";
import { RESULTS_RESOLVERS } from "./results/results.resolver.js";

export const ANALYSIS_RESOLVERS: readonly ClassType[] = [
  ...FOLDER_RESOLVERS,
  ...RESULTS_RESOLVERS,
  ...EVIDENCE_RESOLVERS,
];
