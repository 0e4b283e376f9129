// The effects breakdown's result types: these classes are what EffectsService returns and what GraphQL
// serves (type-graphql object types), so the two cannot drift apart.
import "reflect-metadata";
import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";
import { EFFECT_CATEGORIES, type EffectCategory } from "./effects-catalog.js";
import type { ScriptReading } from "./screenplay.js";

export const EffectCategoryEnum = Object.fromEntries(EFFECT_CATEGORIES.map((c) => [c, c])) as {
  [K in EffectCategory]: K;
};
registerEnumType(EffectCategoryEnum, { name: "EffectCategory", description: "a kind of visual or special effect" });

export enum EffectComplexity {
  LOW = "LOW",
  MEDIUM = "MEDIUM",
  HIGH = "HIGH",
}
registerEnumType(EffectComplexity, { name: "EffectComplexity" });

export enum ScriptReadingEnum {
  SCENE_HEADINGS = "SCENE_HEADINGS",
  SINGLE_SCENE = "SINGLE_SCENE",
}
registerEnumType(ScriptReadingEnum, {
  name: "ScriptReading",
  description: "how the script was divided: by its scene headings, or read as one scene (it had none)",
});

@ObjectType({ description: "A shot of the archive that shows what an effect looks like." })
export class ReferenceShot {
  @Field() clipId!: string;
  @Field() clipTitle!: string;
  @Field() sceneId!: string;
  @Field(() => Float, { description: "seconds" }) startTime!: number;
  @Field(() => Float, { description: "seconds" }) endTime!: number;
  @Field(() => String, { nullable: true, description: "keyframe file relative to the data directory" })
  keyframePath!: string | null;
  @Field(() => String, { nullable: true }) keyframeUrl?: string | null;
  @Field({ description: "why it matched: CLIP text-to-image, captions or dialogue" }) matchedBy!: string;
  @Field(() => String, { nullable: true, description: "the caption or line that matched" }) evidence!: string | null;
  @Field(() => Float) score!: number;
}

@ObjectType({ description: "One effect a script scene calls for." })
export class SceneEffect {
  @Field(() => EffectCategoryEnum) category!: EffectCategory;
  @Field() label!: string;
  @Field({ description: "the action that calls for it" }) description!: string;
  @Field(() => EffectComplexity) complexity!: EffectComplexity;
  @Field(() => [String], { description: "the words that called for it" }) cues!: string[];
  @Field({ description: "keywords or zero-shot" }) detectedBy!: string;
  @Field(() => [ReferenceShot]) references!: ReferenceShot[];
}

@ObjectType({ description: "A scene of the script with the effects it calls for (none for a dialogue-only scene)." })
export class ScriptSceneEffects {
  @Field() number!: string;
  @Field() heading!: string;
  @Field(() => [String], { description: "speakers of the scene's dialogue" }) speakers!: string[];
  @Field(() => [SceneEffect]) effects!: SceneEffect[];
}

@ObjectType({ description: "A flat table for notebooks: `pandas.DataFrame(rows, columns=columns)`." })
export class EffectsTable {
  @Field() name!: string;
  @Field(() => [String]) columns!: string[];
  @Field(() => GraphQLJSON) rows!: unknown[][];
}

@ObjectType({ description: "The reference reel: the reference shots cut together, titled per effect." })
export class ReferenceReel {
  @Field({ description: "file relative to the data directory" }) path!: string;
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => Int) shots!: number;
  @Field(() => Float) duration!: number;
}

@ObjectType({ description: "A VFX breakdown of a screenplay, with reference shots from the archive." })
export class EffectsBreakdown {
  @Field(() => ScriptReadingEnum) reading!: ScriptReading;
  @Field({ description: "what the reading means, in words" }) readingNote!: string;
  @Field(() => Int) sceneCount!: number;
  @Field(() => [ScriptSceneEffects]) scenes!: ScriptSceneEffects[];
  @Field(() => ReferenceReel, { nullable: true }) reel!: ReferenceReel | null;
  @Field(() => String, { nullable: true, description: "why there is no reel" }) reelUnavailable!: string | null;
  @Field({ description: "keywords, zero-shot+keywords" }) method!: string;
  @Field(() => [String], { description: "models and fallbacks used" }) models!: string[];
  @Field(() => [EffectsTable]) tables!: EffectsTable[];
}
