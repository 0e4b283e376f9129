// `viewer`: what the caller may do, so that a client (the dashboard) can show or hide controls without
// trying a mutation first. It reveals no key and no path beyond the configured media roots' existence.
import "reflect-metadata";
import { Ctx, Field, ObjectType, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "./context.js";

@ObjectType({ description: "The caller: its role and whether it may ingest" })
export class Viewer {
  @Field({ description: "reader or editor (local single-user mode: editor)" })
  role!: string;

  @Field({ description: "true when the caller may start and cancel ingest jobs" })
  canIngest!: boolean;

  @Field({ description: "true when the server has media roots configured (ingestClip is refused without)" })
  mediaRootsConfigured!: boolean;
}

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, { description: "the caller's role and permissions" })
  viewer(@Ctx() ctx: GraphQLContext): Viewer {
    return {
      role: ctx.role,
      canIngest: ctx.role === "editor",
      mediaRootsConfigured: ctx.services.mediaRoots.configured,
    };
  }
}
