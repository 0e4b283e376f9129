// Optional: the playground rendered by a real headless Chromium, offline (every request outside the server
// is blocked by pointing the proxy at nothing). Skipped, with the reason, when /usr/bin/chromium is absent.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available)
  console.warn(
    `skipping the headless browser check of the playground: ${CHROMIUM} is not installed (apt-get install chromium)`,
  );

describe.skipIf(!available)("playground in headless Chromium", () => {
  let t: TestServer;
  let profile: string;
  beforeAll(async () => {
    t = await startTestServer();
    profile = await mkdtemp(path.join(tmpdir(), "cinerag-chromium-"));
  });
  afterAll(async () => {
    await t?.stop();
    await rm(profile, { recursive: true, force: true });
  });

  it("renders GraphiQL with the example operations, offline", async () => {
    const { stdout } = await promisify(execFile)(
      CHROMIUM,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        `--user-data-dir=${profile}`,
        // anything not on 127.0.0.1 goes to a proxy that does not exist: the page must not need it
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1",
        "--virtual-time-budget=15000",
        "--dump-dom",
        t.server.url,
      ],
      { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(stdout).toMatch(/graphiql-container/);
    expect(stdout).toMatch(/query Clips|Clips/);
  });
});
