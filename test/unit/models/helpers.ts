import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ModelRegistry, type ModelsOptions } from "../../../src/models/model-registry.js";
import {
  TransformersRuntime,
  type LoadOptions,
  type PipelineLike,
  type PipelineTask,
} from "../../../src/models/transformers/runtime.js";

export async function tempRoot(prefix = "cinerag-models-"): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export function modelsOptions(
  cacheDir: string,
  overrides: ModelsOptions["overrides"] = {},
  extra: Partial<ModelsOptions> = {},
): ModelsOptions {
  return { overrides, cacheDir, offline: false, batchSize: 32, ...extra };
}

/** A runtime that records every pipeline it creates (and can refuse the network). */
export class CountingRuntime extends TransformersRuntime {
  created: Array<{ task: string; model: string; options: LoadOptions }> = [];

  override async pipeline(task: PipelineTask, model: string, options: LoadOptions): Promise<PipelineLike> {
    this.created.push({ task, model, options });
    return super.pipeline(task, model, options);
  }
}

export function countingRegistry(
  options: ModelsOptions,
  runtimeOptions: Partial<ConstructorParameters<typeof TransformersRuntime>[0]> = {},
) {
  const runtime = new CountingRuntime({
    cacheDir: options.cacheDir,
    offline: options.offline,
    threads: options.threads,
    ...runtimeOptions,
  });
  return { runtime, registry: new ModelRegistry(options, { runtime }) };
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(cosine(a, a));
}

/** Counts the runs of each ONNX session of a loaded pipeline's model (encoder "model", "decoder_model_merged"). */
export function countSessionRuns(pipe: PipelineLike): Record<string, number> {
  const runs: Record<string, number> = {};
  const sessions = (pipe.model as { sessions: Record<string, { run: (...a: unknown[]) => Promise<unknown> }> })
    .sessions;
  for (const [name, session] of Object.entries(sessions)) {
    const run = session.run.bind(session);
    runs[name] = 0;
    session.run = (...args: unknown[]) => {
      runs[name]!++;
      return run(...args);
    };
  }
  return runs;
}

/** Aborts `controller` (reason: "cancelled by the test") at the first run of the pipeline's session `name`. */
export function abortAtFirstRun(pipe: PipelineLike, name: string, controller: AbortController): { runs: number } {
  const counter = { runs: 0 };
  const session = (pipe.model as { sessions: Record<string, { run: (...a: unknown[]) => Promise<unknown> }> }).sessions[
    name
  ]!;
  const run = session.run.bind(session);
  session.run = (...args: unknown[]) => {
    if (++counter.runs === 1) controller.abort(new Error("cancelled by the test"));
    return run(...args);
  };
  return counter;
}
