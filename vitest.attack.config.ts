// The standing attack suite (npm run test:attack; also run by .ci/run): what an adversarial pass found,
// kept so that the next change cannot bring it back. Each file records rows (attack, cases, held); the
// global teardown prints them as one table. Files run one at a time: floods measure latency and memory.
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["test/attack/**/*.attack.ts"],
    globalSetup: ["test/attack/helpers/table.global.ts"],
    // generous: kill -9 trials and concurrent ingests are many CLI runs, and CI machines are shared
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
  },
});
