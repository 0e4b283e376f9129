import "reflect-metadata";
import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root, UseMiddleware } from "type-graphql";
import {
  Clip,
  Cue,
  CueConnection,
  Keyframe,
  KeyframeConnection,
  Scene,
  SceneConnection,
  Shot,
  ShotConnection,
  SubtitleTrack as SubtitleTrackType,
} from "../schema/model.types.js";
import {
  CueFilter,
  CueQueryFilter,
  KeyframeFilter,
  KeyframeQueryFilter,
  PageArgs,
  SceneQueryFilter,
  ShotFilter,
  ShotQueryFilter,
} from "../schema/inputs.js";
import { toConnection, type Connection } from "../schema/connection.type.js";
import type { GraphQLContext } from "./context.js";
import { DeadlineMiddleware } from "./deadline.middleware.js";
import { clipIdsOf, page, timeRange } from "./args.js";

@Resolver(() => Scene)
@UseMiddleware(DeadlineMiddleware)
export class SceneResolver {
  @Query(() => SceneConnection, { description: "scenes of READY clips, by clip then time" })
  async scenes(
    @Args() args: PageArgs,
    @Arg("filter", () => SceneQueryFilter, { nullable: true }) filter: SceneQueryFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Scene>> {
    const result = await ctx.services.scenes.scenes(
      {
        clipIds: clipIdsOf(filter?.clipIds),
        ...timeRange(filter),
        language: filter?.language,
        textContains: filter?.textContains,
      },
      page(args),
    );
    return toConnection(result, Scene.from);
  }

  @FieldResolver(() => Clip)
  async clip(@Root() scene: Scene, @Ctx() ctx: GraphQLContext): Promise<Clip> {
    return (await ctx.loaders.clip.load(scene.clipId))!;
  }

  @FieldResolver(() => ShotConnection)
  shots(
    @Root() scene: Scene,
    @Args() args: PageArgs,
    @Arg("filter", () => ShotFilter, { nullable: true }) filter: ShotFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Shot>> {
    return ctx.loaders.sceneShots.load({
      parentId: scene.dbId,
      filter: { ...timeRange(filter), transitions: filter?.transitions ?? undefined },
      page: page(args),
    });
  }

  @FieldResolver(() => CueConnection)
  cues(
    @Root() scene: Scene,
    @Args() args: PageArgs,
    @Arg("filter", () => CueFilter, { nullable: true }) filter: CueFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Cue>> {
    return ctx.loaders.sceneCues.load({
      parentId: scene.dbId,
      filter: {
        ...timeRange(filter),
        language: filter?.language ?? undefined,
        speaker: filter?.speaker ?? undefined,
        textContains: filter?.textContains ?? undefined,
      },
      page: page(args),
    });
  }

  @FieldResolver(() => KeyframeConnection, { description: "the keyframes of the scene's shots" })
  keyframes(
    @Root() scene: Scene,
    @Args() args: PageArgs,
    @Arg("filter", () => KeyframeFilter, { nullable: true }) filter: KeyframeFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Keyframe>> {
    return ctx.loaders.sceneKeyframes.load({ parentId: scene.dbId, filter: timeRange(filter), page: page(args) });
  }
}

@Resolver(() => Shot)
@UseMiddleware(DeadlineMiddleware)
export class ShotResolver {
  @Query(() => ShotConnection, { description: "shots of READY clips, by clip then time" })
  async shots(
    @Args() args: PageArgs,
    @Arg("filter", () => ShotQueryFilter, { nullable: true }) filter: ShotQueryFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Shot>> {
    const result = await ctx.services.scenes.shots(
      { clipIds: clipIdsOf(filter?.clipIds), ...timeRange(filter), transitions: filter?.transitions ?? undefined },
      page(args),
    );
    return toConnection(result, Shot.from);
  }

  @FieldResolver(() => Clip)
  async clip(@Root() shot: Shot, @Ctx() ctx: GraphQLContext): Promise<Clip> {
    return (await ctx.loaders.clip.load(shot.clipId))!;
  }

  @FieldResolver(() => Scene, { nullable: true })
  scene(@Root() shot: Shot, @Ctx() ctx: GraphQLContext): Promise<Scene | null> | null {
    return shot.sceneId ? ctx.loaders.scene.load(shot.sceneId) : null;
  }

  @FieldResolver(() => Keyframe, { nullable: true })
  keyframe(@Root() shot: Shot, @Ctx() ctx: GraphQLContext): Promise<Keyframe | null> {
    return ctx.loaders.keyframeOfShot.load(shot.dbId);
  }
}

@Resolver(() => Cue)
@UseMiddleware(DeadlineMiddleware)
export class CueResolver {
  @Query(() => CueConnection, { description: "subtitle cues of READY clips, by clip then time" })
  async cues(
    @Args() args: PageArgs,
    @Arg("filter", () => CueQueryFilter, { nullable: true }) filter: CueQueryFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Cue>> {
    const result = await ctx.services.scenes.cues(
      {
        clipIds: clipIdsOf(filter?.clipIds),
        ...timeRange(filter),
        language: filter?.language,
        speaker: filter?.speaker,
        textContains: filter?.textContains,
      },
      page(args),
    );
    return toConnection(result, Cue.from);
  }

  @FieldResolver(() => String, { nullable: true, description: "the language of the cue's track" })
  async language(@Root() cue: Cue, @Ctx() ctx: GraphQLContext): Promise<string | null> {
    return (await ctx.loaders.track.load(cue.trackId))?.language ?? null;
  }

  @FieldResolver(() => Clip)
  async clip(@Root() cue: Cue, @Ctx() ctx: GraphQLContext): Promise<Clip> {
    return (await ctx.loaders.clip.load(cue.clipId))!;
  }

  @FieldResolver(() => SubtitleTrackType)
  async track(@Root() cue: Cue, @Ctx() ctx: GraphQLContext): Promise<SubtitleTrackType> {
    return (await ctx.loaders.track.load(cue.trackId))!;
  }

  @FieldResolver(() => Scene, { nullable: true })
  scene(@Root() cue: Cue, @Ctx() ctx: GraphQLContext): Promise<Scene | null> | null {
    return cue.sceneId ? ctx.loaders.scene.load(cue.sceneId) : null;
  }
}

@Resolver(() => Keyframe)
@UseMiddleware(DeadlineMiddleware)
export class KeyframeResolver {
  @Query(() => KeyframeConnection, {
    description: "keyframes of READY clips, by clip then time; the time range filter selects by `time`",
  })
  async keyframes(
    @Args() args: PageArgs,
    @Arg("filter", () => KeyframeQueryFilter, { nullable: true }) filter: KeyframeQueryFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Keyframe>> {
    const result = await ctx.services.scenes.keyframes(
      { clipIds: clipIdsOf(filter?.clipIds), ...timeRange(filter) },
      page(args),
    );
    return toConnection(result, Keyframe.from);
  }

  @FieldResolver(() => String, { description: "URL of the JPEG (signed when the server has API keys)" })
  url(@Root() keyframe: Keyframe, @Ctx() ctx: GraphQLContext): string {
    return ctx.services.keyframeUrls.url(keyframe.filePath, ctx.baseUrl);
  }

  @FieldResolver(() => Clip)
  async clip(@Root() keyframe: Keyframe, @Ctx() ctx: GraphQLContext): Promise<Clip> {
    return (await ctx.loaders.clip.load(keyframe.clipId))!;
  }

  @FieldResolver(() => Shot)
  async shot(@Root() keyframe: Keyframe, @Ctx() ctx: GraphQLContext): Promise<Shot> {
    return (await ctx.loaders.shot.load(keyframe.shotId))!;
  }
}

@Resolver(() => SubtitleTrackType)
@UseMiddleware(DeadlineMiddleware)
export class SubtitleTrackResolver {
  @FieldResolver(() => Clip)
  async clip(@Root() track: SubtitleTrackType, @Ctx() ctx: GraphQLContext): Promise<Clip> {
    return (await ctx.loaders.clip.load(track.clipId))!;
  }

  @FieldResolver(() => CueConnection)
  cues(
    @Root() track: SubtitleTrackType,
    @Args() args: PageArgs,
    @Arg("filter", () => CueFilter, { nullable: true }) filter: CueFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Cue>> {
    return ctx.loaders.trackCues.load({
      parentId: track.dbId,
      filter: {
        ...timeRange(filter),
        speaker: filter?.speaker ?? undefined,
        textContains: filter?.textContains ?? undefined,
      },
      page: page(args),
    });
  }
}
