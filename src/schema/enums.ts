// The GraphQL enums of the domain's value lists (src/domain/enums.ts): each name is both the enum object
// type-graphql registers and the string union the services use, so a service's plain "CUT" is a TransitionKind.
import "reflect-metadata";
import { registerEnumType } from "type-graphql";
import {
  CLIP_CHANGES,
  CLIP_STATUSES,
  enumObject,
  JOB_STATUSES,
  MATCH_KINDS,
  SEARCH_MODES,
  TRACK_SOURCES,
  TRANSITION_KINDS,
} from "../domain/enums.js";

import type * as Domain from "../domain/enums.js";

export type ClipChange = Domain.ClipChange;
export type ClipStatus = Domain.ClipStatus;
export type JobStatus = Domain.JobStatus;
export type MatchKind = Domain.MatchKind;
export type SearchMode = Domain.SearchMode;
export type TrackSource = Domain.TrackSource;
export type TransitionKind = Domain.TransitionKind;

export const ClipStatus = enumObject(CLIP_STATUSES);
registerEnumType(ClipStatus, { name: "ClipStatus", description: "Only READY clips are listed unless asked for." });

export const TransitionKind = enumObject(TRANSITION_KINDS);
registerEnumType(TransitionKind, { name: "TransitionKind", description: "How a shot begins." });

export const TrackSource = enumObject(TRACK_SOURCES);
registerEnumType(TrackSource, {
  name: "TrackSource",
  description:
    "Where a subtitle track came from (ASR: speech to text; IMAGE_OCR: an image subtitle track read by OCR; BURNED_IN: subtitles in the picture read by OCR).",
});

export const JobStatus = enumObject(JOB_STATUSES);
registerEnumType(JobStatus, { name: "JobStatus" });

export const ClipChange = enumObject(CLIP_CHANGES);
registerEnumType(ClipChange, { name: "ClipChange" });

export const SearchMode = enumObject(SEARCH_MODES);
registerEnumType(SearchMode, {
  name: "SearchMode",
  description: "KEYWORD: BM25; SEMANTIC: vector kNN; HYBRID: both, fused by reciprocal rank.",
});

export const MatchKind = enumObject(MATCH_KINDS);
registerEnumType(MatchKind, { name: "MatchKind" });
