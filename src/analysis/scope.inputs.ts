// The scope argument every analysis query takes, and its translation into the services' scope.
import "reflect-metadata";
import { Field, ID, InputType } from "type-graphql";
import { clipIdsOf } from "../resolvers/args.js";
import type { AnalysisScope } from "./scope.js";

@InputType({ description: "The clips an analysis covers; none given: every READY clip (at most 100)." })
export class AnalysisScopeInput {
  @Field(() => [ID], { nullable: true })
  clipIds?: string[] | null;
}

export function scopeOf(input: AnalysisScopeInput | null | undefined): AnalysisScope {
  return { clipIds: clipIdsOf(input?.clipIds) ?? [] };
}
