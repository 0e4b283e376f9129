// GraphQL types of the analyses (src/analysis). Resolvers return the services' plain result objects; the
// undecorated fields (database ids) are what the field resolvers in src/resolvers/analysis.resolver.ts
// need for relations (scene, clip, cue) and keyframe URLs. Every analysis carries `run` (what produced it:
// models, parameters, code version, cached or not) and `tables` (flat rows for notebooks).
import "reflect-metadata";
import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";
import { PaletteColour } from "../model.types.js";
import { TransitionKind } from "../enums.js";

export enum AnalysisKind {
  EMOTION = "EMOTION",
  THEME_DISCOVERY = "THEME_DISCOVERY",
  THEME_TEST = "THEME_TEST",
  STYLE = "STYLE",
  ASK = "ASK",
  DRAFT_SCENE = "DRAFT_SCENE",
}
registerEnumType(AnalysisKind, { name: "AnalysisKind" });

export enum EmotionResolution {
  SCENE = "SCENE",
  MINUTE = "MINUTE",
}
registerEnumType(EmotionResolution, {
  name: "EmotionResolution",
  description: "Points of an emotion arc: one per scene, or one per minute (or per `binSeconds`).",
});

export enum SearchMode {
  HYBRID = "HYBRID",
  KEYWORD = "KEYWORD",
  SEMANTIC = "SEMANTIC",
}
registerEnumType(SearchMode, {
  name: "SearchMode",
  description: "KEYWORD: BM25; SEMANTIC: vector kNN; HYBRID: both, fused by reciprocal rank.",
});

export enum MatchKind {
  KEYWORD = "KEYWORD",
  SEMANTIC = "SEMANTIC",
}
registerEnumType(MatchKind, { name: "MatchKind" });

export enum AnswerStreamEventType {
  TOKEN = "TOKEN",
  ANSWER = "ANSWER",
}
registerEnumType(AnswerStreamEventType, {
  name: "AnswerStreamEventType",
  description:
    "TOKEN: a piece of generated text (before the citation check); ANSWER: the final, checked answer (last event).",
});

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

@ObjectType({ description: "A flat table for notebooks: `pandas.DataFrame(rows, columns=columns)`." })
export class AnalysisTable {
  @Field()
  name!: string;

  @Field(() => [String])
  columns!: string[];

  @Field(() => GraphQLJSON, {
    description: "rows, each an array of cells (number, string, boolean or null) in column order",
  })
  rows!: unknown[][];
}

@ObjectType({
  description:
    "A stored analysis result: what produced it and when. Asking again with the same inputs returns it (`cached: true`).",
})
export class AnalysisRunInfo {
  @Field(() => ID)
  id!: string;

  @Field(() => AnalysisKind)
  kind!: AnalysisKind;

  /** database ids */
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

  result?: unknown;
}

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

@ObjectType()
export class SceneEmotion {
  sceneId!: string;
  clipId!: string;

  @Field(() => Float) startTime!: number;
  @Field(() => Float) endTime!: number;
  @Field(() => Int) cueCount!: number;
  @Field(() => EmotionScores) scores!: EmotionScores;
  @Field(() => String, { nullable: true }) dominant!: string | null;
}

@ObjectType()
export class SpeakerEmotion {
  clipId!: string;

  @Field() speaker!: string;
  @Field(() => Int) cueCount!: number;
  @Field(() => EmotionScores) scores!: EmotionScores;
  @Field(() => String, { nullable: true }) dominant!: string | null;
}

@ObjectType({
  description: "A point of an emotion arc: the mean distribution of the cues starting in [startTime, endTime).",
})
export class EmotionArcPoint {
  clipId!: string;
  sceneId!: string | null;

  @Field(() => Float) startTime!: number;
  @Field(() => Float) endTime!: number;
  @Field(() => Int) cueCount!: number;
  @Field(() => EmotionScores) scores!: EmotionScores;
  @Field(() => String, { nullable: true }) dominant!: string | null;
}

