// GraphQL of scene search (src/search): the hit and the filter of `searchScenes`.
import "reflect-metadata";
import { Field, Float, ID, InputType, ObjectType } from "type-graphql";
import type { SceneSearchHit as SearchHit } from "../search/search.service.js";
import { MatchKind } from "./enums.js";

@ObjectType()
export class SceneSearchHit implements Pick<SearchHit, "sceneId" | "score" | "matchedBy" | "highlights"> {
  /** database id (the relation resolver `scene` loads it) */
  sceneId!: string;

  @Field(() => Float, {
    description: "KEYWORD: BM25; SEMANTIC: cosine similarity; HYBRID: reciprocal rank fusion. Higher is better.",
  })
  score!: number;

  @Field(() => [MatchKind])
  matchedBy!: MatchKind[];

  @Field(() => [String], { description: "fragments of the scene's dialogue with matches in <mark>…</mark>" })
  highlights!: string[];
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
