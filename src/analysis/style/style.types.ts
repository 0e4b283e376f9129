// The style analysis's result types: the classes are both what src/analysis/style computes (style-metrics,
// look-labels, the service) and the GraphQL types. StyleResult is StyleAnalysis without `run`.
import "reflect-metadata";
import { Field, Float, Int, ObjectType } from "type-graphql";
import { TransitionKind } from "../../schema/enums.js";
import { PaletteColour } from "../../schema/model.types.js";
import { AnalysisRunInfo, AnalysisTable } from "../results/run.types.js";

@ObjectType()
export class HistogramBin {
  @Field(() => Float, { description: "shots at least this long (seconds)" }) minLength!: number;
  @Field(() => Float, { nullable: true, description: "and shorter than this; null: open-ended" }) maxLength!:
    number | null;
  @Field(() => Int) count!: number;
  @Field(() => Float) share!: number;
}

@ObjectType({ description: "Shot lengths in seconds; the histogram's bins are fixed, so clips compare." })
export class ShotLengthStats {
  @Field(() => Int) count!: number;
  @Field(() => Float) averageLength!: number;
  @Field(() => Float) medianLength!: number;
  @Field(() => Float) stdDev!: number;
  @Field(() => Float) minLength!: number;
  @Field(() => Float) maxLength!: number;
  @Field(() => [HistogramBin]) histogram!: HistogramBin[];
}

@ObjectType()
export class CuttingRatePoint {
  @Field(() => Float) startTime!: number;
  @Field(() => Float) endTime!: number;
  @Field(() => Int) cuts!: number;
  @Field(() => Float) cutsPerMinute!: number;
}

@ObjectType()
export class TransitionShare {
  @Field(() => TransitionKind) kind!: Exclude<TransitionKind, "START">;
  @Field(() => Int) count!: number;
  @Field(() => Float) share!: number;
}

@ObjectType()
export class VisualPoint {
  @Field(() => Float) time!: number;
  @Field(() => Float) brightness!: number;
  @Field(() => Float) contrast!: number;
  @Field(() => Float) saturation!: number;
  @Field(() => Float) colourfulness!: number;
  @Field(() => String, { nullable: true }) dominantColour!: string | null;
  @Field() monochrome!: boolean;
}

@ObjectType()
export class VisualBin {
  @Field(() => Float) startTime!: number;
  @Field(() => Float) endTime!: number;
  @Field(() => Int) keyframes!: number;
  @Field(() => Float, { nullable: true }) brightness!: number | null;
  @Field(() => Float, { nullable: true }) contrast!: number | null;
  @Field(() => Float, { nullable: true }) saturation!: number | null;
  @Field(() => Float, { nullable: true }) colourfulness!: number | null;
}

@ObjectType({ description: "Keyframe statistics weighted by shot duration." })
export class VisualStyle {
  @Field(() => Int) keyframes!: number;
  @Field(() => Float) brightness!: number;
  @Field(() => Float) contrast!: number;
  @Field(() => Float) saturation!: number;
  @Field(() => Float) colourfulness!: number;
  @Field(() => Float, { description: "share of the time that is monochrome" }) monochromeShare!: number;
  @Field({ description: "monochrome for at least 90 % of the time" }) blackAndWhite!: boolean;
  @Field(() => [PaletteColour]) palette!: PaletteColour[];
  @Field(() => [VisualPoint], { description: "one point per keyframe" }) series!: VisualPoint[];
  @Field(() => [VisualBin]) bins!: VisualBin[];
}

@ObjectType()
export class DialogueBin {
  @Field(() => Float) startTime!: number;
  @Field(() => Float) endTime!: number;
  @Field(() => Int) words!: number;
  @Field(() => Float) wordsPerMinute!: number;
  @Field(() => Float) speechShare!: number;
}

@ObjectType({
  description:
    "Dialogue pace of the main subtitle track; words by Intl.Segmenter (Chinese and Japanese count in words).",
})
export class DialoguePace {
  @Field(() => String, { nullable: true }) language!: string | null;
  @Field(() => Int) cues!: number;
  @Field(() => Int) words!: number;
  @Field(() => Int) sentences!: number;
  @Field(() => Float) wordsPerMinute!: number;
  @Field(() => Float) wordsPerSpeakingMinute!: number;
  @Field(() => Float) speechShare!: number;
  @Field(() => Float) meanSentenceLength!: number;
  @Field(() => Int) questions!: number;
  @Field(() => Int) exclamations!: number;
  @Field(() => Float) questionShare!: number;
  @Field(() => Float) exclamationShare!: number;
  @Field(() => Float) typeTokenRatio!: number;
  @Field(() => Float, { description: "moving-average type-token ratio (50-word windows)" }) mattr!: number;
  @Field(() => [DialogueBin]) bins!: DialogueBin[];
}

@ObjectType()
export class LookLabel {
  @Field() label!: string;
  @Field(() => Float) confidence!: number;
}

@ObjectType({
  description: "Visual look labels by CLIP zero-shot over keyframes; without the model, none, and the reason.",
})
export class LookLabels {
  @Field() available!: boolean;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String, { nullable: true }) model!: string | null;
  @Field(() => Int) keyframes!: number;
  @Field(() => [LookLabel]) labels!: LookLabel[];
}

@ObjectType()
export class ClipStyle {
  clipId!: string;

  @Field() title!: string;
  @Field(() => Float) duration!: number;
  @Field(() => ShotLengthStats) shots!: ShotLengthStats;
  @Field(() => [CuttingRatePoint]) cuttingRate!: CuttingRatePoint[];
  @Field(() => [TransitionShare], { description: "shares of the transitions between shots" })
  transitions!: TransitionShare[];
  @Field(() => VisualStyle) visual!: VisualStyle;
  @Field(() => DialoguePace) dialogue!: DialoguePace;
  @Field(() => LookLabels) look!: LookLabels;
}

@ObjectType({
  description:
    "Style per clip. Tables: comparison (one row per clip), shotLengths, cuttingRate, transitions, visual, visualBins, dialogueBins, looks.",
})
export class StyleAnalysis {
  @Field(() => AnalysisRunInfo) run!: AnalysisRunInfo;
  @Field(() => Float) binSeconds!: number;
  @Field(() => [ClipStyle]) clips!: ClipStyle[];
  @Field(() => [AnalysisTable]) tables!: AnalysisTable[];
}

export type StyleResult = Omit<StyleAnalysis, "run">;
