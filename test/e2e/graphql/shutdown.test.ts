// `cinerag serve` interrupted (SIGINT) while an ingest job runs: the job goes back to QUEUED and the next
// start picks it up at once and finishes it. Runs with NODE_ENV=production, as users run it: Apollo's own
// signal handling is only active outside NODE_ENV=test (it once re-raised the signal mid-shutdown).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BINARIES, tempDir } from "../../fixtures/media.js";
import { BIN } from "../ingest/cli-helpers.js";

let dir: string;
let clip: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await tempDir();
  clip = path.join(dir, "media", "long.mp4");
  await mkdir(path.dirname(clip), { recursive: true });
  // 40 s of 720p: a few seconds of work, so the interrupt lands while the job runs
  await promisify(execFile)(BINARIES.ffmpeg, [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=s=1280x720:r=25:d=40",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    clip,
  ]);
});
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

function serve(): { child: ChildProcess; url: Promise<string>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      CINERAG_DATA_DIR: path.join(dir, "data"),
      CINERAG_MEDIA_ROOTS: path.dirname(clip),
      CINERAG_LOG_LEVEL: "warn",
      CINERAG_ENRICH: "none",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  let err = "";
  const url = new Promise<string>((resolve) =>
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /serving (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    }),
  );
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, url, exit };
}

const jobRow = () => {
  const db = new Database(path.join(dir, "data", "cinerag.db"), { readonly: true });
  try {
    return db.prepare("SELECT status, stage, message FROM Job").get() as
      { status: string; stage: string | null; message: string } | undefined;
  } finally {
    db.close();
  }
};

async function until<T>(probe: () => T | undefined): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

it("puts the running job back on SIGINT, exits cleanly, and the next start finishes it", async () => {
  const first = serve();
  const url = await first.url;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: `mutation { ingestClip(input: { path: ${JSON.stringify(clip)} }) { id } }` }),
  });
  expect((await res.json()) as unknown).toMatchObject({ data: { ingestClip: { id: expect.any(String) as unknown } } });
  await until(() => (jobRow()?.stage === "shots" ? true : undefined));
  first.child.kill("SIGINT");
  expect(await first.exit).toBe(0);
  expect(jobRow()).toMatchObject({ status: "QUEUED", message: expect.stringMatching(/shutdown/) as unknown });

  const second = serve();
  await second.url;
  const done = await until(() => {
    const row = jobRow();
    return row && ["SUCCEEDED", "FAILED", "CANCELLED"].includes(row.status) ? row : undefined;
  });
  expect(done.status).toBe("SUCCEEDED");
  second.child.kill("SIGTERM");
  expect(await second.exit).toBe(0);
});
