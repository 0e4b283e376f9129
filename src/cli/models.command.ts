// `cinerag models list` and `cinerag models pull [task...]`. Neither opens the database: they work on the
// model cache (<data dir>/models) and the configuration only.
//   list: every task's configured model, whether it is on disk (and its size), or downloadable, or what
//         is used instead; `--json` prints one JSON array.
//   pull: downloads models into the cache ahead of use, with a progress bar on a terminal. Offline
//         (CINERAG_OFFLINE=1) or without a network it fails at once with one line per model and exit 1.
//   pack <file> [task...]: one archive of the models on disk (src/models/model-pack.ts), to carry to a
//         machine without a network; unpack <file>: verifies every file's sha256, then installs them.
import path from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import type { Config } from "../config.js";
import { ModelRegistry, type ModelStatus } from "../models/model-registry.js";
import { MODEL_TASKS, type ModelTask } from "../models/model-ports.js";
import { isModelUnavailable } from "../models/model-errors.js";
import { packModels, unpackModels } from "../models/model-pack.js";
import { printError } from "./cli-error.js";

export interface ModelsCommandDeps {
  loadConfig: () => Config;
  /** tests: a registry of their own */
  registry?: (config: Config) => ModelRegistry;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return "-";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

const STATE_TEXT: Record<ModelStatus["state"], string> = {
  present: "on disk",
  downloadable: "not downloaded (fetched on first use, or `cinerag models pull`)",
  unavailable: "not downloaded; offline",
  "missing-local-folder": "configured folder holds no model",
  skipped: "off",
};

export function statusJson(s: ModelStatus) {
  return {
    task: s.task,
    model: s.id,
    configured: s.configured,
    kind: s.kind,
    state: s.state,
    path: s.dir || null,
    sizeBytes: s.sizeBytes ?? null,
    default: s.spec.id,
    license: s.spec.license,
    languages: s.spec.languages,
    multilingual: s.spec.multilingual ?? null,
    fallback: s.state === "present" ? null : (s.fallback ?? null),
    missing: s.missing ?? null,
  };
}

export function listText(statuses: ModelStatus[]): string {
  const rows = statuses.map((s) => [
    s.task,
    s.kind === "hashing" ? "hashing embedder" : s.id,
    s.state === "present"
      ? `on disk, ${formatBytes(s.sizeBytes)}`
      : s.missing?.length && s.state !== "skipped"
        ? `incomplete (${s.missing.length} file(s) missing or damaged: \`cinerag models pull ${s.task}\` repairs it)`
        : s.task === "embedding" && s.state === "downloadable"
          ? "not downloaded (`cinerag models pull embedding`, then `cinerag reindex`)"
          : STATE_TEXT[s.state],
    s.state === "present" || s.state === "skipped" || !s.fallback ? "" : `instead: ${s.fallback}`,
  ]);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

function parseTasks(tasks: string[]): ModelTask[] {
  const bad = tasks.filter((t) => !(MODEL_TASKS as readonly string[]).includes(t));
  if (bad.length > 0)
    throw Object.assign(new Error(`unknown model task ${bad.join(", ")} (tasks: ${MODEL_TASKS.join(", ")})`), {
      exit: 2,
    });
  return tasks as ModelTask[];
}

export function registerModels(program: Command, deps: ModelsCommandDeps, signal: AbortSignal): void {
  const models = program
    .command("models")
    .description("the models of each task: what is configured and on disk; download them ahead of use");
  const makeRegistry = (config: Config) => deps.registry?.(config) ?? new ModelRegistry(config.models);

  models
    .command("list")
    .description("each task's configured model, whether it is on disk (and its size), and the fallback")
    .option("--json", "print one JSON array on stdout")
    .action((options: { json?: boolean }) => {
      try {
        const registry = makeRegistry(deps.loadConfig());
        const statuses = registry.list();
        process.stdout.write(options.json ? `${JSON.stringify(statuses.map(statusJson))}\n` : listText(statuses));
        process.exitCode = 0;
      } catch (error) {
        process.exitCode = printError(error);
      }
    });

  models
    .command("pull")
    .description("download models into the model cache (default: every task that is not switched off)")
    .argument("[task...]", `tasks: ${MODEL_TASKS.join(", ")}`)
    .option("--json", "print one JSON object per task on stdout")
    .action(async (taskArgs: string[], options: { json?: boolean }) => {
      let registry: ModelRegistry | undefined;
      let exit = 0;
      try {
        const config = deps.loadConfig();
        registry = makeRegistry(config);
        const tasks =
          taskArgs.length > 0
            ? parseTasks(taskArgs)
            : MODEL_TASKS.filter((t) => registry!.status(t).state !== "skipped");
        for (const task of tasks) {
          if (signal.aborted) break;
          const before = registry.status(task);
          try {
            const after = await pullWithBar(registry, task, !options.json && before.state === "downloadable");
            const what = after.repaired?.length
              ? `repaired (${after.repaired.length} file(s) fetched again: ${after.repaired.slice(0, 3).join(", ")}${after.repaired.length > 3 ? ", ..." : ""})`
              : before.state === "present"
                ? "already on disk (checksums verified)"
                : after.state === "skipped"
                  ? "switched off"
                  : `downloaded (${formatBytes(after.sizeBytes)})`;
            if (options.json)
              process.stdout.write(
                `${JSON.stringify({ task, model: after.id, ok: true, state: after.state, sizeBytes: after.sizeBytes ?? null })}\n`,
              );
            else process.stdout.write(`${task}: ${after.id} ${what}\n`);
            if (task === "embedding" && before.state !== "present" && after.state === "present") {
              process.stderr.write(
                "cinerag: the embedding model changed: run `cinerag reindex` to re-embed the indexed scenes with it\n",
              );
            }
          } catch (error) {
            if (!isModelUnavailable(error)) throw error;
            exit = 1;
            if (options.json)
              process.stdout.write(
                `${JSON.stringify({ task, model: error.model, ok: false, code: error.code, error: error.message })}\n`,
              );
            process.stderr.write(`cinerag: ${error.message}\n`);
          }
        }
      } catch (error) {
        exit = (error as { exit?: number }).exit ?? printError(error);
        if ((error as { exit?: number }).exit) process.stderr.write(`cinerag: ${(error as Error).message}\n`);
      } finally {
        await registry?.dispose();
      }
      process.exitCode = exit;
    });

  models
    .command("pack")
    .description("write the models on disk into one archive, for `cinerag models unpack` on an offline machine")
    .argument("<file>", "the archive to write (a tar file)")
    .argument("[task...]", `tasks (default: every task whose model is on disk): ${MODEL_TASKS.join(", ")}`)
    .option("--json", "print one JSON object on stdout")
    .action(async (file: string, taskArgs: string[], options: { json?: boolean }) => {
      try {
        const registry = makeRegistry(deps.loadConfig());
        const tasks = taskArgs.length > 0 ? parseTasks(taskArgs) : [...MODEL_TASKS];
        const statuses = tasks.map((t) => registry.status(t));
        // a task named on the command line must be packed; by default what is not on disk is left out
        const absent = taskArgs.length > 0 ? statuses.filter((s) => s.state !== "present") : [];
        if (absent.length)
          throw Object.assign(
            new Error(
              `not on disk: ${absent.map((s) => `${s.task} (${s.id})`).join(", ")}; run \`cinerag models pull ${absent.map((s) => s.task).join(" ")}\` first`,
            ),
            { exit: 1 },
          );
        const report = await packModels(statuses, path.resolve(file));
        if (options.json) process.stdout.write(`${JSON.stringify({ file: path.resolve(file), ...report })}\n`);
        else {
          for (const m of report.packed)
            process.stdout.write(`${m.task}: ${m.id} packed (${m.files} files, ${formatBytes(m.bytes)})\n`);
          for (const s of report.skipped) process.stderr.write(`cinerag: ${s.task}: ${s.id} not packed: ${s.reason}\n`);
          process.stdout.write(`wrote ${path.resolve(file)}: unpack it with \`cinerag models unpack <file>\`\n`);
        }
        process.exitCode = 0;
      } catch (error) {
        process.exitCode = exitOf(error);
      }
    });

  models
    .command("unpack")
    .description("install the models of an archive from `cinerag models pack` into the model cache (sha256 checked)")
    .argument("<file>", "the archive")
    .option("--json", "print one JSON object on stdout")
    .action(async (file: string, options: { json?: boolean }) => {
      try {
        const config = deps.loadConfig();
        const report = await unpackModels(path.resolve(file), config.models.cacheDir);
        if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else
          for (const m of report.installed)
            process.stdout.write(
              `${m.task}: ${m.id} installed (${m.files} files, ${formatBytes(m.bytes)}, sha256 verified${m.replaced ? ", replaced the copy on disk" : ""})\n`,
            );
        process.exitCode = 0;
      } catch (error) {
        process.exitCode = exitOf(error);
      }
    });
}

/** `registry.pull` with a progress bar on a terminal (none when `show` is false or stderr is not a TTY). */
export async function pullWithBar(
  registry: ModelRegistry,
  task: ModelTask,
  show: boolean,
): Promise<Awaited<ReturnType<ModelRegistry["pull"]>>> {
  const bar =
    show && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          {
            format: ` ${task.padEnd(10)} |{bar}| {percentage}% {size} {file}`,
            hideCursor: true,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(100, 0, { size: "", file: "" });
  try {
    const after = await registry.pull(task, (p) =>
      bar?.update(Math.floor(p.percent), {
        size: p.total > 0 ? `${formatBytes(p.loaded)}/${formatBytes(p.total)}` : "",
        file: p.file ?? "",
      }),
    );
    bar?.update(100);
    return after;
  } finally {
    bar?.stop();
  }
}

/** a usage error carries its exit status; anything else goes through the one error table */
function exitOf(error: unknown): number {
  const exit = (error as { exit?: number }).exit;
  if (exit === undefined) return printError(error);
  process.stderr.write(`cinerag: ${(error as Error).message}\n`);
  return exit;
}
