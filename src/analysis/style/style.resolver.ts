// GraphQL of the style analysis: thin; arguments in, service call, result out.
import "reflect-metadata";
import { Arg, Ctx, Float, Query, Resolver, UseMiddleware } from "type-graphql";
import type { GraphQLContext } from "../../resolvers/context.js";
import { DeadlineMiddleware } from "../../resolvers/deadline.middleware.js";
import { analysisOf } from "../analysis.context.js";
import { relation } from "../relations.resolver.js";
import { withRun } from "../results/run-info.js";
import { AnalysisScopeInput, scopeOf } from "../scope.inputs.js";
import { ClipStyle, StyleAnalysis } from "./style.types.js";

@Resolver()
@UseMiddleware(DeadlineMiddleware)
export class StyleResolver {
  @Query(() => StyleAnalysis, {
    description: "shot lengths, cutting rate, transitions, visual statistics, dialogue pace and look labels, per clip",
  })
  async styleAnalysis(
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) scope: AnalysisScopeInput | null,
    @Arg("binSeconds", () => Float, { defaultValue: 60, description: "bins of the series over time" })
    binSeconds: number,
    @Arg("looks", { defaultValue: true, description: "look labels by CLIP (when the model can be had)" })
    looks: boolean,
    @Arg("refresh", { defaultValue: false }) refresh: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StyleAnalysis> {
    const run = await analysisOf(ctx).module.style.analyse(scopeOf(scope), { binSeconds, looks }, { refresh });
    return withRun(run) satisfies StyleAnalysis;
  }
}

export const STYLE_RESOLVERS = [StyleResolver, relation(ClipStyle, "clip", "clipId")];
