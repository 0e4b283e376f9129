// GraphQL of the stored results of every kind: analysisResults, analysisResult, the `analysisCompleted`
// subscription (results as they are computed), and the fields of AnalysisRunInfo.
import "reflect-metadata";
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root, Subscription, UseMiddleware } from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";
import { clipIdsOf } from "../../resolvers/args.js";
import { freshLoaders, type GraphQLContext } from "../../resolvers/context.js";
import { DeadlineMiddleware } from "../../resolvers/deadline.middleware.js";
import { fromGlobalId, toGlobalId } from "../../services/global-id.js";
import { analysisOf } from "../analysis.context.js";
import { analysisKindEnum } from "../analysis-kind.enum.js";
import type { AnalysisKind } from "../analysis.kinds.js";
import { ANALYSIS_COMPLETED, type AnalysisCompletedPayload } from "./analysis-store.js";
import { runInfo } from "./run-info.js";
import { AnalysisCompletedEvent, AnalysisRunInfo } from "./run.types.js";

interface CompletedArgs {
  kinds?: AnalysisKind[] | null;
  clipIds?: string[] | null;
}

@Resolver()
@UseMiddleware(DeadlineMiddleware)
export class ResultsResolver {
  @Query(() => [AnalysisRunInfo], { description: "stored analysis results, newest first" })
  async analysisResults(
    @Arg("kinds", () => [analysisKindEnum()], { nullable: true }) kinds: AnalysisKind[] | null,
    @Arg("clipId", () => ID, { nullable: true }) clipId: string | null,
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AnalysisRunInfo[]> {
    const runs = await analysisOf(ctx).module.store.list({
      kinds: kinds ?? undefined,
      clipId: clipId ? fromGlobalId(clipId, "Clip", "clipId") : undefined,
      first,
    });
    return runs.map(runInfo);
  }

  @Query(() => AnalysisRunInfo, { nullable: true })
  async analysisResult(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<AnalysisRunInfo | null> {
    const run = await analysisOf(ctx).module.store.get(id);
    return run ? runInfo(run) : null;
  }

  @Subscription(() => AnalysisCompletedEvent, {
    description: "each analysis result as it is computed (results reused from the store are not sent)",
    subscribe: ({ args, context }) => completedStream(context as GraphQLContext, args as CompletedArgs),
  })
  analysisCompleted(
    @Root() payload: AnalysisCompletedPayload,
    @Arg("kinds", () => [analysisKindEnum()], { nullable: true }) _kinds: AnalysisKind[] | null,
    @Arg("clipIds", () => [ID], { nullable: true, description: "only results whose scope includes one of these clips" })
    _clipIds: string[] | null,
    @Ctx() ctx: GraphQLContext,
  ): AnalysisCompletedEvent {
    freshLoaders(ctx);
    return { kind: payload.kind, run: runInfo({ ...payload, cached: false }) };
  }
}

function completedStream(ctx: GraphQLContext, args: CompletedArgs): AsyncIterable<AnalysisCompletedPayload> {
  const wanted = clipIdsOf(args.clipIds);
  const kinds = args.kinds;
  // the topic's payloads are AnalysisCompletedPayloads: AnalysisStore is its only publisher
  const live = ctx.services.pubsub.subscribe(ANALYSIS_COMPLETED) as AsyncIterableIterator<AnalysisCompletedPayload>;
  return (async function* () {
    try {
      for await (const p of live) {
        if (kinds?.length && !kinds.includes(p.kind)) continue;
        if (wanted?.length && !p.clipIds.some((c) => wanted.includes(c))) continue;
        yield p;
      }
    } finally {
      await live.return?.();
    }
  })();
}

@Resolver(() => AnalysisRunInfo)
export class AnalysisRunInfoResolver {
  @FieldResolver(() => [ID], { name: "clipIds", description: "the scope's clips (global IDs)" })
  clipIdsField(@Root() r: AnalysisRunInfo): string[] {
    return r.clipIds.map((id) => toGlobalId("Clip", id));
  }

  @FieldResolver(() => GraphQLJSON, { description: "the whole result as JSON (what the typed fields show, and more)" })
  async result(@Root() r: AnalysisRunInfo, @Ctx() ctx: GraphQLContext): Promise<unknown> {
    if (r.result !== undefined) return r.result;
    return (await analysisOf(ctx).module.store.get(r.id))?.result ?? null;
  }
}

export const RESULTS_RESOLVERS = [ResultsResolver, AnalysisRunInfoResolver];
