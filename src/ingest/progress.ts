export type IngestStage = "probe" | "subtitles" | "shots" | "scenes" | "store";

export const INGEST_STAGES: IngestStage[] = ["probe", "subtitles", "shots", "scenes", "store"];

export interface IngestProgress {
  stage: IngestStage;
  /** progress of this stage in [0, 100] */
  percent: number;
  message?: string;
}

export type ProgressListener = (progress: IngestProgress) => void;
