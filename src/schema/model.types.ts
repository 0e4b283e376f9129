// The GraphQL object types. Each holds the row's scalar fields plus, undecorated, the database ids the
// field resolvers (src/resolvers) need; relations and connections are resolved there, through DataLoaders.
import "reflect-metadata";
import { Field, Float, Int, ObjectType, GraphQLISODateTime } from "type-graphql";
import { Node } from "./node.type.js";
import { ClipStatus, JobStatus, TrackSource, TransitionKind } from "./enums.js";
import { ConnectionType } from "./connection.type.js";
import { toGlobalId } from "../services/global-id.js";
import type { ClipRecord, TrackRecordRow } from "../services/clip.service.js";
import type { CueRow, KeyframeRow, SceneRow, ShotRow } from "../services/scene.service.js";
import type { JobRecord } from "../jobs/job-queue.port.js";

const ms = (t: number) => Math.round(t * 1000) / 1000;

@ObjectType({ implements: Node, description: "An ingested media file." })
export class Clip extends Node {
  dbId!: string;

  @Field()
  title!: string;

  @Field({ description: "where the file was ingested from, on the server" })
  path!: string;

  @Field(() => ClipStatus)
  status!: ClipStatus;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => Float, { description: "seconds" })
  duration!: number;

  @Field(() => Float)
  frameRate!: number;

  @Field()
  variableFrameRate!: boolean;

  @Field(() => Int)
  width!: number;

  @Field(() => Int)
  height!: number;

  @Field(() => Float, { description: "file size in bytes" })
  sizeBytes!: number;

  @Field()
  formatName!: string;

  @Field({ description: "SHA-256 of the file: the same file is ingested once" })
  contentHash!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  readyAt!: Date | null;

  static from(this: void, row: ClipRecord): Clip {
    return Object.assign(new Clip(), {
      id: toGlobalId("Clip", row.id),
      dbId: row.id,
      title: row.title,
      path: row.path,
      status: row.status as ClipStatus,
      error: row.error,
      duration: row.duration,
      frameRate: row.frameRate,
      variableFrameRate: row.variableFrameRate,
      width: row.width,
      height: row.height,
      sizeBytes: row.sizeBytes,
      formatName: row.formatName,
      contentHash: row.contentHash,
      createdAt: row.createdAt,
      readyAt: row.readyAt,
    });
  }
}

@ObjectType({
  implements: Node,
  description: "A subtitle track of a clip: embedded, a sidecar file, or speech to text.",
})
export class SubtitleTrack extends Node {
  dbId!: string;
  clipId!: string;

  @Field(() => Int, { description: "order within the clip" })
  index!: number;

  @Field(() => TrackSource)
  source!: TrackSource;

  @Field(() => Int, { nullable: true, description: "container stream index of an embedded track" })
  streamIndex!: number | null;

  @Field()
  codec!: string;

  @Field(() => String, { nullable: true, description: "BCP 47 tag where known (en, zh-Hans)" })
  language!: string | null;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String, { nullable: true, description: "detected text encoding of a sidecar file" })
  encoding!: string | null;

  @Field({ description: "image subtitles (PGS, VobSub) carry no text and are skipped" })
  imageBased!: boolean;

  @Field()
  skipped!: boolean;

  @Field(() => [String])
  warnings!: string[];

  static from(this: void, row: TrackRecordRow): SubtitleTrack {
    return Object.assign(new SubtitleTrack(), {
      id: toGlobalId("SubtitleTrack", row.id),
      dbId: row.id,
      clipId: row.clipId,
      index: row.index,
      source: row.source as TrackSource,
      streamIndex: row.streamIndex,
      codec: row.codec,
      language: row.language,
      title: row.title,
      encoding: row.encoding,
      imageBased: row.imageBased,
      skipped: row.skipped,
      warnings: parseJson<string[]>(row.warnings, []),
    });
  }
}

@ObjectType({ description: "How a cue was read from a picture: the OCR engine, its models, its confidence." })
export class CueOcr {
  @Field({ description: 'e.g. "onnxruntime PP-OCRv4"' })
  engine!: string;

  @Field({ description: "the detection and recognition models" })
  model!: string;

  @Field(() => Float, { description: "mean recognition confidence of the cue's lines, 0..1" })
  confidence!: number;
}

@ObjectType({ implements: Node, description: "One subtitle cue (a line of dialogue)." })
export class Cue extends Node {
  dbId!: string;
  clipId!: string;
  trackId!: string;
  sceneId!: string | null;

  @Field(() => Int, { description: "order within its track" })
  index!: number;

  @Field(() => Float, { description: "seconds from the clip's start" })
  startTime!: number;

  @Field(() => Float)
  endTime!: number;

  @Field({ description: "plain text (markup removed)" })
  text!: string;

  @Field({ description: "the text as the subtitle file had it" })
  rawText!: string;

  @Field(() => String, { nullable: true })
  speaker!: string | null;

  @Field(() => CueOcr, {
    nullable: true,
    description: "for a cue read by OCR (an image or burned-in subtitle track): how; null for text and ASR cues",
  })
  ocr!: CueOcr | null;

  static from(this: void, row: CueRow): Cue {
    return Object.assign(new Cue(), {
      id: toGlobalId("Cue", row.id),
      dbId: row.id,
      clipId: row.clipId,
      trackId: row.trackId,
      sceneId: row.sceneId,
      index: row.index,
      startTime: row.startTime,
      endTime: row.endTime,
      text: row.text,
      rawText: row.rawText,
      speaker: row.speaker,
      ocr:
        row.ocrEngine && row.ocrModel && row.ocrConfidence !== null
          ? Object.assign(new CueOcr(), { engine: row.ocrEngine, model: row.ocrModel, confidence: row.ocrConfidence })
          : null,
    });
  }
}

