// examples/: every .graphql document validates against the schema, and the notebook runs against a live
// server (jupyter-nbconvert with python3-pandas and python3-requests; skipped, with the reason, without them).
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { parse, validate } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cineragSchema } from "../../../src/schema/build-schema.js";
import { seedClip } from "../../integration/search/seed.js";
import { startTestServer, type TestServer } from "../graphql/helpers.js";

const examples = path.resolve(import.meta.dirname, "../../../examples");
const run = promisify(execFile);

describe("example queries", () => {
  it("validate against the schema", async () => {
    const schema = await cineragSchema();
    const files = readdirSync(path.join(examples, "queries")).filter((f) => f.endsWith(".graphql"));
    expect(files.length).toBeGreaterThan(4);
    for (const f of files)
      expect(validate(schema, parse(readFileSync(path.join(examples, "queries", f), "utf8"))), f).toEqual([]);
  });
});

const NBCONVERT = ["/usr/bin/jupyter-nbconvert", "jupyter-nbconvert"].find((p) => !p.startsWith("/") || existsSync(p))!;

async function notebookTooling(): Promise<string | undefined> {
  try {
    await run(NBCONVERT, ["--version"]);
    await run("/usr/bin/python3", ["-c", "import pandas, requests, ipykernel"]);
    return undefined;
  } catch (error) {
    return `jupyter-nbconvert with python3-pandas, python3-requests and python3-ipykernel is not installed (${(error as Error).message.split("\n")[0]})`;
  }
}

const missing = await notebookTooling();

describe.skipIf(missing !== undefined)(`examples/notebook.ipynb${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let t: TestServer;
  let out: string;
  beforeAll(async () => {
    t = await startTestServer({ CINERAG_OFFLINE: "1", CINERAG_ENRICH: "none" });
    await seedClip(t.app.prisma, {
      title: "Harbour",
      texts: ["Where were you last night? Out by the harbour.", "The ship leaves at dawn."],
    });
    await t.app.search.outbox.drain();
    out = await mkdtemp(path.join(tmpdir(), "cinerag-nb-"));
  });
  afterAll(async () => {
    await t?.stop();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("pulls tables of results from the live server", async () => {
    await run(
      NBCONVERT,
      [
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.timeout=120",
        "--output-dir",
        out,
        "--output",
        "executed.ipynb",
        path.join(examples, "notebook.ipynb"),
      ],
      {
        env: { ...process.env, CINERAG_URL: t.server.url, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
        timeout: 120_000,
      },
    );
    const nb = JSON.parse(readFileSync(path.join(out, "executed.ipynb"), "utf8")) as {
      cells: Array<{
        cell_type: string;
        outputs?: Array<{ output_type: string; data?: Record<string, unknown>; text?: string[] }>;
      }>;
    };
    const outputs = nb.cells.filter((c) => c.cell_type === "code").flatMap((c) => c.outputs ?? []);
    expect(outputs.some((o) => o.output_type === "error")).toBe(false);
    const text = JSON.stringify(outputs);
    expect(text).toContain("averageShotLength");
    expect(text).toContain("Harbour");
    expect(text).toContain("[S1]");
  });
});
