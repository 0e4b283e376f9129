// `cinerag doctor` on a first run took 31 s: it loaded the whole application (GraphQL server, schema,
// ingest) and ran every ffmpeg binary twice (once to find it on PATH, once for its version). Checked by
// structure, not by the clock: the modules the process loads (a resolve hook records them) and the times
// each binary runs (PATH wrappers around the real ffmpeg/ffprobe count their calls). Runs the built CLI.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BINARIES } from "../../fixtures/media.js";

/** The absolute file of a binary given by name or path (the wrappers must not find themselves). */
function absolute(bin: string): string {
  if (path.isAbsolute(bin)) return bin;
  const found = (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((d) => path.join(d, bin))
    .find((f) => existsSync(f));
  return found ?? bin;
}

const root = path.resolve(import.meta.dirname, "../../..");
const cli = path.join(root, "bin", "cinerag.js");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cinerag-doctor-"));
  // wrappers named ffmpeg / ffprobe first on PATH: log each call, then run the real binary
  for (const [name, real] of [
    ["ffmpeg", absolute(BINARIES.ffmpeg)],
    ["ffprobe", absolute(BINARIES.ffprobe)],
  ] as const) {
    const file = path.join(dir, name);
    await writeFile(file, `#!/bin/sh\necho "${name} $*" >> "${dir}/calls.log"\nexec "${real}" "$@"\n`);
    await chmod(file, 0o755);
  }
  // a module hook that records every module the CLI process resolves
  await writeFile(
    path.join(dir, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(path.join(dir, "modules.log"))}, r.url + "\\n");
  return r;
}\n`,
  );
  await writeFile(
    path.join(dir, "register.mjs"),
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(path.join(dir, "hooks.mjs")).href)});\n`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.skipIf(!existsSync(path.join(root, "dist", "src", "cli", "main.js")))("cinerag doctor", () => {
  it("loads neither the server nor the schema, and runs each media binary once", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", pathToFileURL(path.join(dir, "register.mjs")).href, cli, "doctor", "--json"],
      {
        env: { PATH: `${dir}:${process.env.PATH ?? ""}`, HOME: dir, CINERAG_DATA_DIR: path.join(dir, ".cinerag") },
        timeout: 120_000,
      },
    ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
    const report = JSON.parse(stdout) as { checks: Array<{ name: string; level: string }> };
    expect(report.checks.find((c) => c.name === "ffmpeg")?.level).toBe("ok");
    const modules = (await readFile(path.join(dir, "modules.log"), "utf8")).split("\n");
    expect(modules.filter((m) => /graphql-server|@apollo\/server|type-graphql|\/app\.js$/.test(m))).toEqual([]);
    const calls = (await readFile(path.join(dir, "calls.log"), "utf8")).trim().split("\n");
    expect(calls.filter((c) => c.startsWith("ffmpeg ")).length).toBe(1);
    expect(calls.filter((c) => c.startsWith("ffprobe ")).length).toBe(1);
  });
});
