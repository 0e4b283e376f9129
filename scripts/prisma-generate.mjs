// Generates the Prisma client into src/generated/prisma.
// The Prisma CLI fetches its native schema engine on first use; `generate` does not need it, so we point
// the variable at a no-op binary when none is configured. That keeps install offline-safe everywhere.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync("/bin/false")) env.PRISMA_SCHEMA_ENGINE_BINARY = "/bin/false";
if (!existsSync("prisma/schema.prisma")) process.exit(0);
const result = spawnSync(process.execPath, ["node_modules/prisma/build/index.js", "generate"], {
  env,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
