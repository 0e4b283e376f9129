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
  },
});
