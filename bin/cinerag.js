#!/usr/bin/env node
// The package is compiled to dist/ at install (npm's `prepare`); type-graphql needs tsc's decorator metadata.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../dist/src/cli/main.js", import.meta.url));
if (!existsSync(main)) {
  process.stderr.write("cinerag: not built yet; run `npm run build` in the package folder\n");
  process.exit(1);
}
await import(main);
