// The standing attack suite (npm run test:attack; also run by .ci/run): what an adversarial pass found,
// kept so that the next change cannot bring it back. Each test records rows (attack, cases, held) in one
// file; a reporter prints them as one table after vitest's summary, with the run's duration. Files run
// one at a time: floods measure latency and memory, and the machine may have two cores.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";
import { AttackTableReporter } from "./test/attack/helpers/table.reporter.js";

const rows = path.join(mkdtempSync(path.join(tmpdir(), "cinerag-attack-")), "rows.jsonl");

export default defineConfig({
  resolve: {
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["test/attack/**/*.attack.ts"],
    provide: { attackRows: rows },
    reporters: ["default", new AttackTableReporter(rows)],
    // generous: kill -9 trials and concurrent ingests are many CLI runs, and CI machines are shared
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    // never a model download: child `cinerag serve` / `ingest` processes skip the first-start pull
    env: { CINERAG_MODELS_FIRST_PULL: "none" },
  },
});
