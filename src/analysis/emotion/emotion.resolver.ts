// GraphQL of the emotion analysis: thin; arguments in, service call, result out.
import "reflect-metadata";
import { Arg, Ctx, Float, Int, Query, Resolver, UseMiddleware } from "type-graphql";
import { AppError } from "../../errors/app-error.js";
import type { GraphQLContext } from "../../resolvers/context.js";
import { DeadlineMiddleware } from "../../resolvers/deadline.middleware.js";
import { analysisOf } from "../analysis.context.js";
import { relation } from "../relations.resolver.js";
import { runInfo } from "../results/run-info.js";
import { AnalysisScopeInput, scopeOf } from "../scope.inputs.js";
import type { ArcResolution } from "./emotion-aggregate.js";
import {
  ClipEmotion,
  EmotionAnalysis,
  EmotionArcPoint,
  EmotionPeak,
  EmotionResolution,
  SceneEmotion,
  SpeakerEmotion,
} from "./emotion.types.js";

function arcOf(resolution: EmotionResolution, binSeconds: number | null): ArcResolution {
  if (binSeconds != null) return { kind: "BIN", seconds: binSeconds };
  return resolution === EmotionResolution.MINUTE ? { kind: "BIN", seconds: 60 } : { kind: "SCENE" };
}

@Resolver()
@UseMiddleware(DeadlineMiddleware)
export class EmotionResolver {
  @Query(() => EmotionAnalysis, {
    description: "emotion per cue, scene, speaker and clip: distribution, arc over time, peaks with their cues",
  })
  async emotionAnalysis(
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) scope: AnalysisScopeInput | null,
    @Arg("resolution", () => EmotionResolution, { defaultValue: EmotionResolution.SCENE })
    resolution: EmotionResolution,
    @Arg("binSeconds", () => Float, { nullable: true, description: "arc bins in seconds (overrides MINUTE's 60)" })
    binSeconds: number | null,
    @Arg("peaksPerEmotion", () => Int, { defaultValue: 3 }) peaksPerEmotion: number,
    @Arg("refresh", { defaultValue: false, description: "compute again even if a stored result exists" })
    refresh: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<EmotionAnalysis> {
    if (binSeconds != null && !(binSeconds >= 1 && binSeconds <= 3600))
      throw new AppError("BAD_INPUT", "binSeconds must be from 1 to 3600");
    if (!Number.isInteger(peaksPerEmotion) || peaksPerEmotion < 0 || peaksPerEmotion > 20)
      throw new AppError("BAD_INPUT", "peaksPerEmotion must be from 0 to 20");
    const arc = arcOf(resolution, binSeconds);
    const run = await analysisOf(ctx).module.emotion.analyse(
      scopeOf(scope),
      { resolution: arc, peaksPerEmotion },
      { refresh },
    );
    // The service keeps the whole scope's distribution under `distribution` (as clips, scenes and speakers
    // have theirs spread) and the resolution as given; the GraphQL type has them at the top level, as text.
    const { method, model, storedCues, computedCues, distribution, clips, tables } = run.result;
    return {
      run: runInfo(run),
      method,
      model,
      storedCues,
      computedCues,
      resolution: arc.kind === "SCENE" ? "SCENE" : `${arc.seconds}s`,
      scores: distribution.scores,
      dominant: distribution.dominant,
      clips,
      tables,
    } satisfies EmotionAnalysis;
  }
}

export const EMOTION_RESOLVERS = [
  EmotionResolver,
  relation(ClipEmotion, "clip", "clipId"),
  relation(SceneEmotion, "scene", "sceneId"),
  relation(SpeakerEmotion, "clip", "clipId"),
  relation(EmotionArcPoint, "scene", "sceneId", { nullable: true, description: "the scene of a per-scene arc" }),
  relation(EmotionPeak, "cue", "cueId"),
  relation(EmotionPeak, "scene", "sceneId", { nullable: true }),
];
