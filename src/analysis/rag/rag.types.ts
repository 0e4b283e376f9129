// The retrieval-augmented analyses' result types (ask, draftScene, answerStream): the classes are both what
// src/analysis/rag computes and the GraphQL types. AskResult and DraftResult are the results without `run`.
import "reflect-metadata";
import { Field, Float, ObjectType, registerEnumType } from "type-graphql";
import { MatchKind } from "../../schema/enums.js";
import { Evidence } from "../evidence.types.js";
import { AnalysisRunInfo, AnalysisTable } from "../results/run.types.js";

export enum AnswerStreamEventType {
  TOKEN = "TOKEN",
  ANSWER = "ANSWER",
}
registerEnumType(AnswerStreamEventType, {
  name: "AnswerStreamEventType",
  description:
    "TOKEN: a piece of generated text (before the citation check); ANSWER: the final, checked answer (last event).",
});

/** a citation of an answer: evidence with the marker the answer uses */
export type Citation = Evidence & { marker: number };

@ObjectType({ description: "A retrieved scene of an answer or draft, with why it was taken." })
export class RetrievedScene extends Evidence {
  /** every retrieved scene has its marker */
  declare marker: number;

  @Field(() => Float, { description: "cosine similarity of the question and the scene's dialogue" })
  similarity!: number;

  @Field(() => Float, { description: "share of the question's content words found in the scene" })
  overlap!: number;

  @Field(() => [MatchKind])
  matchedBy!: MatchKind[];
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
  @Field(() => [Evidence]) citations!: Citation[];
  @Field(() => [RemovedCitation]) removedCitations!: RemovedCitation[];
  @Field(() => [RetrievedScene]) retrieved!: RetrievedScene[];
  @Field(() => [AnalysisTable]) tables!: AnalysisTable[];
  /** what the generator wrote, before the citation check */
  rawText!: string;
}

/** an answer as the service computes it (and the store keeps it) */
export type AskResult = Omit<Answer, "run">;

@ObjectType({ description: "A short screenplay scene in Fountain format, grounded in retrieved scenes (its sources)." })
export class SceneDraft {
  @Field(() => AnalysisRunInfo) run!: AnalysisRunInfo;
  @Field() prompt!: string;
  @Field(() => String) format!: "fountain";
  @Field() text!: string;
  @Field() method!: string;
  @Field() model!: string;
  @Field() noRelevantScene!: boolean;
  @Field(() => [RetrievedScene]) sources!: RetrievedScene[];
  @Field(() => [RemovedCitation]) removedCitations!: RemovedCitation[];
}

export type DraftResult = Omit<SceneDraft, "run">;

@ObjectType()
export class AnswerStreamEvent {
  @Field(() => AnswerStreamEventType) type!: AnswerStreamEventType;
  @Field(() => String, { nullable: true }) token!: string | null;
  @Field(() => Answer, { nullable: true }) answer!: Answer | null;
}
