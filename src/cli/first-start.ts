// The first start of `serve` and `ingest` on a machine with a network: the models that shape everything
// after them (CINERAG_MODELS_FIRST_PULL, default embedding and emotion) are downloaded before the app opens,
// with a progress bar on a terminal, so a new user following the README gets the real models, not the
// fallbacks. The embedding model matters most: it is never fetched in the middle of a run (the search
// index's dimension is fixed by the first model that fills it). Offline (CINERAG_OFFLINE=1), with the models
// on disk, or with the list set to none, this does nothing and touches no network. A failed download is one
// line on stderr and the fallback is used, as before.
import type { Config } from "../config.js";
import { isModelUnavailable } from "../models/model-errors.js";
import { ModelRegistry } from "../models/model-registry.js";
import { formatBytes, pullWithBar } from "./models.command.js";

export async function firstStartPull(config: Config, signal: AbortSignal): Promise<void> {
  if (config.models.offline || config.models.firstPull.length === 0) return;
  const registry = new ModelRegistry(config.models);
  try {
    for (const task of config.models.firstPull) {
      if (signal.aborted) return;
      const before = registry.status(task);
      if (before.state !== "downloadable") continue;
      process.stderr.write(
        `cinerag: first start: downloading the ${task} model ${before.id} into ${config.models.cacheDir} ` +
          "(CINERAG_OFFLINE=1 or CINERAG_MODELS_FIRST_PULL=none to skip)\n",
      );
      try {
        const after = await pullWithBar(registry, task, true);
        process.stderr.write(`cinerag: ${task}: ${after.id} downloaded (${formatBytes(after.sizeBytes)})\n`);
      } catch (error) {
        if (!isModelUnavailable(error)) throw error;
        process.stderr.write(`cinerag: ${error.message}; using the fallback (${before.fallback ?? "none"})\n`);
      }
    }
  } finally {
    await registry.dispose();
  }
}
