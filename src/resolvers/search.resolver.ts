// GraphQL of scene search: `searchScenes` (keywords, meaning or both), the hits' scene by the relation resolver.
import "reflect-metadata";
import { Arg, Ctx, Int, Query, Resolver, UseMiddleware } from "type-graphql";
import { analysisOf } from "../analysis/analysis.context.js";
import { relation } from "../analysis/relations.resolver.js";
import { SearchMode } from "../schema/enums.js";
import { SceneSearchFilter, SceneSearchHit } from "../schema/search.types.js";
import { clipIdsOf, timeRange } from "./args.js";
import type { GraphQLContext } from "./context.js";
import { DeadlineMiddleware } from "./deadline.middleware.js";

@Resolver()
@UseMiddleware(DeadlineMiddleware)
export class SearchResolver {
  @Query(() => [SceneSearchHit], { description: "scenes by keywords, meaning or both (hybrid), best first" })
  async searchScenes(
    @Arg("query") query: string,
    @Arg("mode", () => SearchMode, { defaultValue: SearchMode.HYBRID }) mode: SearchMode,
    @Arg("filter", () => SceneSearchFilter, { nullable: true }) filter: SceneSearchFilter | null,
    @Arg("first", () => Int, { defaultValue: 10, description: "1..100" }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SceneSearchHit[]> {
    const { startTime, endTime } = timeRange(filter);
    const hits = await analysisOf(ctx).search.searchScenes(query, {
      mode,
      first,
      filter: {
        ...(filter?.clipIds ? { clipIds: clipIdsOf(filter.clipIds) } : {}),
        ...(startTime !== undefined || endTime !== undefined ? { timeRange: { from: startTime, to: endTime } } : {}),
        ...(filter?.languages ? { languages: filter.languages } : {}),
      },
    });
    return hits.map((h) => ({
      sceneId: h.sceneId,
      score: h.score,
      matchedBy: h.matchedBy,
      highlights: h.highlights,
    }));
  }
}

export const SEARCH_RESOLVERS = [SearchResolver, relation(SceneSearchHit, "scene", "sceneId")] as const;
