export type IngestStage = "probe" | "subtitles" | "ocr" | "asr" | "shots" | "scenes" | "store" | EnrichStage;

/** model enrichment after the store (src/ingest/enrich): each step reports its own progress */
export type EnrichStage = "embedding" | "emotion" | "caption" | "clip";

export const INGEST_STAGES: IngestStage[] = ["probe", "subtitles", "shots", "scenes", "store"];
/** stages that run only when there is something for them: ocr (image or burned-in subtitles), asr (no text subtitles), enrichment steps */
export const OPTIONAL_INGEST_STAGES: IngestStage[] = ["ocr", "asr", "embedding", "emotion", "caption", "clip"];

export interface IngestProgress {
  stage: IngestStage;
  /** progress of this stage in [0, 100] */
  percent: number;
  message?: string;
}

export type ProgressListener = (progress: IngestProgress) => void;