@ObjectType({ implements: Node, description: "A continuous run of frames between two transitions." })
export class Shot extends Node {
  dbId!: string;
  clipId!: string;
  sceneId!: string | null;

  @Field(() => Int)
  index!: number;

  @Field(() => Float)
  startTime!: number;

  @Field(() => Float)
  endTime!: number;

  @Field(() => Float)
  duration!: number;

  @Field(() => Int)
  startFrame!: number;

  @Field(() => Int)
  endFrame!: number;

  @Field(() => TransitionKind, { description: "how this shot begins" })
  transition!: TransitionKind;

  @Field(() => Float, {
    nullable: true,
    description: "for dissolves and fades: where the transition into this shot began",
  })
  transitionStart!: number | null;

  static from(this: void, row: ShotRow): Shot {
    return Object.assign(new Shot(), {
      id: toGlobalId("Shot", row.id),
      dbId: row.id,
      clipId: row.clipId,
      sceneId: row.sceneId,
      index: row.index,
      startTime: row.startTime,
      endTime: row.endTime,
      duration: ms(row.endTime - row.startTime),
      startFrame: row.startFrame,
      endFrame: row.endFrame,
      transition: row.transition as TransitionKind,
      transitionStart: row.transitionStart,
    });
  }
}

@ObjectType({ description: "One of a keyframe's dominant colours." })
export class PaletteColour {
  @Field({ description: "#rrggbb" })
  hex!: string;

  @Field(() => Float, { description: "share of the pixels, 0..1" })
  share!: number;
}

@ObjectType({ implements: Node, description: "The representative frame of a shot, with its visual statistics." })
export class Keyframe extends Node {
  dbId!: string;
  clipId!: string;
  shotId!: string;
  /** relative to the data directory */
  filePath!: string;

  @Field(() => Float, { description: "seconds from the clip's start" })
  time!: number;

  @Field(() => Int)
  width!: number;

  @Field(() => Int)
  height!: number;

  @Field(() => Float, { description: "mean luma, 0..1" })
  brightness!: number;

  @Field(() => Float, { description: "standard deviation of luma, 0..1" })
  contrast!: number;

  @Field(() => Float, { description: "mean HSV saturation, 0..1" })
  saturation!: number;

  @Field(() => Float, { description: "Hasler & Süsstrunk colourfulness (0 = grey, 100+ = very colourful)" })
  colourfulness!: number;

  @Field(() => [PaletteColour])
  palette!: PaletteColour[];

  static from(this: void, row: KeyframeRow): Keyframe {
    return Object.assign(new Keyframe(), {
      id: toGlobalId("Keyframe", row.id),
      dbId: row.id,
      clipId: row.clipId,
      shotId: row.shotId,
      filePath: row.path,
      time: row.time,
      width: row.width,
      height: row.height,
      brightness: row.brightness,
      contrast: row.contrast,
      saturation: row.saturation,
      colourfulness: row.colourfulness,
      palette: parseJson<PaletteColour[]>(row.palette, []),
    });
  }
}

@ObjectType({
  implements: Node,
  description: "A run of shots in one place and time: the unit of retrieval and analysis.",
})
export class Scene extends Node {
  dbId!: string;
  clipId!: string;

  @Field(() => Int)
  index!: number;

  @Field(() => Float)
  startTime!: number;

  @Field(() => Float)
  endTime!: number;

  @Field(() => Float)
  duration!: number;

  @Field({ description: "the scene's dialogue, joined" })
  text!: string;

  static from(this: void, row: SceneRow): Scene {
    return Object.assign(new Scene(), {
      id: toGlobalId("Scene", row.id),
      dbId: row.id,
      clipId: row.clipId,
      index: row.index,
      startTime: row.startTime,
      endTime: row.endTime,
      duration: ms(row.endTime - row.startTime),
      text: row.text,
    });
  }
}

@ObjectType({
  implements: Node,
  description: "Background work (an ingest). Follow it with the jobProgress subscription.",
})
export class Job extends Node {
  dbId!: string;
  clipId!: string | null;

  @Field()
  kind!: string;

  @Field(() => JobStatus)
  status!: JobStatus;

  @Field(() => String, { nullable: true, description: "current stage: probe, subtitles, shots, scenes, store" })
  stage!: string | null;

  @Field(() => Float, { description: "progress of the whole job, 0..100" })
  percent!: number;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field(() => String, { nullable: true, description: "why it failed (CODE: message)" })
  error!: string | null;

  @Field(() => String, { nullable: true, description: "the media file of an ingest job" })
  path!: string | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;

  static from(this: void, row: JobRecord): Job {
    const input = parseJson<{ path?: string }>(row.input, {});
    return Object.assign(new Job(), {
      id: toGlobalId("Job", row.id),
      dbId: row.id,
      clipId: row.clipId,
      kind: row.kind,
      status: row.status,
      stage: row.stage,
      percent: row.percent,
      message: row.message,
      error: row.error,
      path: input.path ?? null,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      finishedAt: row.finishedAt,
    });
  }
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

@ObjectType()
export class ClipConnection extends ConnectionType(Clip, "Clip") {}
@ObjectType()
export class SubtitleTrackConnection extends ConnectionType(SubtitleTrack, "SubtitleTrack") {}
@ObjectType()
export class CueConnection extends ConnectionType(Cue, "Cue") {}
@ObjectType()
export class ShotConnection extends ConnectionType(Shot, "Shot") {}
@ObjectType()
export class KeyframeConnection extends ConnectionType(Keyframe, "Keyframe") {}
@ObjectType()
export class SceneConnection extends ConnectionType(Scene, "Scene") {}
@ObjectType()
export class JobConnection extends ConnectionType(Job, "Job") {}
