// Plain data produced by the ingest stages. These are what the pipeline persists and what
// `cinerag ingest --json` prints. Times are seconds (rounded to the millisecond) from the clip's start.

import type { TransitionKind } from "../domain/enums.js";
export type { TransitionKind };

/** A boundary between two shots found by the detector. */
export interface ShotBoundary {
  kind: Exclude<TransitionKind, "START">;
  /** index of the first frame of the new shot (for gradual transitions: the frame after the transition ends) */
  frame: number;
  /** time of that frame */
  time: number;
  /** gradual transitions: first frame/time of the transition */
  startFrame?: number;
  startTime?: number;
  /** detector confidence in [0, 1] */
  score: number;
}

export interface ShotRecord {
  index: number;
  startTime: number;
  endTime: number;
  startFrame: number;
  endFrame: number;
  /** how this shot begins */
  transition: TransitionKind;
  transitionStart?: number;
}

export interface PaletteColour {
  hex: string;
  /** share of pixels in [0, 1] */
  share: number;
}

export interface VisualStats {
  /** mean luma in [0, 1] */
  brightness: number;
  /** standard deviation of luma in [0, 1] */
  contrast: number;
  /** mean HSV saturation in [0, 1] */
  saturation: number;
  /** Hasler & Süsstrunk colourfulness metric (0 = grey, ~100+ = very colourful) */
  colourfulness: number;
  palette: PaletteColour[];
}

export interface KeyframeRecord {
  shotIndex: number;
  time: number;
  /** relative to the data directory */
  path: string;
  width: number;
  height: number;
  stats: VisualStats;
}

import type { TrackSource } from "../domain/enums.js";
export type { TrackSource };

export interface ParsedCue {
  index: number;
  startTime: number;
  endTime: number;
  rawText: string;
  text: string;
  speaker?: string;
  /** OCR'd cues: the engine, model and confidence of the read */
  ocr?: { engine: string; model: string; confidence: number };
}

export interface TrackRecord {
  index: number;
  source: TrackSource;
  streamIndex?: number;
  path?: string;
  codec: string;
  language?: string;
  title?: string;
  encoding?: string;
  imageBased: boolean;
  skipped: boolean;
  warnings: string[];
  cues: ParsedCue[];
}

export interface SceneRecord {
  index: number;
  startTime: number;
  endTime: number;
  /** inclusive shot index range */
  firstShot: number;
  lastShot: number;
  /** the scene's dialogue, joined */
  text: string;
}
