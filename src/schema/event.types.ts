import "reflect-metadata";
import { Field, Float, ID, Int, ObjectType, GraphQLISODateTime } from "type-graphql";
import { ClipChange, JobStatus } from "./enums.js";

@ObjectType({ description: "A job's progress; the last event of a job has `final: true` and the final status." })
export class JobProgressEvent {
  /** database id of the job */
  jobDbId!: string;
  clipDbId!: string | null;

  @Field(() => ID)
  jobId!: string;

  @Field(() => JobStatus)
  status!: JobStatus;

  @Field(() => String, { nullable: true })
  stage!: string | null;

  @Field(() => Float, { description: "progress of the stage, 0..100" })
  stagePercent!: number;

  @Field(() => Float, { description: "progress of the whole job, 0..100" })
  percent!: number;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field()
  final!: boolean;
}

@ObjectType({ description: "A clip became READY or was deleted." })
export class ClipUpdatedEvent {
  clipDbId!: string;

  @Field(() => ID)
  clipId!: string;

  @Field(() => ClipChange)
  change!: ClipChange;

  @Field(() => GraphQLISODateTime)
  at!: Date;
}

@ObjectType()
export class DeleteClipPayload {
  @Field(() => ID)
  deletedClipId!: string;

  @Field(() => Int, { description: "scenes removed with it (queued for removal from the search index)" })
  deletedScenes!: number;
}
