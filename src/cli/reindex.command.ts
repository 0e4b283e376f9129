// `cinerag reindex [--clip <id>]`: rebuilds the search index from the database (all READY clips, or one),
// with a progress bar on a terminal. A full reindex also adopts the configured embedding model, which is
// what a REINDEX_REQUIRED error asks for.
import cliProgress from "cli-progress";
import type { Command } from "commander";
import type { Core } from "../app.js";
import { printError } from "./cli-error.js";
import { parseGlobalId } from "../services/global-id.js";

interface ReindexOptions {
  clip?: string;
  json?: boolean;
}

export function registerReindex(program: Command, openCore: () => Promise<Core>, signal: AbortSignal): void {
  program
    .command("reindex")
    .description("rebuild the search index from the database (after a model change, or to repair it)")
    .option("-c, --clip <id>", "only this clip")
    .option("--json", "print the result as one JSON object on stdout")
    .action(async (options: ReindexOptions) => {
      const app = await openCore();
      const bar =
        !options.json && process.stderr.isTTY
          ? new cliProgress.SingleBar(
              {
                format: " reindex |{bar}| {value}/{total} scenes, {clips} clips",
                hideCursor: true,
                stream: process.stderr,
              },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
      let started = false;
      try {
        const result = await app.search.reindex.reindex({
          clipId: options.clip === undefined ? undefined : clipIdOf(options.clip),
          signal,
          onProgress: (p) => {
            if (!bar) return;
            if (!started) bar.start(p.total, p.done, { clips: p.clips });
            started = true;
            bar.update(p.done, { clips: p.clips });
          },
        });
        bar?.stop();
        process.stdout.write(
          options.json
            ? `${JSON.stringify(result)}\n`
            : `reindexed ${result.scenes} scenes of ${result.clips} clips into the ${app.search.sceneIndex.engine} index (model ${result.modelId}, dimension ${result.dimension}; ${result.embedded} vectors computed, the rest from the cache)\n`,
        );
        process.exitCode = 0;
      } catch (error) {
        bar?.stop();
        app.logger.debug({ err: error }, "reindex failed");
        process.exitCode = printError(error);
      } finally {
        await app.close();
      }
    });
}

/** --clip takes the GraphQL ID every API response carries, or the database id. */
function clipIdOf(value: string): string {
  const parsed = parseGlobalId(value);
  return parsed?.type === "Clip" ? parsed.id : value;
}
