// What every analysis result carries, as GraphQL types and as the store's types: `run` (what produced it:
// models, parameters, code version, cached or not) and `tables` (flat rows for notebooks).
import "reflect-metadata";
import { Field, GraphQLISODateTime, ID, ObjectType } from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";
import { analysisKindEnum } from "../analysis-kind.enum.js";
import type { AnalysisKind } from "../analysis.kinds.js";

@ObjectType({ description: "A model, or the method used instead of one, that went into a result." })
export class ModelUse {
  @Field({ description: "embedding, emotion, zero-shot, clip, generation" })
  task!: string;

  @Field({
    description:
      "model (a neural model) or the method used instead: lexicon, hashing, extractive, openai-compatible, unavailable",
  })
  method!: string;

  @Field()
  model!: string;
}

/** a cell of a table: what pandas reads as it is */
export type Cell = string | number | boolean | null;

@ObjectType({ description: "A flat table for notebooks: `pandas.DataFrame(rows, columns=columns)`." })
export class AnalysisTable {
  @Field()
  name!: string;

  @Field(() => [String])
  columns!: string[];

  @Field(() => GraphQLJSON, {
    description: "rows, each an array of cells (number, string, boolean or null) in column order",
  })
  rows!: Cell[][];
}

@ObjectType({
  description:
    "A stored analysis result: what produced it and when. Asking again with the same inputs returns it (`cached: true`).",
})
export class AnalysisRunInfo {
  @Field(() => ID)
  id!: string;

  @Field(() => analysisKindEnum())
  kind!: AnalysisKind;

  /** database ids (the field resolver `clipIds` shows global IDs) */
  clipIds!: string[];

  @Field({ description: "sha256 of the scope (clips and when each became READY)" })
  scopeHash!: string;

  @Field(() => GraphQLJSON)
  parameters!: Record<string, unknown>;

  @Field(() => [ModelUse])
  models!: ModelUse[];

  @Field({ description: "cinerag's version that computed it" })
  codeVersion!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field({ description: "true when read back from the store instead of computed for this request" })
  cached!: boolean;

  /** the result when it is at hand (else the field resolver reads it from the store) */
  result?: unknown;
}

@ObjectType({ description: "An analysis result was computed (not sent for results reused from the store)." })
export class AnalysisCompletedEvent {
  @Field(() => analysisKindEnum())
  kind!: AnalysisKind;

  @Field(() => AnalysisRunInfo)
  run!: AnalysisRunInfo;
}
