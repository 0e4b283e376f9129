// `cinerag query` and `cinerag serve` as processes (the compiled CLI: `npm test` builds first).
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../../src/app.js";
import { seedClip, tempDataDir, testConfig } from "../../integration/graphql/helpers/seed.js";
import type { GqlBody } from "./helpers.js";

const BIN = fileURLToPath(new URL("../../../bin/cinerag.js", import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL("../../../dist/src/cli/main.js", import.meta.url)));
let dir: string;

beforeAll(async () => {
  dir = await tempDataDir("cinerag-cli-");
  const app = await createApp(testConfig(dir));
  await seedClip(app.prisma, app.config, { title: "From the CLI", scenes: 2 });
  await app.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ ...process.env, CINERAG_DATA_DIR: dir, CINERAG_LOG_LEVEL: "silent" });
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args], { env: env() }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );

describe.skipIf(!BUILT)("cinerag CLI (dist/ built)", () => {
  it("query prints the JSON result", async () => {
    const r = await run([
      "query",
      "query($n: Int) { clips(first: $n) { nodes { title scenes { totalCount } } } }",
      "--variables",
      '{"n": 5}',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      data: { clips: { nodes: [{ title: "From the CLI", scenes: { totalCount: 2 } }] } },
    });
  });

  it("query exits non-zero with coded errors", async () => {
    const r = await run(["query", "{ clips { nope } }"]);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as GqlBody<unknown>).errors![0]!.extensions!.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const bad = await run(["query", "{ clips { totalCount } }", "--variables", "not json"]);
    expect(bad.code).toBe(2);
  });

  it("serve listens on the port given and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
      env: { ...env(), CINERAG_LOG_LEVEL: "info" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    let stopped = false;
    try {
      let stderr = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on("data", (d: Buffer) => {
          stderr += d.toString();
          const m = /serving (http:\/\/\S+\/graphql)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
      });
      expect(stderr).toMatch(/local single-user mode/);
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ clips { totalCount } }" }),
      });
      expect(await res.json()).toEqual({ data: { clips: { totalCount: 1 } } });
      child.kill("SIGTERM");
      stopped = true;
      expect(await exited).toBe(0);
    } finally {
      // a failed assertion above must not leave the server running
      if (!stopped && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    }
  });
});
