// GraphQL of the retrieval-augmented analyses: ask, draftScene, and answerStream (tokens of an answer as
// they are generated, then the checked answer). Thin; errors go on as they are (src/server formats them).
import "reflect-metadata";
import { Arg, Ctx, Int, Query, Resolver, Root, Subscription, UseMiddleware } from "type-graphql";
import type { GraphQLContext } from "../../resolvers/context.js";
import { DeadlineMiddleware } from "../../resolvers/deadline.middleware.js";
import { analysisOf } from "../analysis.context.js";
import { evidenceFields } from "../relations.resolver.js";
import { withRun } from "../results/run-info.js";
import { AnalysisScopeInput, scopeOf } from "../scope.inputs.js";
import { Answer, AnswerStreamEvent, AnswerStreamEventType, RetrievedScene, SceneDraft } from "./rag.types.js";

interface AnswerStreamArgs {
  question: string;
  scope?: AnalysisScopeInput | null;
  first?: number;
}

@Resolver()
@UseMiddleware(DeadlineMiddleware)
export class RagResolver {
  @Query(() => Answer, {
    description: "answers a question from retrieved scenes, citing them; says so when no scene is relevant",
  })
  async ask(
    @Arg("question") question: string,
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) scope: AnalysisScopeInput | null,
    @Arg("first", () => Int, { defaultValue: 6, description: "scenes retrieved (1..20)" }) first: number,
    @Arg("refresh", { defaultValue: false }) refresh: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Answer> {
    const run = await analysisOf(ctx).module.ask.ask(question, scopeOf(scope), { first }, { refresh });
    return withRun(run) satisfies Answer;
  }

  @Query(() => SceneDraft, {
    description: "a short screenplay scene in Fountain format, grounded in the most similar scenes",
  })
  async draftScene(
    @Arg("prompt") prompt: string,
    @Arg("scope", () => AnalysisScopeInput, { nullable: true }) scope: AnalysisScopeInput | null,
    @Arg("first", () => Int, { defaultValue: 3, description: "reference scenes (1..20)" }) first: number,
    @Arg("refresh", { defaultValue: false }) refresh: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SceneDraft> {
    const run = await analysisOf(ctx).module.ask.draftScene(prompt, scopeOf(scope), { first }, { refresh });
    return withRun(run) satisfies SceneDraft;
  }

  @Subscription(() => AnswerStreamEvent, {
    description:
      "the answer to a question as it is generated: TOKEN events, then one ANSWER event with the checked text and citations",
    subscribe: ({ args, context }) => answerStream(context as GraphQLContext, args as AnswerStreamArgs),
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

/** Bridges the generator's onToken callback to an async iterator; the last event carries the checked answer. */
function answerStream(ctx: GraphQLContext, args: AnswerStreamArgs): AsyncIterable<AnswerStreamEvent> {
  const ask = analysisOf(ctx).module.ask;
  const queue: AnswerStreamEvent[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: Error | undefined;
  const controller = new AbortController();
  const push = (e: AnswerStreamEvent) => {
    queue.push(e);
    wake?.();
  };
  void ask
    .ask(
      args.question,
      scopeOf(args.scope),
      { first: args.first ?? 6 },
      {
        onToken: (token) => push({ type: AnswerStreamEventType.TOKEN, token, answer: null }),
        signal: controller.signal,
      },
    )
    .then((run) => push({ type: AnswerStreamEventType.ANSWER, token: null, answer: withRun(run) }))
    .catch((error: unknown) => (failure = error instanceof Error ? error : new Error(String(error))))
    .finally(() => {
      finished = true;
      wake?.();
    });
  return (async function* () {
    try {
      for (;;) {
        for (let e = queue.shift(); e; e = queue.shift()) {
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
  })();
}

export const RAG_RESOLVERS = [RagResolver, ...evidenceFields(RetrievedScene)];
