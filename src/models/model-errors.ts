// The one error of the models layer: a model that cannot be had (not downloaded and offline, download
// failed, files broken). Its message names the model and the command that fixes it, on one line.
// `code` is "MODEL_UNAVAILABLE"; callers with a fallback catch it (isModelUnavailable) and use the fallback.
import type { ModelTask } from "./model-ports.js";
import { AppError } from "../errors/app-error.js";

export type ModelUnavailableReason = "offline" | "skipped" | "missing-local-folder" | "download-failed" | "load-failed";

export class ModelUnavailableError extends AppError {
  /** the command that fixes it */
  readonly fix: string;

  constructor(
    readonly task: ModelTask,
    readonly model: string,
    readonly reason: ModelUnavailableReason,
    detail?: string,
  ) {
    const fix = reason === "missing-local-folder" ? `CINERAG_MODEL_${envName(task)}` : `cinerag models pull ${task}`;
    const why: Record<ModelUnavailableReason, string> = {
      offline: "is not in the model cache and CINERAG_OFFLINE=1 forbids downloading it",
      skipped: `is switched off (CINERAG_MODEL_${envName(task)}=off)`,
      "missing-local-folder": "is configured as a local folder that does not hold a model",
      "download-failed": "could not be downloaded",
      "load-failed": "could not be loaded",
    };
    const remedy =
      reason === "missing-local-folder"
        ? `point ${fix} at a folder with config.json and onnx/*.onnx`
        : reason === "skipped"
          ? `unset CINERAG_MODEL_${envName(task)} to use the default`
          : reason === "offline"
            ? `run \`${fix}\` on a machine with the internet (without CINERAG_OFFLINE=1), or copy the model into the cache`
            : reason === "download-failed"
              ? `check the network and run \`${fix}\` again, or put the model in a folder and set CINERAG_MODEL_${envName(task)} to it (CINERAG_OFFLINE=1 uses the fallback without trying)`
              : `run \`${fix}\``;
    const message = `model for ${task} (${model}) ${why[reason]}${detail ? ` (${oneLine(detail)})` : ""}: ${remedy}`;
    super("MODEL_UNAVAILABLE", message);
    this.name = "ModelUnavailableError";
    this.fix = fix;
  }
}

export function isModelUnavailable(error: unknown): error is ModelUnavailableError {
  return (
    error instanceof ModelUnavailableError ||
    (typeof error === "object" && error !== null && (error as { code?: unknown }).code === "MODEL_UNAVAILABLE")
  );
}

export function envName(task: ModelTask): string {
  return task.toUpperCase().replace(/-/g, "_");
}

function oneLine(s: string): string {
  const line = s.replace(/\s*\n\s*/g, " ").trim();
  return line.length > 240 ? `${line.slice(0, 237)}...` : line;
}
