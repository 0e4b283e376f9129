import "reflect-metadata";
import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
  UseMiddleware,
} from "type-graphql";
import {
  Clip,
  ClipConnection,
  CueConnection,
  KeyframeConnection,
  SceneConnection,
  ShotConnection,
  SubtitleTrack,
  SubtitleTrackConnection,
} from "../schema/model.types.js";
import {
  ClipFilter,
  CueFilter,
  KeyframeFilter,
  PageArgs,
  SceneFilter,
  ShotFilter,
  TrackFilter,
} from "../schema/inputs.js";
import { ClipUpdatedEvent, DeleteClipPayload } from "../schema/event.types.js";
import { toConnection, type Connection } from "../schema/connection.type.js";
import { Cue, Keyframe, Scene, Shot } from "../schema/model.types.js";
import { fromGlobalId, toGlobalId } from "../services/global-id.js";
import { pageOf } from "../services/pagination.js";
import { TOPICS, type ClipUpdatedPayload } from "../events/pubsub.port.js";
import { freshLoaders, type GraphQLContext } from "./context.js";
import { DeadlineMiddleware } from "./deadline.middleware.js";
import { EDITOR } from "./auth.js";
import { page, timeRange } from "./args.js";

@Resolver(() => Clip)
@UseMiddleware(DeadlineMiddleware)
export class ClipResolver {
  @Query(() => Clip, { nullable: true, description: "a clip by ID, whatever its status" })
  clip(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Clip | null> {
    return ctx.loaders.clip.load(fromGlobalId(id, "Clip"));
  }

  @Query(() => ClipConnection, { description: "clips, oldest first; READY ones unless `filter.status` says otherwise" })
  async clips(
    @Args() args: PageArgs,
    @Arg("filter", () => ClipFilter, { nullable: true }) filter: ClipFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Clip>> {
    const result = await ctx.services.clips.list(
      { statuses: filter?.status ?? undefined, titleContains: filter?.titleContains ?? undefined },
      page(args),
    );
    return toConnection(result, Clip.from);
  }

  @FieldResolver(() => SubtitleTrackConnection, { description: "subtitle tracks in container order" })
  async tracks(
    @Root() clip: Clip,
    @Args() args: PageArgs,
    @Arg("filter", () => TrackFilter, { nullable: true }) filter: TrackFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<SubtitleTrack>> {
    const primary = filter?.language?.trim().toLowerCase().split(/[-_]/)[0];
    const all = await ctx.loaders.tracksOfClip.load(clip.dbId);
    const tracks = primary
      ? all.filter((t) => t.language !== null && t.language.toLowerCase().split(/[-_]/)[0] === primary)
      : all;
    return toConnection(pageOf(tracks, page(args)), (t) => t);
  }

  @FieldResolver(() => SceneConnection)
  async scenes(
    @Root() clip: Clip,
    @Args() args: PageArgs,
    @Arg("filter", () => SceneFilter, { nullable: true }) filter: SceneFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Scene>> {
    const result = await ctx.services.scenes.scenes(
      { clipIds: [clip.dbId], ...timeRange(filter), language: filter?.language, textContains: filter?.textContains },
      page(args),
    );
    return toConnection(result, Scene.from);
  }

  @FieldResolver(() => ShotConnection)
  async shots(
    @Root() clip: Clip,
    @Args() args: PageArgs,
    @Arg("filter", () => ShotFilter, { nullable: true }) filter: ShotFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Shot>> {
    const result = await ctx.services.scenes.shots(
      { clipIds: [clip.dbId], ...timeRange(filter), transitions: filter?.transitions ?? undefined },
      page(args),
    );
    return toConnection(result, Shot.from);
  }

  @FieldResolver(() => CueConnection)
  async cues(
    @Root() clip: Clip,
    @Args() args: PageArgs,
    @Arg("filter", () => CueFilter, { nullable: true }) filter: CueFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Cue>> {
    const result = await ctx.services.scenes.cues(
      {
        clipIds: [clip.dbId],
        ...timeRange(filter),
        language: filter?.language,
        speaker: filter?.speaker,
        textContains: filter?.textContains,
      },
      page(args),
    );
    return toConnection(result, Cue.from);
  }

  @FieldResolver(() => KeyframeConnection)
  async keyframes(
    @Root() clip: Clip,
    @Args() args: PageArgs,
    @Arg("filter", () => KeyframeFilter, { nullable: true }) filter: KeyframeFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Keyframe>> {
    const result = await ctx.services.scenes.keyframes({ clipIds: [clip.dbId], ...timeRange(filter) }, page(args));
    return toConnection(result, Keyframe.from);
  }

  @Authorized(EDITOR)
  @Mutation(() => DeleteClipPayload, {
    description: "removes the clip and everything derived from it (rows, keyframe files, search documents)",
  })
  async deleteClip(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DeleteClipPayload> {
    const result = await ctx.services.clips.delete(fromGlobalId(id, "Clip"));
    return { deletedClipId: toGlobalId("Clip", result.clipId), deletedScenes: result.scenes };
  }

  @Subscription(() => ClipUpdatedEvent, {
    description: "clips becoming READY or deleted; only one clip's with `clipId`",
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const { clipId } = args as { clipId?: string | null };
      const only = clipId ? fromGlobalId(clipId, "Clip", "clipId") : undefined;
      return filtered(
        ctx.services.pubsub.subscribe(TOPICS.CLIP_UPDATED),
        (p) => !only || (p as ClipUpdatedPayload).clipId === only,
      );
    },
  })
  clipUpdated(
    @Root() payload: ClipUpdatedPayload,
    @Arg("clipId", () => ID, { nullable: true }) _clipId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): ClipUpdatedEvent {
    freshLoaders(ctx); // a subscription's context lives long: each event reads current rows
    return Object.assign(new ClipUpdatedEvent(), {
      clipDbId: payload.clipId,
      clipId: toGlobalId("Clip", payload.clipId),
      change: payload.change,
      at: new Date(payload.at),
    });
  }
}

@Resolver(() => ClipUpdatedEvent)
@UseMiddleware(DeadlineMiddleware)
export class ClipUpdatedEventResolver {
  @FieldResolver(() => Clip, { nullable: true, description: "null once deleted" })
  clip(@Root() event: ClipUpdatedEvent, @Ctx() ctx: GraphQLContext): Promise<Clip | null> {
    return ctx.loaders.clip.load(event.clipDbId);
  }
}

async function* filtered<T>(source: AsyncIterableIterator<T>, keep: (value: T) => boolean): AsyncGenerator<T> {
  try {
    for await (const value of source) if (keep(value)) yield value;
  } finally {
    await source.return?.();
  }
}
