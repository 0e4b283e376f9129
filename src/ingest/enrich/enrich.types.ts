import type { EnrichStep } from "../../config.js";

export type { EnrichStep };

export interface EnrichStepResult {
  step: EnrichStep;
  /** done: results are there for the current method/model; skipped: switched off or no model; failed: see reason */
  status: "done" | "skipped" | "failed";
  /** provenance of the results: "model" or the fallback ("lexicon", "hashing") */
  method?: string;
  model?: string;
  /** rows computed now (the rest already had results for this model, or were cached) */
  computed: number;
  /** rows the step looked at */
  total: number;
  reason?: string;
}

export type EnrichProgress = (stage: EnrichStep, percent: number, message?: string) => void;
