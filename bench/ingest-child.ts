// Runs one ingest (no models) in its own process and prints its wall time and peak memory as JSON.
// Used by ingest.bench.ts so that each measurement has a fresh process and its own peak RSS.
import { loadConfig } from "../src/config.js";
import { createApp } from "../src/app.js";

const [file, dataDir] = process.argv.slice(2);
if (!file || !dataDir) throw new Error("usage: ingest-child <file> <dataDir>");
// "no models": the enrichment stage (embeddings, emotions, captions, CLIP) is off, as the issue measures.
const app = await createApp(
  loadConfig({ CINERAG_DATA_DIR: dataDir, CINERAG_LOG_LEVEL: "warn", CINERAG_ENRICH: "none" }),
);
const started = performance.now();
const result = await app.ingest.ingest({ file });
const wallMs = performance.now() - started;
await app.close();
process.stdout.write(
  `${JSON.stringify({ wallMs, maxRssMb: process.resourceUsage().maxRSS / 1024, shots: result.shots.length, scenes: result.scenes.length })}\n`,
);
