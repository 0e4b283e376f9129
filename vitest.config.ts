import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql must be loaded once: type-graphql and Apollo check `instanceof` across modules.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    // the suite never downloads a model: child `cinerag serve` / `ingest` processes inherit this and skip
    // the first-start pull (test/integration/models/first-start.test.ts turns it on against a local hub)
    env: { CINERAG_MODELS_FIRST_PULL: "none" },
  },
});
