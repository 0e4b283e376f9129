// GraphQL of the analyses (src/analysis): thin; arguments in, service call, result out. Queries: emotion,
// themes (discover, test), style, ask, draftScene, stored results, searchScenes. Subscriptions:
// analysisCompleted (results as they are computed) and answerStream (tokens of an answer, then the answer).
import "reflect-metadata";
import { GraphQLError } from "graphql";
import {
  Arg,
  Ctx,
  FieldResolver,
  Float,
  ID,
  Int,
  Query,
  Resolver,
  Root,
  Subscription,
  UseMiddleware,
} from "type-graphql";
import { GraphQLJSON } from "graphql-scalars";
import { AppError } from "../errors/app-error.js";
import { isModelUnavailable } from "../models/model-errors.js";
import { isGeneratorError } from "../analysis/generators/generator-error.js";
import {
  ANALYSIS_COMPLETED,
  type AnalysisCompletedPayload,
  type AnalysisRun,
} from "../analysis/results/analysis-store.js";
import type { AskResult } from "../analysis/rag/ask.service.js";
import type { AnalysisScope } from "../analysis/scope.js";
import { fromGlobalId, toGlobalId } from "../services/global-id.js";
import { Clip, Cue, Scene } from "../schema/model.types.js";
import {
  AnalysisCompletedEvent,
  AnalysisKind,
  AnalysisRunInfo,
  Answer,
  AnswerStreamEvent,
  AnswerStreamEventType,
  ClipEmotion,
  ClipStyle,
  EmotionAnalysis,
  EmotionArcPoint,
  EmotionPeak,
  EmotionResolution,
  Evidence,
  RetrievedScene,
  SceneDraft,
  SceneEmotion,
  SceneSearchHit,
  SearchMode,
  SpeakerEmotion,
  StyleAnalysis,
  ThemeClipPresence,
  ThemeDiscovery,
  ThemeTest,
} from "../schema/analysis/analysis.types.js";
import { AnalysisScopeInput, SceneSearchFilter } from "../schema/analysis/analysis.inputs.js";
import { analysisOf } from "./analysis.context.js";
import { clipIdsOf } from "./args.js";
import { closable } from "../events/closable-stream.js";
import { freshLoaders, type GraphQLContext } from "./context.js";
import { DeadlineMiddleware } from "./deadline.middleware.js";

/** Generator and model errors reach clients with their own codes; everything else goes on as it was. */
export function mapAnalysisError(error: unknown): unknown {
  if (isGeneratorError(error)) return new GraphQLError(error.message, { extensions: { code: error.code } });
  if (isModelUnavailable(error))
    return new GraphQLError((error as Error).message, { extensions: { code: "MODEL_UNAVAILABLE" } });
  return error;
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw mapAnalysisError(error);
  }
}

function scopeOf(input: AnalysisScopeInput | null | undefined): AnalysisScope {
  return { clipIds: clipIdsOf(input?.clipIds) ?? [] };
}

export function runInfo(run: Omit<AnalysisRun, "result"> & { result?: unknown }): AnalysisRunInfo {
  return Object.assign(new AnalysisRunInfo(), {
    id: run.id,
    kind: run.kind as AnalysisKind,
    clipIds: run.clipIds,
    scopeHash: run.scopeHash,
    parameters: run.parameters,
    models: run.models,
    codeVersion: run.codeVersion,
    createdAt: new Date(run.createdAt),
    cached: run.cached,
    result: run.result,
  });
}

/** The result object with `run` beside its fields (the GraphQL analysis types are the results plus run). */
function withRun<T extends object>(run: AnalysisRun<T>): T & { run: AnalysisRunInfo } {
  return { ...run.result, run: runInfo(run) };
}

function answerOf(run: AnalysisRun<AskResult>): Answer {
  return withRun(run) as unknown as Answer;
}

