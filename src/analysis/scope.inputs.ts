// The scope argument every analysis query takes, and its translation into the services' scope.
import "reflect-metadata";
import { Field, ID, InputType } from "type-graphql";
import { clipIdsOf, idsOf } from "../resolvers/args.js";
import type { AnalysisScope } from "./scope.js";

@InputType({ description: "The clips an analysis covers; none given: every READY clip (at most 100)." })
export class AnalysisScopeInput {
  @Field(() => [ID], { nullable: true })
  clipIds?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Read only the dialogue tracks in this language (a BCP 47 tag or its prefix: "fr" takes "fr-CA"). ' +
      "None given: every subtitle and transcript track counts.",
  })
  language?: string | null;

  @Field(() => [ID], {
    nullable: true,
    description: "Read only these subtitle tracks (ids from Clip.subtitleTracks). With language: both must hold.",
  })
  trackIds?: string[] | null;
}

export function scopeOf(input: AnalysisScopeInput | null | undefined): AnalysisScope {
  const trackIds = idsOf(input?.trackIds, "SubtitleTrack", "trackIds") ?? [];
  const language = input?.language ?? undefined;
  return {
    clipIds: clipIdsOf(input?.clipIds) ?? [],
    ...(language !== undefined || trackIds.length ? { tracks: { language, trackIds } } : {}),
  };
}
