import "reflect-metadata";
import { Field, Float, ID, InputType } from "type-graphql";

@InputType({ description: "The clips an analysis covers; none given: every READY clip (at most 100)." })
export class AnalysisScopeInput {
  @Field(() => [ID], { nullable: true })
  clipIds?: string[] | null;
}

@InputType({
  description: "Scenes of these clips, overlapping [startTime, endTime), with dialogue in one of these languages.",
})
export class SceneSearchFilter {
  @Field(() => [ID], { nullable: true, description: "at most 100" })
  clipIds?: string[] | null;

  @Field(() => Float, { nullable: true })
  startTime?: number | null;

  @Field(() => Float, { nullable: true })
  endTime?: number | null;

  @Field(() => [String], { nullable: true, description: "primary subtag match: zh matches zh-Hans" })
  languages?: string[] | null;
}