@ObjectType({ description: "A cue where an emotion peaks, with its score." })
export class EmotionPeak {
  clipId!: string;
  cueId!: string;
  sceneId!: string | null;

  @Field() emotion!: string;
  @Field(() => Float) score!: number;
  @Field(() => Float) startTime!: number;
  @Field(() => Float) endTime!: number;
  @Field() text!: string;
  @Field(() => String, { nullable: true }) speaker!: string | null;
}

@ObjectType()
export class ClipEmotion {
  clipId!: string;

  @Field() title!: string;
  @Field(() => Float) duration!: number;
  @Field(() => Int) cueCount!: number;
  @Field(() => EmotionScores) scores!: EmotionScores;
  @Field(() => String, { nullable: true }) dominant!: string | null;
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
  @Field(() => String, { nullable: true }) dominant!: string | null;
  @Field(() => [ClipEmotion]) clips!: ClipEmotion[];
  @Field(() => [AnalysisTable]) tables!: AnalysisTable[];
}

@ObjectType({
  description:
    "A scene an answer or analysis rests on. startTime/endTime: the quoted line's, or the scene's without a quote.",
})
export class Evidence {
  sceneId!: string;
  clipId!: string;
  keyframePath!: string | null;

  @Field(() => Int, { nullable: true, description: "the answer's marker [S<n>] for this scene" })
  marker!: number | null;

  @Field(() => Float, { description: "how strongly it supports the point (similarity, zero-shot or search score)" })
  score!: number;

  @Field(() => String, { nullable: true, description: "a line of the scene's dialogue, verbatim" })
  quote!: string | null;

  /** the scene's times; the quoted line's (null without a quote). GraphQL's startTime/endTime: the quote's, else the scene's */
  startTime!: number;
  endTime!: number;
  quoteStart!: number | null;
  quoteEnd!: number | null;
}

@ObjectType({ description: "A retrieved scene of an answer or draft, with why it was taken." })
export class RetrievedScene extends Evidence {
  @Field(() => Float, { description: "cosine similarity of the question and the scene's dialogue" })
  similarity!: number;

  @Field(() => Float, { description: "share of the question's content words found in the scene" })
  overlap!: number;

  @Field(() => [MatchKind])
  matchedBy!: MatchKind[];
}

@ObjectType()
export class Keyword {
  @Field() term!: string;
  @Field(() => Float) weight!: number;
}

@ObjectType()
export class KCandidate {
  @Field(() => Int) k!: number;
  @Field(() => Float) silhouette!: number;
}

@ObjectType()
export class Theme {
  @Field(() => Int) index!: number;
  @Field() label!: string;
  @Field({ description: "generator or keywords" }) labelMethod!: string;
  @Field(() => [Keyword]) keywords!: Keyword[];
  @Field(() => Int) sceneCount!: number;
  @Field(() => Float, { description: "share of the scenes with dialogue" }) share!: number;
  @Field(() => Float, { description: "mean similarity of its scenes to its centre" }) cohesion!: number;
  @Field(() => [Evidence], { description: "the scenes nearest its centre" }) evidence!: Evidence[];
}

@ObjectType({
  description:
    "Themes found by clustering scene embeddings (k by silhouette), keywords by c-TF-IDF. Tables: themes, evidence, k.",
})
export class ThemeDiscovery {
  @Field(() => AnalysisRunInfo) run!: AnalysisRunInfo;
  @Field() method!: string;
  @Field() embeddingModel!: string;
  @Field() labelModel!: string;
  @Field(() => Int) k!: number;
  @Field(() => Float) silhouette!: number;
  @Field(() => [KCandidate]) candidates!: KCandidate[];
  @Field(() => Int) sceneCount!: number;
  @Field(() => [Theme]) themes!: Theme[];
  @Field(() => [AnalysisTable]) tables!: AnalysisTable[];
}

@ObjectType()
export class ThemeClipPresence {
  clipId!: string;