@Resolver()
@UseMiddleware(DeadlineMiddleware)
export class AnalysisResolver {
  @Query(() => EmotionAnalysis, {
    description: "emotion per cue, scene, speaker and clip: distribution, arc over time, peaks with their cues",
  })
  emotionAnalysis(
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) scope: AnalysisScopeInput | null,
    @Arg("resolution", () => EmotionResolution, { defaultValue: EmotionResolution.SCENE })
    resolution: EmotionResolution,
    @Arg("binSeconds", () => Float, { nullable: true, description: "arc bins in seconds (overrides MINUTE's 60)" })
    binSeconds: number | null,
    @Arg("peaksPerEmotion", () => Int, { defaultValue: 3 }) peaksPerEmotion: number,
    @Arg("refresh", { defaultValue: false, description: "compute again even if a stored result exists" })
    refresh: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<EmotionAnalysis> {
    if (binSeconds != null && !(binSeconds >= 1 && binSeconds <= 3600))
      throw new AppError("BAD_INPUT", "binSeconds must be from 1 to 3600");
    if (!Number.isInteger(peaksPerEmotion) || peaksPerEmotion < 0 || peaksPerEmotion > 20)
      throw new AppError("BAD_INPUT", "peaksPerEmotion must be from 0 to 20");
    const arc =
      binSeconds != null
        ? { kind: "BIN" as const, seconds: binSeconds }
        : resolution === EmotionResolution.MINUTE
          ? { kind: "BIN" as const, seconds: 60 }
          : { kind: "SCENE" as const };
    return guarded(async () => {
      const run = await analysisOf(ctx).module.emotion.analyse(
        scopeOf(scope),
        { resolution: arc, peaksPerEmotion },
        { refresh },
      );
      const r = withRun(run);
      // The service keeps the whole scope's distribution under `distribution` (as clips, scenes and
      // speakers have theirs spread); the GraphQL type has it at the top level.
      const { scores, dominant } = run.result.distribution;
      return {
        ...r,
        scores,
        dominant,
        resolution: arc.kind === "SCENE" ? "SCENE" : `${arc.seconds}s`,
      } as unknown as EmotionAnalysis;
    });
  }

  @Query(() => ThemeDiscovery, {
    description: "the main themes: clusters of scene embeddings with keywords, a label and supporting scenes",
  })
  themeDiscovery(
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) scope: AnalysisScopeInput | null,
    @Arg("minThemes", () => Int, { defaultValue: 2 }) minThemes: number,
    @Arg("maxThemes", () => Int, { defaultValue: 8 }) maxThemes: number,
    @Arg("keywords", () => Int, { defaultValue: 8 }) keywords: number,
    @Arg("refresh", { defaultValue: false }) refresh: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ThemeDiscovery> {
    return guarded(
      async () =>
        withRun(
          await analysisOf(ctx).module.themes.discover(scopeOf(scope), { minThemes, maxThemes, keywords }, { refresh }),
        ) as unknown as ThemeDiscovery,
    );
  }

  @Query(() => ThemeTest, { description: "how strongly each given theme is present, and where, with evidence scenes" })
  themeTest(
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
    return guarded(
      async () =>
        withRun(
          await analysisOf(ctx).module.themes.test(
            scopeOf(scope),
            themes,
            { ...(threshold != null ? { threshold } : {}) },
            { refresh },
          ),
        ) as unknown as ThemeTest,
    );
  }

  @Query(() => StyleAnalysis, {
    description: "shot lengths, cutting rate, transitions, visual statistics, dialogue pace and look labels, per clip",
  })
  styleAnalysis(
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) scope: AnalysisScopeInput | null,
    @Arg("binSeconds", () => Float, { defaultValue: 60, description: "bins of the series over time" })
    binSeconds: number,
    @Arg("looks", { defaultValue: true, description: "look labels by CLIP (when the model can be had)" })
    looks: boolean,
    @Arg("refresh", { defaultValue: false }) refresh: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StyleAnalysis> {
    return guarded(
      async () =>
        withRun(
          await analysisOf(ctx).module.style.analyse(scopeOf(scope), { binSeconds, looks }, { refresh }),
        ) as unknown as StyleAnalysis,
    );
  }

