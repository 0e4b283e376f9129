// Arguments and filters. Every time range is a pair `startTime`/`endTime` in seconds; a range filter selects
// what overlaps [startTime, endTime).
import "reflect-metadata";
import { ArgsType, Field, Float, ID, InputType, Int } from "type-graphql";
import type { SceneListFilter } from "../services/scene.service.js";
import { ClipStatus, JobStatus, TransitionKind } from "./enums.js";

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: "at most 100; default 20" })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: "at most 100" })
  last?: number | null;

  @Field(() => String, { nullable: true })
  before?: string | null;
}

@InputType({ description: "Overlap with [startTime, endTime) seconds; either bound may be left out." })
export class TimeRangeFilter {
  @Field(() => Float, { nullable: true })
  startTime?: number | null;

  @Field(() => Float, { nullable: true })
  endTime?: number | null;
}

@InputType()
export class ClipFilter {
  @Field(() => [ClipStatus], { nullable: true, description: "default [READY]" })
  status?: ClipStatus[] | null;

  @Field(() => String, { nullable: true })
  titleContains?: string | null;
}

@InputType({ description: "Scenes overlapping [startTime, endTime), with dialogue in a language or containing words." })
export class SceneFilter extends TimeRangeFilter implements Omit<SceneListFilter, "clipIds"> {
  @Field(() => String, {
    nullable: true,
    description: "scenes with dialogue in this language (primary subtag: en matches en-GB)",
  })
  language?: string | null;

  @Field(() => String, { nullable: true })
  textContains?: string | null;
}

@InputType({ description: "SceneFilter across clips." })
export class SceneQueryFilter extends SceneFilter {
  @Field(() => [ID], { nullable: true, description: "only these clips (at most 100)" })
  clipIds?: string[] | null;
}

@InputType()
export class CueFilter extends TimeRangeFilter {
  @Field(() => String, { nullable: true, description: "the cue's track language (primary subtag)" })
  language?: string | null;

  @Field(() => String, { nullable: true })
  speaker?: string | null;

  @Field(() => String, { nullable: true })
  textContains?: string | null;
}

@InputType({ description: "CueFilter across clips." })
export class CueQueryFilter extends CueFilter {
  @Field(() => [ID], { nullable: true, description: "only these clips (at most 100)" })
  clipIds?: string[] | null;
}

@InputType()
export class ShotFilter extends TimeRangeFilter {
  @Field(() => [TransitionKind], { nullable: true, description: "how the shot begins" })
  transitions?: TransitionKind[] | null;
}

@InputType({ description: "ShotFilter across clips." })
export class ShotQueryFilter extends ShotFilter {
  @Field(() => [ID], { nullable: true, description: "only these clips (at most 100)" })
  clipIds?: string[] | null;
}

@InputType({ description: "Keyframes whose time is in [startTime, endTime)." })
export class KeyframeFilter extends TimeRangeFilter {}

@InputType({ description: "KeyframeFilter across clips." })
export class KeyframeQueryFilter extends KeyframeFilter {
  @Field(() => [ID], { nullable: true, description: "only these clips (at most 100)" })
  clipIds?: string[] | null;
}

@InputType()
export class TrackFilter {
  @Field(() => String, { nullable: true, description: "primary subtag: en matches en-GB" })
  language?: string | null;
}

@InputType()
export class JobFilter {
  @Field(() => [JobStatus], { nullable: true })
  status?: JobStatus[] | null;
}

@InputType()
export class IngestClipInput {
  @Field({ description: "absolute path of the media file, inside the server's media roots (CINERAG_MEDIA_ROOTS)" })
  path!: string;

  @Field(() => String, { nullable: true, description: "default: the file name" })
  title?: string | null;

  @Field(() => [String], { nullable: true, description: "subtitle files for the clip, inside the media roots" })
  subtitlePaths?: string[] | null;
}
