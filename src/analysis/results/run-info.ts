// A stored run as GraphQL shows it: `run` beside the result's own fields.
import type { AnalysisRun } from "./analysis-store.js";
import type { AnalysisRunInfo } from "./run.types.js";

export function runInfo(run: Omit<AnalysisRun, "result"> & { result?: unknown }): AnalysisRunInfo {
  return {
    id: run.id,
    kind: run.kind,
    clipIds: run.clipIds,
    scopeHash: run.scopeHash,
    parameters: run.parameters,
    models: run.models,
    codeVersion: run.codeVersion,
    createdAt: new Date(run.createdAt),
    cached: run.cached,
    result: run.result,
  };
}

/** The result object with `run` beside its fields (the GraphQL analysis types are the results plus run). */
export function withRun<T extends object>(run: AnalysisRun<T>): T & { run: AnalysisRunInfo } {
  return { ...run.result, run: runInfo(run) };
}
