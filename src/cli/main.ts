// `cinerag` command line. One file per subcommand; this file wires them and owns process-level concerns
// (configuration, signals, exit status).
import { Command, CommanderError } from "commander";
import { loadConfig } from "../config.js";
import { createApp, type App } from "../app.js";
import { printError } from "./cli-error.js";
import { registerIngest } from "./ingest.command.js";
import { registerReindex } from "./reindex.command.js";
import { registerServe } from "./serve.command.js";
import { registerQuery } from "./query.command.js";
import { registerModels } from "./models.command.js";
import { registerDoctor } from "./doctor.command.js";
import { registerEffects } from "./effects.command.js";

const controller = new AbortController();
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    controller.abort();
    process.exitCode = 130;
  });
}

let app: App | undefined;
/** Command-line tools log warnings only unless CINERAG_LOG_LEVEL says otherwise; the server logs at info. */
async function openApp(defaultLogLevel = "warn"): Promise<App> {
  app ??= await createApp(loadConfig(), { defaultLogLevel });
  return app;
}

const program = new Command()
  .name("cinerag")
  .description("Film and TV content analysis: ingest clips, search scenes, ask questions with evidence")
  .exitOverride()
  .configureOutput({
    writeErr: (text) => process.stderr.write(text),
    // Usage errors are one line like every other error: "cinerag: unknown option '-x'".
    outputError: (text, write) => write(`cinerag: ${text.replace(/^error: /, "")}`),
  });

registerIngest(program, () => openApp(), controller.signal);
registerReindex(program, () => openApp(), controller.signal);
registerServe(program, () => openApp("info"), controller.signal);
registerQuery(program, () => openApp());
registerEffects(program, () => openApp());
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
