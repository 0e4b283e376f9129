// GraphQL of the theme analyses (discovery and test): thin; arguments in, service call, result out.
import "reflect-metadata";
import { Arg, Ctx, Float, Int, Query, Resolver, UseMiddleware } from "type-graphql";
import type { GraphQLContext } from "../../resolvers/context.js";
import { DeadlineMiddleware } from "../../resolvers/deadline.middleware.js";
import { analysisOf } from "../analysis.context.js";
import { relation } from "../relations.resolver.js";
import { withRun } from "../results/run-info.js";
import { AnalysisScopeInput, scopeOf } from "../scope.inputs.js";
import { ThemeClipPresence, ThemeDiscovery, ThemeTest } from "./theme.types.js";

@Resolver()
@UseMiddleware(DeadlineMiddleware)
export class ThemeResolver {
  @Query(() => ThemeDiscovery, {
    description: "the main themes: clusters of scene embeddings with keywords, a label and supporting scenes",
  })
  async themeDiscovery(
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) scope: AnalysisScopeInput | null,
    @Arg("minThemes", () => Int, { defaultValue: 2 }) minThemes: number,
    @Arg("maxThemes", () => Int, { defaultValue: 8 }) maxThemes: number,
    @Arg("keywords", () => Int, { defaultValue: 8 }) keywords: number,
    @Arg("refresh", { defaultValue: false }) refresh: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ThemeDiscovery> {
    const run = await analysisOf(ctx).module.themes.discover(
      scopeOf(scope),
      { minThemes, maxThemes, keywords },
      { refresh },
    );
    return withRun(run) satisfies ThemeDiscovery;
  }

  @Query(() => ThemeTest, { description: "how strongly each given theme is present, and where, with evidence scenes" })
  async themeTest(
    @Arg("themes", () => [String]) themes: string[],
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) scope: AnalysisScopeInput | null,
    @Arg("threshold", () => Float, {
      nullable: true,
      description: "default 0.5 with zero-shot, 0.3 with embeddings only",
    })
    threshold: number | null,
    @Arg("refresh", { defaultValue: false }) refresh: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ThemeTest> {
    const run = await analysisOf(ctx).module.themes.test(
      scopeOf(scope),
      themes,
      { ...(threshold != null ? { threshold } : {}) },
      { refresh },
    );
    return withRun(run) satisfies ThemeTest;
  }
}

export const THEME_RESOLVERS = [ThemeResolver, relation(ThemeClipPresence, "clip", "clipId")];
