import "reflect-metadata";
import { registerEnumType } from "type-graphql";

export enum ClipStatus {
  INGESTING = "INGESTING",
  READY = "READY",
  FAILED = "FAILED",
}
registerEnumType(ClipStatus, { name: "ClipStatus", description: "Only READY clips are listed unless asked for." });

export enum TransitionKind {
  START = "START",
  CUT = "CUT",
  DISSOLVE = "DISSOLVE",
  FADE = "FADE",
  WIPE = "WIPE",
}
registerEnumType(TransitionKind, { name: "TransitionKind", description: "How a shot begins." });

export enum TrackSource {
  EMBEDDED = "EMBEDDED",
  SIDECAR = "SIDECAR",
  ASR = "ASR",
  IMAGE_OCR = "IMAGE_OCR",
  BURNED_IN = "BURNED_IN",
}
registerEnumType(TrackSource, {
  name: "TrackSource",
  description:
    "Where a subtitle track came from (ASR: speech to text; IMAGE_OCR: an image subtitle track read by OCR; BURNED_IN: subtitles in the picture read by OCR).",
});

export enum JobStatus {
  QUEUED = "QUEUED",
  RUNNING = "RUNNING",
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
  CANCELLED = "CANCELLED",
}
registerEnumType(JobStatus, { name: "JobStatus" });

export enum ClipChange {
  READY = "READY",
  DELETED = "DELETED",
}
registerEnumType(ClipChange, { name: "ClipChange" });
