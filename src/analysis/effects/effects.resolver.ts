// GraphQL of the effects breakdown: effectsBreakdown(script, scope) → EffectsBreakdown (./effects.types.ts).
import "reflect-metadata";
import { Arg, Ctx, Int, Query, Resolver, UseMiddleware } from "type-graphql";
import { AppError } from "../../errors/app-error.js";
import { clipIdsOf } from "../../resolvers/args.js";
import type { GraphQLContext } from "../../resolvers/context.js";
import { DeadlineMiddleware } from "../../resolvers/deadline.middleware.js";
import { AnalysisScopeInput } from "../scope.inputs.js";
import { toGlobalId } from "../../services/global-id.js";
import { effectsOf } from "./effects.context.js";
import { EffectsBreakdown } from "./effects.types.js";
import { reelUrl } from "./reel-url.js";

@Resolver()
@UseMiddleware(DeadlineMiddleware)
export class EffectsResolver {
  @Query(() => EffectsBreakdown, {
    description:
      "a VFX breakdown of a screenplay (Fountain or plain text, at most 512 KiB): per script scene the effects it calls for, with reference shots from the archive and a reference reel",
  })
  async effectsBreakdown(
    @Arg("script") script: string,
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) scope: AnalysisScopeInput | null,
    @Arg("referencesPerEffect", () => Int, { defaultValue: 2 }) referencesPerEffect: number,
    @Arg("reel", { defaultValue: true, description: "assemble the reference reel (MP4)" }) reel: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<EffectsBreakdown> {
    if (!Number.isInteger(referencesPerEffect) || referencesPerEffect < 0 || referencesPerEffect > 10)
      throw new AppError("BAD_INPUT", "referencesPerEffect must be from 0 to 10");
    const result = await effectsOf(ctx).breakdown(
      script,
      { clipIds: clipIdsOf(scope?.clipIds) ?? [] },
      { referencesPerEffect, reel },
    );
    for (const scene of result.scenes)
      for (const effect of scene.effects)
        for (const r of effect.references) {
          r.keyframeUrl = r.keyframePath ? ctx.services.keyframeUrls.url(r.keyframePath, ctx.baseUrl) : null;
          r.clipId = toGlobalId("Clip", r.clipId);
          r.sceneId = r.sceneId ? toGlobalId("Scene", r.sceneId) : r.sceneId;
        }
    if (result.reel) result.reel.url = reelUrl(ctx.services.keyframeUrls, result.reel.path, ctx.baseUrl);
    return result;
  }
}
