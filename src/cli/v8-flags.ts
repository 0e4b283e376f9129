// V8 flags a command sets for its own process, before any WebAssembly is compiled.
//
// Prisma's query compiler is WebAssembly (2.3 MB; the schema engine that migrates is another). V8 compiles a
// function with its baseline compiler (Liftoff) when first called and, once it has run hot, again with
// TurboFan on background threads; the parse of Prisma's schema at the first query makes many functions hot
// at once, and a process that is done waits for those compilations before it exits. Measured on this
// 2-core machine (medians of 5-7 alternated runs): `cinerag query '{ __typename }'` 1.57 -> 1.22 s wall,
// 2.17 -> 1.56 s cpu; an ingest of a 2 s clip into a new data directory 3.28 -> 2.77 s wall, 4.62 -> 3.28 s
// cpu; bench:ingest, the before build in the same run: the fixed start cost of an ingest (2 s clip, data
// directory in use) 3.22 -> 1.80 s of node cpu, peak RSS of a 60 s ingest 438 -> 387 MB. A one-shot command
// never runs long enough to gain from TurboFan: 10 000 Prisma queries in a loop took no longer with Liftoff
// alone. A server does gain, after its warm-up (a query mix over HTTP, 0.93-0.94x the throughput with
// Liftoff alone), so `serve` and `worker` keep V8's defaults.
import { setFlagsFromString } from "node:v8";

/** Commands that do one thing and exit. */
const ONE_SHOT = new Set(["ingest", "query", "reindex", "effects", "doctor", "models"]);

/** The V8 flags for the command named first on the command line. */
export function v8FlagsFor(command: string | undefined): string[] {
  return command !== undefined && ONE_SHOT.has(command) ? ["--liftoff-only"] : [];
}

/** Sets them: call before the first Prisma client is created (flags set later do not change compiled code). */
export function applyV8Flags(command: string | undefined): void {
  for (const flag of v8FlagsFor(command)) setFlagsFromString(flag);
}
