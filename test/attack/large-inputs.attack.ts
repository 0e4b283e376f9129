// Unbounded subtitle inputs through the real CLI (issue 15, item 3): a 100 MB SRT, a million cues, one
// 10 MB cue, the largest file the default limits allow, and SIGTERM as its subtitles stage starts. Each is
// refused with one line naming its setting (or ingested, the over-long cue skipped with a warning), leaves
// an intact database, and keeps the process's peak memory (sampled from /proc) within a bound over a
// clean ingest of the same clip measured in the same run. Found unbounded: 3.8 GB, 3.4 GB and 1.4 GB, and a
// SIGTERM ignored for minutes.
import { execFile } from "node:child_process";
import { open, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BINARIES, tempDir } from "../fixtures/media.js";
import { databaseIntact, isOneLineRefusal, runCliMeasured, type CliRun, type SignalAt } from "./helpers/cli-process.js";
import { runCases } from "./helpers/record.js";

const run = promisify(execFile);
const MiB = 1024 * 1024;
let dir: string;
let clip: string;
let baselineMb: number;

const srtTime = (s: number) => new Date(Math.round(s * 1000)).toISOString().slice(11, 23).replace(".", ",");

/** An SRT of `count` cues (or up to `bytes`), written in 1 MiB chunks: the test never holds the file. */
async function writeSrt(file: string, opts: { bytes?: number; count?: number; text?: string }): Promise<number> {
  const handle = await open(file, "w");
  let written = 0;
  let i = 0;
  const more = () => (opts.count !== undefined ? i < opts.count : written < (opts.bytes ?? 0));
  try {
    while (more()) {
      let chunk = "";
      while (chunk.length < MiB && more()) {
        const line = `${i + 1}\n${srtTime(i * 0.02)} --> ${srtTime(i * 0.02 + 0.015)}\nLine ${i} ${opts.text ?? ""}\n\n`;
        chunk += line;
        written += line.length;
        i++;
      }
      await handle.write(chunk);
    }
  } finally {
    await handle.close();
  }
  return i;
}

