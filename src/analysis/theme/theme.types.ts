// The theme analyses' result types (discovery and test): the classes are both what the theme service
// computes and the GraphQL types. The service's results are these without `run` (ThemeDiscoveryResult,
// ThemeTestResult); undecorated fields are for the service and the relation resolvers.
import "reflect-metadata";
import { Field, Float, Int, ObjectType } from "type-graphql";
import { Evidence } from "../evidence.types.js";
import { AnalysisRunInfo, AnalysisTable } from "../results/run.types.js";

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
  @Field(() => String, { description: "generator or keywords" }) labelMethod!: "generator" | "keywords";
  @Field(() => [Keyword]) keywords!: Keyword[];
  @Field(() => Int) sceneCount!: number;
  @Field(() => Float, { description: "share of the scenes with dialogue" }) share!: number;
  @Field(() => Float, { description: "mean similarity of its scenes to its centre" }) cohesion!: number;
  /** database ids of its scenes */
  sceneIds!: string[];
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
  /** scenes clustered (scenes without dialogue are left out) */
  @Field(() => Int) sceneCount!: number;
  @Field(() => [Theme]) themes!: Theme[];
  @Field(() => [AnalysisTable]) tables!: AnalysisTable[];
}

export type ThemeDiscoveryResult = Omit<ThemeDiscovery, "run">;

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

export type ThemeTestResult = Omit<ThemeTest, "run">;
