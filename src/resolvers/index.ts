import { ClipResolver, ClipUpdatedEventResolver } from "./clip.resolver.js";
import { JobProgressEventResolver, JobResolver } from "./job.resolver.js";
import { NodeResolver } from "./node.resolver.js";
import { ViewerResolver } from "./viewer.resolver.js";
import { CueResolver, KeyframeResolver, SceneResolver, ShotResolver, SubtitleTrackResolver } from "./scene.resolver.js";

export const RESOLVERS = [
  NodeResolver,
  ClipResolver,
  ClipUpdatedEventResolver,
  SceneResolver,
  ShotResolver,
  CueResolver,
  KeyframeResolver,
  SubtitleTrackResolver,
  JobResolver,
  JobProgressEventResolver,
  ViewerResolver,
] as const;
