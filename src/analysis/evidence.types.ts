// Evidence: a scene an analysis rests on, with its times and the line that shows it. The same class is the
// services' result type and the GraphQL type; its relations (scene, clip) and its startTime/endTime/keyframeUrl
// are field resolvers in ./relations.resolver.ts.
import "reflect-metadata";
import { Field, Float, Int, ObjectType } from "type-graphql";

@ObjectType({
  description:
    "A scene an answer or analysis rests on. startTime/endTime: the quoted line's, or the scene's without a quote.",
})
export class Evidence {
  sceneId!: string;
  clipId!: string;
  /** keyframe file relative to the data directory (the API turns it into a URL) */
  keyframePath!: string | null;

  @Field(() => Int, { nullable: true, description: "the answer's marker [S<n>] for this scene" })
  marker?: number | null;

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