  @Field(() => Float) strength!: number;
  @Field(() => Float) presence!: number;
  @Field(() => Float) peak!: number;
}

@ObjectType()
export class ThemePresence {
  @Field() theme!: string;
  @Field(() => Float, { description: "mean score over the scenes with dialogue (0..1)" }) strength!: number;
  @Field(() => Float, { description: "share of the scenes scoring at least the threshold" }) presence!: number;
  @Field(() => Float) peak!: number;
  @Field(() => [Evidence], {
    description: "the scenes scoring highest above the threshold (none: no evidence, no claim)",
  })
  evidence!: Evidence[];
  @Field(() => [ThemeClipPresence]) clips!: ThemeClipPresence[];
}

@ObjectType({ description: "How strongly given themes are present, and where. Tables: themes, clips, scenes." })
export class ThemeTest {
  @Field(() => AnalysisRunInfo) run!: AnalysisRunInfo;
  @Field({ description: "zero-shot+embedding, or embedding when the zero-shot model cannot be had" }) method!: string;
  @Field(() => String, { nullable: true }) zeroShotModel!: string | null;
  @Field(() => String, { nullable: true, description: "why zero-shot was not used" }) zeroShotUnavailable!:
    string | null;
  @Field() embeddingModel!: string;
  @Field(() => Float) threshold!: number;
  @Field(() => Int) sceneCount!: number;
  @Field(() => [ThemePresence]) themes!: ThemePresence[];
  @Field(() => [AnalysisTable]) tables!: AnalysisTable[];
}

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
  @Field(() => TransitionKind) kind!: TransitionKind;
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

@ObjectType({ description: "A citation removed by the checker: it named a scene that was not retrieved." })
export class RemovedCitation {
  @Field(() => String, {
    nullable: true,
    description: "the marker as written (S7); null when the whole answer cited nothing",
  })
  marker!: string | null;

  @Field({ description: "the sentence it was in (removed with it when it had no valid marker)" })
  sentence!: string;

  @Field()
  reason!: string;
}

@ObjectType({ description: "An answer from retrieved scenes; every citation names a retrieved scene." })
export class Answer {
  @Field(() => AnalysisRunInfo) run!: AnalysisRunInfo;
  @Field() question!: string;
  @Field({ description: "the checked answer, with markers [S<n>]" }) text!: string;
  @Field({ description: "extractive, openai-compatible, model, or none (no relevant scene)" }) method!: string;
  @Field() model!: string;
  @Field() noRelevantScene!: boolean;
  @Field(() => [Evidence]) citations!: Evidence[];
  @Field(() => [RemovedCitation]) removedCitations!: RemovedCitation[];
  @Field(() => [RetrievedScene]) retrieved!: RetrievedScene[];
  @Field(() => [AnalysisTable]) tables!: AnalysisTable[];
}

@ObjectType({ description: "A short screenplay scene in Fountain format, grounded in retrieved scenes (its sources)." })
export class SceneDraft {
  @Field(() => AnalysisRunInfo) run!: AnalysisRunInfo;
  @Field() prompt!: string;
  @Field() format!: string;
  @Field() text!: string;
  @Field() method!: string;
  @Field() model!: string;
  @Field() noRelevantScene!: boolean;
  @Field(() => [RetrievedScene]) sources!: RetrievedScene[];
  @Field(() => [RemovedCitation]) removedCitations!: RemovedCitation[];
}

@ObjectType()
export class AnswerStreamEvent {
  @Field(() => AnswerStreamEventType) type!: AnswerStreamEventType;
  @Field(() => String, { nullable: true }) token!: string | null;
  @Field(() => Answer, { nullable: true }) answer!: Answer | null;
}

@ObjectType({ description: "An analysis result was computed (not sent for results reused from the store)." })
export class AnalysisCompletedEvent {
  @Field(() => AnalysisKind) kind!: AnalysisKind;
  @Field(() => AnalysisRunInfo) run!: AnalysisRunInfo;
}

@ObjectType()
export class SceneSearchHit {
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