  @Query(() => Answer, {
    description: "answers a question from retrieved scenes, citing them; says so when no scene is relevant",
  })
  ask(
    @Arg("question") question: string,
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) scope: AnalysisScopeInput | null,
    @Arg("first", () => Int, { defaultValue: 6, description: "scenes retrieved (1..20)" }) first: number,
    @Arg("refresh", { defaultValue: false }) refresh: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Answer> {
    return guarded(async () =>
      answerOf(await analysisOf(ctx).module.ask.ask(question, scopeOf(scope), { first }, { refresh })),
    );
  }

  @Query(() => SceneDraft, {
    description: "a short screenplay scene in Fountain format, grounded in the most similar scenes",
  })
  draftScene(
    @Arg("prompt") prompt: string,
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) scope: AnalysisScopeInput | null,
    @Arg("first", () => Int, { defaultValue: 3, description: "reference scenes (1..20)" }) first: number,
    @Arg("refresh", { defaultValue: false }) refresh: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SceneDraft> {
    return guarded(
      async () =>
        withRun(
          await analysisOf(ctx).module.ask.draftScene(prompt, scopeOf(scope), { first }, { refresh }),
        ) as unknown as SceneDraft,
    );
  }

  @Query(() => [AnalysisRunInfo], { description: "stored analysis results, newest first" })
  async analysisResults(
    @Arg("kinds", () => [AnalysisKind], { nullable: true }) kinds: AnalysisKind[] | null,
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

  @Query(() => [SceneSearchHit], { description: "scenes by keywords, meaning or both (hybrid), best first" })
  async searchScenes(
    @Arg("query") query: string,
    @Arg("mode", () => SearchMode, { defaultValue: SearchMode.HYBRID }) mode: SearchMode,
    @Arg("filter", () => SceneSearchFilter, { nullable: true }) filter: SceneSearchFilter | null,
    @Arg("first", () => Int, { defaultValue: 10, description: "1..100" }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SceneSearchHit[]> {
    const startTime = filter?.startTime ?? undefined;
    const endTime = filter?.endTime ?? undefined;
    if (startTime !== undefined && endTime !== undefined && endTime < startTime)
      throw new AppError("BAD_INPUT", "endTime must not be before startTime");
    const hits = await analysisOf(ctx).search.searchScenes(query, {
      mode,
      first,
      filter: {
        ...(filter?.clipIds ? { clipIds: clipIdsOf(filter.clipIds) } : {}),
        ...(startTime !== undefined || endTime !== undefined ? { timeRange: { from: startTime, to: endTime } } : {}),
        ...(filter?.languages ? { languages: filter.languages } : {}),
      },
    });
    return hits.map((h) =>
      Object.assign(new SceneSearchHit(), {
        sceneId: h.sceneId,
        score: h.score,
        matchedBy: h.matchedBy,
        highlights: h.highlights,
      }),
    );
  }

  @Subscription(() => AnalysisCompletedEvent, {
    description: "each analysis result as it is computed (results reused from the store are not sent)",
    subscribe: ({ args, context }) =>
      completedStream(context as GraphQLContext, args.kinds as AnalysisKind[] | null, args.clipIds as string[] | null),
  })
  analysisCompleted(
    @Root() payload: AnalysisCompletedPayload,
    @Arg("kinds", () => [AnalysisKind], { nullable: true }) _kinds: AnalysisKind[] | null,
    @Arg("clipIds", () => [ID], { nullable: true, description: "only results whose scope includes one of these clips" })
    _clipIds: string[] | null,
    @Ctx() ctx: GraphQLContext,
  ): AnalysisCompletedEvent {
    freshLoaders(ctx);
    return Object.assign(new AnalysisCompletedEvent(), {
      kind: payload.kind as AnalysisKind,
      run: runInfo({ ...payload, cached: false }),
    });
  }

  @Subscription(() => AnswerStreamEvent, {
    description:
      "the answer to a question as it is generated: TOKEN events, then one ANSWER event with the checked text and citations",
    subscribe: ({ args, context }) =>
      answerStream(
        context as GraphQLContext,
        args.question as string,
        args.scope as AnalysisScopeInput | null,
        (args.first as number | undefined) ?? 6,
      ),
  })
  answerStream(
    @Root() event: AnswerStreamEvent,
    @Arg("question") _question: string,
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) _scope: AnalysisScopeInput | null,
    @Arg("first", () => Int, { defaultValue: 6 }) _first: number,
  ): AnswerStreamEvent {
    return event;
  }
}

async function completedStream(
  ctx: GraphQLContext,
  kinds: AnalysisKind[] | null,
  clipIds: string[] | null,
): Promise<AsyncIterable<AnalysisCompletedPayload>> {
  const wanted = clipIdsOf(clipIds);
  const live = ctx.services.pubsub.subscribe(ANALYSIS_COMPLETED) as AsyncIterableIterator<AnalysisCompletedPayload>;
  return closable(
    (async function* () {
      try {
        for await (const p of live) {
          if (kinds?.length && !kinds.includes(p.kind as AnalysisKind)) continue;
          if (wanted?.length && !p.clipIds.some((c) => wanted.includes(c))) continue;
          yield p;
        }
      } finally {
        await live.return?.();
      }
    })(),
    () => live.return?.(),
  );
}

/** Bridges the generator's onToken callback to an async iterator; the last event carries the checked answer. */
async function answerStream(
  ctx: GraphQLContext,
  question: string,
  scope: AnalysisScopeInput | null,
  first: number,
): Promise<AsyncIterable<AnswerStreamEvent>> {
  const ask = analysisOf(ctx).module.ask;
  const queue: AnswerStreamEvent[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: unknown;
  const controller = new AbortController();
  const push = (e: AnswerStreamEvent) => {
    queue.push(e);
    wake?.();
  };
  const scopeValue = scopeOf(scope);
  void ask
    .ask(
      question,
      scopeValue,
      { first },
      {
        onToken: (token) => push({ type: AnswerStreamEventType.TOKEN, token, answer: null }),
        signal: controller.signal,
      },
    )
    .then((run) => push({ type: AnswerStreamEventType.ANSWER, token: null, answer: answerOf(run) }))
    .catch((error) => (failure = mapAnalysisError(error)))
    .finally(() => {
      finished = true;
      wake?.();
    });
  const stop = () => {
    controller.abort();
    finished = true;
    wake?.();
  };
  return closable(
    (async function* () {
      try {
        for (;;) {
          while (queue.length) {
            const e = queue.shift()!;
            yield e;
            if (e.type === AnswerStreamEventType.ANSWER) return;
          }
          if (finished) {
            if (failure) throw failure;
            return;
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        controller.abort();
      }
    })(),
    stop,
  );
}

/** Field resolvers of Evidence and of its extension RetrievedScene (one class per object type). */
function evidenceResolver<T extends Evidence>(type: new () => T) {
  @Resolver(() => type)
  class EvidenceFields {
    @FieldResolver(() => Scene)
    async scene(@Root() e: Evidence, @Ctx() ctx: GraphQLContext): Promise<Scene> {
      return (await ctx.loaders.scene.load(e.sceneId))!;
    }

    @FieldResolver(() => Clip)
    async clip(@Root() e: Evidence, @Ctx() ctx: GraphQLContext): Promise<Clip> {
      return (await ctx.loaders.clip.load(e.clipId))!;
    }

    @FieldResolver(() => Float, { description: "start of the quoted line (of the scene without a quote), seconds" })
    startTime(@Root() e: Evidence): number {
      return e.quoteStart ?? e.startTime;
    }

    @FieldResolver(() => Float, { description: "end of the quoted line (of the scene without a quote), seconds" })
    endTime(@Root() e: Evidence): number {
      return e.quoteEnd ?? e.endTime;
    }

    @FieldResolver(() => String, {
      nullable: true,
      description: "URL of the keyframe of the quoted line's shot (else the scene's first)",
    })
    keyframeUrl(@Root() e: Evidence, @Ctx() ctx: GraphQLContext): string | null {
      return e.keyframePath ? ctx.services.keyframeUrls.url(e.keyframePath, ctx.baseUrl) : null;
    }
  }
  return EvidenceFields;
}

export const EvidenceResolver = evidenceResolver(Evidence);
export const RetrievedSceneResolver = evidenceResolver(RetrievedScene);

@Resolver(() => ClipEmotion)
export class ClipEmotionResolver {
  @FieldResolver(() => Clip)
  async clip(@Root() c: ClipEmotion, @Ctx() ctx: GraphQLContext): Promise<Clip> {
    return (await ctx.loaders.clip.load(c.clipId))!;
  }
}

@Resolver(() => SceneEmotion)
export class SceneEmotionResolver {
  @FieldResolver(() => Scene)
  async scene(@Root() s: SceneEmotion, @Ctx() ctx: GraphQLContext): Promise<Scene> {
    return (await ctx.loaders.scene.load(s.sceneId))!;
  }
}

@Resolver(() => SpeakerEmotion)
export class SpeakerEmotionResolver {
  @FieldResolver(() => Clip)
  async clip(@Root() s: SpeakerEmotion, @Ctx() ctx: GraphQLContext): Promise<Clip> {
    return (await ctx.loaders.clip.load(s.clipId))!;
  }
}

@Resolver(() => EmotionArcPoint)
export class EmotionArcPointResolver {
  @FieldResolver(() => Scene, { nullable: true, description: "the scene of a per-scene arc" })
  scene(@Root() p: EmotionArcPoint, @Ctx() ctx: GraphQLContext): Promise<Scene | null> | null {
    return p.sceneId ? ctx.loaders.scene.load(p.sceneId) : null;
  }
}

@Resolver(() => EmotionPeak)
export class EmotionPeakResolver {
  @FieldResolver(() => Cue)
  async cue(@Root() p: EmotionPeak, @Ctx() ctx: GraphQLContext): Promise<Cue> {
    return (await ctx.loaders.cue.load(p.cueId))!;
  }

  @FieldResolver(() => Scene, { nullable: true })
  scene(@Root() p: EmotionPeak, @Ctx() ctx: GraphQLContext): Promise<Scene | null> | null {
    return p.sceneId ? ctx.loaders.scene.load(p.sceneId) : null;
  }
}

@Resolver(() => ThemeClipPresence)
export class ThemeClipPresenceResolver {
  @FieldResolver(() => Clip)
  async clip(@Root() c: ThemeClipPresence, @Ctx() ctx: GraphQLContext): Promise<Clip> {
    return (await ctx.loaders.clip.load(c.clipId))!;
  }
}

@Resolver(() => ClipStyle)
export class ClipStyleResolver {
  @FieldResolver(() => Clip)
  async clip(@Root() c: ClipStyle, @Ctx() ctx: GraphQLContext): Promise<Clip> {
    return (await ctx.loaders.clip.load(c.clipId))!;
  }
}

@Resolver(() => SceneSearchHit)
export class SceneSearchHitResolver {
  @FieldResolver(() => Scene)
  async scene(@Root() h: SceneSearchHit, @Ctx() ctx: GraphQLContext): Promise<Scene> {
    return (await ctx.loaders.scene.load(h.sceneId))!;
  }
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

export const ANALYSIS_RESOLVERS = [
  AnalysisResolver,
  EvidenceResolver,
  RetrievedSceneResolver,
  ClipEmotionResolver,
  SceneEmotionResolver,
  SpeakerEmotionResolver,
  EmotionArcPointResolver,
  EmotionPeakResolver,
  ThemeClipPresenceResolver,
  ClipStyleResolver,
  SceneSearchHitResolver,
  AnalysisRunInfoResolver,
] as const;
