// The emotion analysis's result types: the classes are both what src/analysis/emotion computes and the
// GraphQL types. Undecorated fields (database ids) are what the relation resolvers (clip, scene, cue) read.
import "reflect-metadata";
import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import type { Emotion } from "../../models/model-ports.js";
import { AnalysisRunInfo, AnalysisTable } from "../results/run.types.js";

export enum EmotionResolution {
  SCENE = "SCENE",
  MINUTE = "MINUTE",
}
registerEnumType(EmotionResolution, {
  name: "EmotionResolution",
  description: "Points of an emotion arc: one per scene, or one per minute (or per `binSeconds`).",
});

@ObjectType({ description: "An emotion distribution over Ekman's six plus neutral (sums to 1; all 0 without cues)." })
export class EmotionScores {
  @Field(() => Float) anger!: number;
  @Field(() => Float) disgust!: number;
  @Field(() => Float) fear!: number;
  @Field(() => Float) joy!: number;
  @Field(() => Float) sadness!: number;
  @Field(() => Float) surprise!: number;
  @Field(() => Float) neutral!: number;
}

/** a distribution and its strongest emotion (null without cues) */
export interface Distribution {
  scores: EmotionScores;
  dominant: Emotion | null;
}

@ObjectType()
export class SceneEmotion implements Distribution {
  sceneId!: string;
  clipId!: string;

  @Field(() => Float) startTime!: number;
  @Field(() => Float) endTime!: number;
  @Field(() => Int) cueCount!: number;
  @Field(() => EmotionScores) scores!: EmotionScores;
  @Field(() => String, { nullable: true }) dominant!: Emotion | null;
}

@ObjectType()
export class SpeakerEmotion implements Distribution {
  clipId!: string;

  @Field() speaker!: string;
  @Field(() => Int) cueCount!: number;
  @Field(() => EmotionScores) scores!: EmotionScores;
  @Field(() => String, { nullable: true }) dominant!: Emotion | null;
}

@ObjectType({
  description: "A point of an emotion arc: the mean distribution of the cues starting in [startTime, endTime).",
})
export class EmotionArcPoint implements Distribution {
  clipId!: string;
  /** the scene of a per-scene arc */
  sceneId!: string | null;

  @Field(() => Float) startTime!: number;
  @Field(() => Float) endTime!: number;
  @Field(() => Int) cueCount!: number;
  @Field(() => EmotionScores) scores!: EmotionScores;
  @Field(() => String, { nullable: true }) dominant!: Emotion | null;
}

@ObjectType({ description: "A cue where an emotion peaks, with its score." })
export class EmotionPeak {
  clipId!: string;
  cueId!: string;
  sceneId!: string | null;

  @Field(() => String) emotion!: Emotion;
  @Field(() => Float) score!: number;
  @Field(() => Float) startTime!: number;
  @Field(() => Float) endTime!: number;
  @Field() text!: string;
  @Field(() => String, { nullable: true }) speaker!: string | null;
}

@ObjectType()
export class ClipEmotion implements Distribution {
  clipId!: string;

  @Field() title!: string;
  @Field(() => Float) duration!: number;
  @Field(() => Int) cueCount!: number;
  @Field(() => EmotionScores) scores!: EmotionScores;
  @Field(() => String, { nullable: true }) dominant!: Emotion | null;
  @Field(() => [SceneEmotion]) scenes!: SceneEmotion[];
  @Field(() => [SpeakerEmotion], { description: "cues with a known speaker only" }) speakers!: SpeakerEmotion[];
  @Field(() => [EmotionArcPoint]) arc!: EmotionArcPoint[];
  @Field(() => [EmotionPeak], { description: "per emotion (neutral aside) the strongest cues" }) peaks!: EmotionPeak[];
}

@ObjectType({
  description:
    "Emotion per cue, scene, speaker and clip (arc and peaks). Tables: clips, arc, scenes, speakers, peaks, cues.",
})
export class EmotionAnalysis {
  @Field(() => AnalysisRunInfo) run!: AnalysisRunInfo;
  @Field({ description: "model, or lexicon when the emotion model cannot be had" }) method!: string;
  @Field() model!: string;
  @Field(() => Int, { description: "cues whose scores were stored by the ingest enrichment" }) storedCues!: number;
  @Field(() => Int, { description: "cues classified for this analysis" }) computedCues!: number;
  @Field({ description: "SCENE or the bin length, e.g. 60s" }) resolution!: string;
  @Field(() => EmotionScores) scores!: EmotionScores;
  @Field(() => String, { nullable: true }) dominant!: Emotion | null;
  @Field(() => [ClipEmotion]) clips!: ClipEmotion[];
  @Field(() => [AnalysisTable]) tables!: AnalysisTable[];
}
