// Runs one ingest (no models) in its own process and prints, as JSON on its last line, its wall time,
// peak memory and the wall and CPU time of each start-up phase. Used by ingest.bench.ts so that each
// measurement has a fresh process and its own peak RSS.
//
// The modules are imported dynamically so that their loading is measured as a phase of its own: `boot`
// is node's own start (up to this module running), `import` loading config + app and everything they
// import, `open` createCore as `cinerag ingest` opens it (migration check, database, adapters), `ingest`
// the ingest itself.
const bootMs = performance.now();
const bootCpu = process.cpuUsage();
// the V8 flags `cinerag ingest` runs with (src/cli/v8-flags.ts), before anything compiles WebAssembly
const { applyV8Flags } = await import("../src/cli/v8-flags.js");
applyV8Flags("ingest");
const cpuMs = (since?: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

const [file, dataDir, extra] = process.argv.slice(2);
if (!file || !dataDir) throw new Error("usage: ingest-child <file> <dataDir> [<config variables as JSON>]");
/** configuration variables of a variant the benchmark compares (e.g. the frame analysis in-process or not) */
const overrides = extra ? (JSON.parse(extra) as Record<string, string>) : {};

let mark = performance.now();
let cpuMark = process.cpuUsage();
const phases: Record<string, { wallMs: number; cpuMs: number }> = {
  boot: { wallMs: bootMs, cpuMs: (bootCpu.user + bootCpu.system) / 1000 },
};
const phase = (name: string) => {
  const now = performance.now();
  phases[name] = { wallMs: now - mark, cpuMs: cpuMs(cpuMark) };
  mark = now;
  cpuMark = process.cpuUsage();
};

const [{ loadConfig }, { createCore }] = await Promise.all([import("../src/config.js"), import("../src/app.js")]);
phase("import");
// "no models": the enrichment stage (embeddings, emotions, captions, CLIP) is off, as the issue measures.
const app = await createCore(
  loadConfig({ CINERAG_DATA_DIR: dataDir, CINERAG_LOG_LEVEL: "warn", CINERAG_ENRICH: "none", ...overrides }),
);
phase("open");
const result = await app.ingest.ingest({ file });
phase("ingest");
await app.close();
phase("close");
process.stdout.write(
  `${JSON.stringify({
    wallMs: phases.ingest!.wallMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    shots: result.shots.length,
    scenes: result.scenes.length,
    keyframes: result.keyframes.length,
    phases,
  })}\n`,
);
