import "reflect-metadata";
import { Arg, Ctx, ID, Query, Resolver, UseMiddleware } from "type-graphql";
import { Node } from "../schema/node.type.js";
import { Job } from "../schema/model.types.js";
import { parseGlobalId } from "../services/global-id.js";
import { AppError } from "../errors/app-error.js";
import type { GraphQLContext } from "./context.js";
import { DeadlineMiddleware } from "./deadline.middleware.js";

export async function loadNode(ctx: GraphQLContext, globalId: string): Promise<Node | null> {
  const parsed = parseGlobalId(globalId);
  if (!parsed) return null;
  const { loaders } = ctx;
  switch (parsed.type) {
    case "Clip":
      return loaders.clip.load(parsed.id);
    case "SubtitleTrack":
      return loaders.track.load(parsed.id);
    case "Cue":
      return loaders.cue.load(parsed.id);
    case "Shot":
      return loaders.shot.load(parsed.id);
    case "Keyframe":
      return loaders.keyframe.load(parsed.id);
    case "Scene":
      return loaders.scene.load(parsed.id);
    case "Job": {
      const row = await ctx.services.jobs.get(parsed.id);
      return row ? Job.from(row) : null;
    }
  }
}

@Resolver()
@UseMiddleware(DeadlineMiddleware)
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: "any object by its global ID; null when it does not exist" })
  node(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Node | null> {
    return loadNode(ctx, id);
  }

  @Query(() => [Node], { nullable: "items", description: "objects by global ID (at most 100), null for the missing" })
  nodes(@Arg("ids", () => [ID]) ids: string[], @Ctx() ctx: GraphQLContext): Promise<Array<Node | null>> {
    if (ids.length > 100) throw new AppError("BAD_INPUT", "ids: at most 100");
    return Promise.all(ids.map((id) => loadNode(ctx, id)));
  }
}
