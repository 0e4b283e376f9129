// Builds the dashboard (src/web) into dist/web: plain files served by `cinerag serve` at `/`, nothing
// loaded from a CDN. Part of `npm run build`, so `npm install` builds it too.
import { defineConfig } from "vite";

export default defineConfig({
  root: "src/web",
  base: "./",
  logLevel: "warn",
  build: {
    outDir: "../../dist/web",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 1500,
    assetsInlineLimit: 0,
  },
});