function cueCount(dataDir: string): number {
  const db = new Database(path.join(dataDir, "cinerag.db"), { readonly: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM Cue").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function readyClips(dataDir: string): number {
  const db = new Database(path.join(dataDir, "cinerag.db"), { readonly: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM Clip WHERE status = 'READY'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = await tempDir("cinerag-attack-large-");
  clip = path.join(dir, "clip.mkv");
  await run(BINARIES.ffmpeg, [
    ...["-y", "-v", "error", "-f", "lavfi", "-t", "4", "-i", "testsrc=size=160x90:rate=10"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip],
  ]);
  const clean = await runCliMeasured(["ingest", "--json", clip], { CINERAG_DATA_DIR: path.join(dir, "clean") });
  expect(clean.code, clean.stderr).toBe(0);
  baselineMb = clean.peakRssMb;
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface LargeCase {
  name: string;
  make: (file: string) => Promise<void>;
  env?: Record<string, string>;
  signalAt?: SignalAt;
  /** most MB over the clean ingest's peak */
  overBaselineMb: number;
  expect: (r: CliRun, dataDir: string) => void;
}

const refused = (pattern: RegExp) => (r: CliRun, dataDir: string) => {
  expect(r.code, r.stderr).toBe(2);
  expect(isOneLineRefusal(r.stderr), r.stderr).toBe(true);
  expect(r.stderr).toMatch(pattern);
  const db = databaseIntact(path.join(dataDir, "cinerag.db"));
  expect(db.ok, db.why).toBe(true);
  expect(db.clips).toBe(0);
};

const ALLOWED = { count: 180_000, text: "the storm is coming over the harbour tonight and nobody listens ".repeat(2) };

const CASES: LargeCase[] = [
  {
    name: "100 MB SRT",
    make: (f) => writeSrt(f, { bytes: 100 * MiB }).then(() => undefined),
    // refused from its size, before a byte is read
    overBaselineMb: 64,
    expect: refused(/is 100\.\d MiB, over the 32\.0 MiB limit \(CINERAG_SUBTITLE_MAX_BYTES\)/),
  },
  {
    name: "1M cues (46 MB, byte limit raised to 64 MiB)",
    make: (f) => writeSrt(f, { count: 1_000_000 }).then(() => undefined),
    env: { CINERAG_SUBTITLE_MAX_BYTES: String(64 * MiB) },
    overBaselineMb: 384,
    expect: refused(/more than 200000 cues, over the limit \(CINERAG_SUBTITLE_MAX_CUES\)/),
  },
  {
    name: "one 10 MB cue",
    make: (f) =>
      writeFile(
        f,
        `1\n00:00:00,000 --> 00:00:00,500\nhello\n\n2\n00:00:01,000 --> 00:00:02,000\n${"word ".repeat(2 * MiB)}\n\n3\n00:00:03,000 --> 00:00:03,500\nbye\n`,
      ),
    overBaselineMb: 384,
    expect(r, dataDir) {
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { tracks: Array<{ cueCount: number; warnings: string[] }> };
      expect(out.tracks[0]?.cueCount).toBe(2);
      expect(out.tracks[0]?.warnings.join("\n")).toMatch(/over the 10000 limit \(CINERAG_SUBTITLE_MAX_CUE_CHARS\)/);
      expect(databaseIntact(path.join(dataDir, "cinerag.db")).ok).toBe(true);
      expect(cueCount(dataDir)).toBe(2);
    },
  },
  {
    name: "largest allowed: 180k cues, 31 MB",
    make: (f) => writeSrt(f, ALLOWED).then(() => undefined),
    overBaselineMb: 512,
    expect(r, dataDir) {
      expect(r.code, r.stderr).toBe(0);
      // every cue parsed: the 200 inside the 4 s clip are stored, the rest dropped with a warning
      const out = JSON.parse(r.stdout) as { tracks: Array<{ cueCount: number; warnings: string[] }> };
      expect(out.tracks[0]?.warnings).toContain(
        `${ALLOWED.count - 200} cues start after the end of the clip (4.000 s) and were dropped`,
      );
      expect(databaseIntact(path.join(dataDir, "cinerag.db")).ok).toBe(true);
      expect(cueCount(dataDir)).toBe(200);
    },
  },
  {
    name: "SIGTERM as the subtitles stage starts (that file)",
    make: (f) => writeSrt(f, ALLOWED).then(() => undefined),
    signalAt: { stage: "subtitles", signal: "SIGTERM" },
    overBaselineMb: 512,
    expect(r, dataDir) {
      expect(r.exitAfterSignalMs, "the subtitles stage was reached").toBeDefined();
      // exit 130 and one line (it was "internal error: This operation was aborted", exit 1)
      expect(r.code, r.stderr.slice(-500)).toBe(130);
      expect(isOneLineRefusal(r.stderr), r.stderr.slice(-500)).toBe(true);
      expect(r.stderr).toMatch(/^cinerag: cancelled by SIGTERM$/m);
      // promptly: the parse checks its signal between chunks (it ran on for minutes before the fix)
      expect(r.exitAfterSignalMs!).toBeLessThan(5000);
      const db = databaseIntact(path.join(dataDir, "cinerag.db"));
      expect(db.ok, db.why).toBe(true);
      expect(readyClips(dataDir)).toBe(0);
    },
  },
];

it("large subtitle inputs: refused or bounded, and SIGTERM stops the parse", async () => {
  const figures: string[] = [];
  const failures = await runCases(
    "large subtitle inputs (cli ingest)",
    CASES,
    async (c, i) => {
      const file = path.join(dir, `large-${i}.srt`);
      await c.make(file);
      const dataDir = path.join(dir, `data-${i}`);
      const r = await runCliMeasured(
        ["ingest", "--json", clip, "--subtitles", file],
        { CINERAG_DATA_DIR: dataDir, ...c.env },
        c.signalAt,
      );
      await rm(file, { force: true });
      const signal = r.exitAfterSignalMs === undefined ? "" : `, exit ${r.exitAfterSignalMs.toFixed(0)} ms after it`;
      figures.push(`${c.name} ${r.peakRssMb.toFixed(0)} MB${signal}`);
      c.expect(r, dataDir);
      expect(r.peakRssMb).toBeLessThan(baselineMb + c.overBaselineMb);
    },
    () => `peak rss: clean ingest ${baselineMb.toFixed(0)} MB, ${figures.join(", ")}`,
  );
  expect(failures).toEqual([]);
});
