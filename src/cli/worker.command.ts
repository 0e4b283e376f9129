// `cinerag worker`: runs ingest jobs from the BullMQ queue (CINERAG_REDIS_URL) until SIGTERM or Ctrl-C, which
// stops taking jobs and puts the running ones back in the queue (another worker, or the next start, resumes
// them from their checkpoints).
import type { Command } from "commander";
import type { Core } from "../app.js";
import type { Config } from "../config.js";
import { AppError } from "../errors/app-error.js";
import { logSearchTopology } from "../search/search-topology.js";

interface WorkerOptions {
  concurrency?: string;
}

export function registerWorker(
  program: Command,
  deps: { loadConfig: () => Config; openCore: (options: { concurrency?: number }) => Promise<Core> },
  signal: AbortSignal,
): void {
  program
    .command("worker")
    .description("run ingest jobs from the BullMQ queue on Redis (CINERAG_REDIS_URL) until stopped")
    .option("-c, --concurrency <n>", "jobs run at once (default CINERAG_JOB_CONCURRENCY or 1)")
    .action(async (options: WorkerOptions) => {
      const concurrency = options.concurrency === undefined ? undefined : Number(options.concurrency);
      if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16))
        throw new AppError("BAD_INPUT", `--concurrency: not a number from 1 to 16: ${options.concurrency}`);
      // refused before anything is opened or migrated
      if (deps.loadConfig().jobs.driver !== "bullmq")
        throw new AppError(
          "CONFIG_INVALID",
          "cinerag worker needs the BullMQ queue: set CINERAG_REDIS_URL (with CINERAG_JOBS=in-process the jobs run inside cinerag serve)",
        );
      const app = await deps.openCore({ concurrency });
      try {
        await app.jobs.start();
      } catch (error) {
        await app.close();
        throw error;
      }
      logSearchTopology(app.logger, app.config);
      process.stderr.write(
        `cinerag: worker running (pid ${process.pid}, concurrency ${app.config.jobs.concurrency}); Ctrl-C stops it\n`,
      );
      await new Promise<void>((resolve) =>
        signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      process.stderr.write("cinerag: worker stopping (a running job goes back to the queue)\n");
      await app.close();
      process.exitCode = 0;
    });
}
