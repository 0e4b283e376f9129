// `cinerag serve` on a port that is taken: one line that says so, exit status 2, no stack trace.
import { createServer, type Server } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../ingest/cli-helpers.js";
import { tempDir } from "../../fixtures/media.js";

let blocker: Server;
let port: number;

beforeAll(async () => {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  port = (blocker.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

it("refuses a port in use with one line", async () => {
  const dir = await tempDir();
  const run = await runCli(["serve", "--port", String(port)], {
    CINERAG_DATA_DIR: path.join(dir, "data"),
    CINERAG_LOG_LEVEL: "silent",
  });
  expect(run.code).toBe(2);
  expect(run.stderr.trim()).toBe(
    `cinerag: port ${port} on 127.0.0.1 is in use: choose another with --port or CINERAG_PORT`,
  );
});
