// Child process for the concurrency and timing tests (run with `--import ./ts-register.mjs`): migrates the
// database argv[2] (migrations folder argv[3], default the package's) and prints one JSON line.
const t0 = performance.now();
const { migrateDatabase } = await import("../../../../src/store/migrate.ts");
const t1 = performance.now();
const result = await migrateDatabase(process.argv[2], process.argv[3] ? { migrationsDir: process.argv[3] } : {});
const t2 = performance.now();
const engineLoaded = globalThis[Symbol.for("cinerag.schemaEngineWasm")] !== undefined;
process.stdout.write(
  `${JSON.stringify({ ...result, engineLoaded, importMs: t1 - t0, migrateMs: t2 - t1, pid: process.pid })}\n`,
);
