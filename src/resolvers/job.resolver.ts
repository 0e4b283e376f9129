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
import { Clip, Job, JobConnection } from "../schema/model.types.js";
import { IngestClipInput, JobFilter, PageArgs } from "../schema/inputs.js";
import { JobProgressEvent } from "../schema/event.types.js";
import { toConnection, type Connection } from "../schema/connection.type.js";
import { fromGlobalId, toGlobalId } from "../services/global-id.js";
import { AppError } from "../errors/app-error.js";
import { closable } from "../events/closable-stream.js";
import { TOPICS, type JobProgressPayload } from "../events/pubsub.port.js";
import { jobPayload } from "../jobs/job-runner.js";
import { freshLoaders, type GraphQLContext } from "./context.js";
import { DeadlineMiddleware } from "./deadline.middleware.js";
import { EDITOR } from "./auth.js";
import { page } from "./args.js";

const MAX_SUBTITLE_PATHS = 32;

@Resolver(() => Job)
@UseMiddleware(DeadlineMiddleware)
export class JobResolver {
  @Query(() => Job, { nullable: true })
  async job(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Job | null> {
    const row = await ctx.services.jobs.get(fromGlobalId(id, "Job"));
    return row ? Job.from(row) : null;
  }

  @Query(() => JobConnection, { description: "newest first" })
  async jobs(
    @Args() args: PageArgs,
    @Arg("filter", () => JobFilter, { nullable: true }) filter: JobFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Job>> {
    return toConnection(await ctx.services.jobs.list({ statuses: filter?.status ?? undefined }, page(args)), Job.from);
  }

  @FieldResolver(() => Clip, { nullable: true, description: "the clip, once the ingest has succeeded" })
  clip(@Root() job: Job, @Ctx() ctx: GraphQLContext): Promise<Clip | null> | null {
    return job.clipId ? ctx.loaders.clip.load(job.clipId) : null;
  }

  @Authorized(EDITOR)
  @Mutation(() => Job, {
    description: "queues the ingest of a media file inside the media roots and returns its job at once",
  })
  async ingestClip(
    @Arg("input", () => IngestClipInput) input: IngestClipInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Job> {
    const guard = ctx.services.mediaRoots;
    const path = await guard.resolve(input.path, "path");
    const subtitles = input.subtitlePaths ?? [];
    if (subtitles.length > MAX_SUBTITLE_PATHS)
      throw new AppError("BAD_INPUT", `subtitlePaths: at most ${MAX_SUBTITLE_PATHS}`);
    const subtitlePaths: string[] = [];
    for (const [i, p] of subtitles.entries()) subtitlePaths.push(await guard.resolve(p, `subtitlePaths[${i}]`));
    const title = input.title?.trim();
    if (title !== undefined && (title.length === 0 || title.length > 500))
      throw new AppError("BAD_INPUT", "title must have 1 to 500 characters");
    const job = await ctx.services.jobs.enqueueIngest({
      path,
      ...(title ? { title } : {}),
      ...(subtitlePaths.length ? { subtitlePaths } : {}),
    });
    ctx.logger.info({ jobId: job.id, path }, "ingestClip");
    return Job.from(job);
  }

  @Authorized(EDITOR)
  @Mutation(() => Job, { description: "cancels a queued or running job" })
  async cancelJob(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Job> {
    return Job.from(await ctx.services.jobs.cancel(fromGlobalId(id, "Job")));
  }

  @Subscription(() => JobProgressEvent, {
    description: "the job's state now, then each change; ends after the event with `final: true`",
    subscribe: ({ args, context }) =>
      jobProgressStream(context as GraphQLContext, fromGlobalId((args as { jobId: string }).jobId, "Job", "jobId")),
  })
  jobProgress(
    @Root() payload: JobProgressPayload,
    @Arg("jobId", () => ID) _jobId: string,
    @Ctx() ctx: GraphQLContext,
  ): JobProgressEvent {
    freshLoaders(ctx);
    return Object.assign(new JobProgressEvent(), {
      jobDbId: payload.jobId,
      clipDbId: payload.clipId,
      jobId: toGlobalId("Job", payload.jobId),
      status: payload.status,
      stage: payload.stage,
      stagePercent: payload.stagePercent,
      percent: payload.percent,
      message: payload.message,
      error: payload.error,
      final: payload.final,
    });
  }
}

@Resolver(() => JobProgressEvent)
@UseMiddleware(DeadlineMiddleware)
export class JobProgressEventResolver {
  @FieldResolver(() => Job, { nullable: true, description: "the job row as it is now" })
  async job(@Root() event: JobProgressEvent, @Ctx() ctx: GraphQLContext): Promise<Job | null> {
    const row = await ctx.services.jobs.get(event.jobDbId);
    return row ? Job.from(row) : null;
  }

  @FieldResolver(() => Clip, { nullable: true })
  clip(@Root() event: JobProgressEvent, @Ctx() ctx: GraphQLContext): Promise<Clip | null> | null {
    return event.clipDbId ? ctx.loaders.clip.load(event.clipDbId) : null;
  }
}

/** Subscribes first (no event lost), then checks the job, then yields its current state and the live events. */
async function jobProgressStream(ctx: GraphQLContext, jobId: string): Promise<AsyncIterable<JobProgressPayload>> {
  const live = ctx.services.pubsub.subscribe(TOPICS.JOB_PROGRESS, jobId) as AsyncIterableIterator<JobProgressPayload>;
  let row;
  try {
    row = await ctx.services.jobs.get(jobId);
  } catch (error) {
    await live.return?.();
    throw error;
  }
  if (!row) {
    await live.return?.();
    throw new AppError("NOT_FOUND", `no job ${toGlobalId("Job", jobId)}`);
  }
  const first = jobPayload(row);
  return closable(
    (async function* () {
      try {
        yield first;
        if (first.final) return;
        for await (const event of live) {
          yield event;
          if (event.final) return;
        }
      } finally {
        await live.return?.();
      }
    })(),
    () => live.return?.(),
  );
}
