export { Enricher, type EnricherDeps, type EnrichOptions } from "./enricher.js";
export { AsrStage, ASR_WINDOW_SECONDS, type AsrTrack } from "./asr.stage.js";
export { withSceneCaptions, sceneCaptions } from "./scene-captions.js";
export type { EnrichStepResult, EnrichProgress, EnrichStep } from "./enrich.types.js";
