// `cinerag` command line. One file per subcommand; this file wires them and owns process-level concerns
// (configuration, signals, exit status).
import { Command, CommanderError } from "commander";
import { loadConfig, type Config } from "../config.js";
import { AppError } from "../errors/app-error.js";
import type { Core, CoreOverrides } from "../app.js";
import { printError } from "./cli-error.js";
import { registerModels } from "./models.command.js";
import { registerDoctor } from "./doctor.command.js";
import { registerEffects } from "./effects.command.js";
import { applyV8Flags } from "./v8-flags.js";

applyV8Flags(process.argv[2]);

const controller = new AbortController();
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    // the reason is what `signal.throwIfAborted()` throws: a CANCELLED error (one line, exit 130), as the
    // server's job cancel gives, not a DOMException printed as "internal error: This operation was aborted"
    controller.abort(new AppError("CANCELLED", `cancelled by ${sig}`));
    process.exitCode = 130;
  });
}

/**
 * Opens the core (ingest, reindex, worker) or the whole app with the API on it (serve, query, effects), once per
 * process: each command opens it in its action. Command-line tools log warnings only unless CINERAG_LOG_LEVEL says
 * otherwise; the server logs at info.
 */
async function open<T extends Core>(
  create: (root: AppModule) => (config: Config, overrides: CoreOverrides) => Promise<T>,
  defaultLogLevel = "warn",
  firstStart = false,
  worker?: { concurrency?: number },
): Promise<T> {
  // imported here, not above: `doctor`, `models` and `--help` never load the server, the store or the
  // search engines (the whole module graph cost seconds of compiling on a cold first run)
  const build = create(await import("../app.js"));
  const config = loadConfig();
  if (worker?.concurrency !== undefined) config.jobs.concurrency = worker.concurrency;
  // serve and ingest: the real models on a new machine with a network (src/cli/first-start.ts)
  if (firstStart) await (await import("./first-start.js")).firstStartPull(config, controller.signal);
  return build(config, { defaultLogLevel, worker: worker !== undefined });
}
type AppModule = typeof import("../app.js");
const core = (root: AppModule) => root.createCore;
const whole = (root: AppModule) => root.createApp;

const program = new Command()
  .name("cinerag")
  .description("Film and TV content analysis: ingest clips, search scenes, ask questions with evidence")
  .exitOverride()
  .configureOutput({
    writeErr: (text) => process.stderr.write(text),
    // Usage errors are one line like every other error: "cinerag: unknown option '-x'".
    outputError: (text, write) => write(`cinerag: ${text.replace(/^error: /, "")}`),
  });

// `doctor` and `models` work without the app: the other commands' modules (the GraphQL server, the schema,
// the ingest pipeline) are not even loaded for them
const light = ["doctor", "models"].includes(process.argv[2] ?? "");
if (!light) {
  const [{ registerIngest }, { registerReindex }, { registerServe }, { registerQuery }, { registerWorker }] =
    await Promise.all([
      import("./ingest.command.js"),
      import("./reindex.command.js"),
      import("./serve.command.js"),
      import("./query.command.js"),
      import("./worker.command.js"),
    ]);
  registerIngest(program, () => open(core, "warn", true), controller.signal);
  registerReindex(program, () => open(core), controller.signal);
  registerServe(program, () => open(whole, "info", true), controller.signal);
  registerQuery(program, () => open(whole));
  registerWorker(
    program,
    { loadConfig: () => loadConfig(), openCore: (options) => open(core, "info", true, options) },
    controller.signal,
  );
  registerEffects(program, () => open(whole));
}
registerModels(program, { loadConfig: () => loadConfig() }, controller.signal);
registerDoctor(program, { loadConfig: () => loadConfig() });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    process.exitCode = printError(error);
  }
}
