// The real `cinerag` binary in a child process, with its peak resident memory sampled from /proc.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { BIN } from "../../e2e/ingest/cli-helpers.js";
import { procRssMb } from "./server-process.js";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssMb: number;
  /** with `signalAt`: ms from the signal to the exit (undefined when the stage was never reached) */
  exitAfterSignalMs?: number;
}

export interface SignalAt {
  /** sent when the debug log first reports this stage (CINERAG_LOG_LEVEL=debug is set for the run) */
  stage: string;
  signal: NodeJS.Signals;
}

export function runCliMeasured(args: string[], env: Record<string, string>, signalAt?: SignalAt): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        ...process.env,
        CINERAG_LOG_LEVEL: "warn",
        CINERAG_ENRICH: "none",
        CINERAG_OFFLINE: "1",
        ...env,
        ...(signalAt ? { CINERAG_LOG_LEVEL: "debug" } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let peakRssMb = 0;
    let signalledAt: number | undefined;
    const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, procRssMb(child.pid!))), 50);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      const text = d.toString();
      const seen = stderr.slice(-200) + text; // a stage name split across two chunks
      stderr += text;
      if (signalAt && signalledAt === undefined && seen.includes(`"stage":"${signalAt.stage}"`)) {
        signalledAt = performance.now();
        child.kill(signalAt.signal);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(sampler);
      const exitAfterSignalMs = signalledAt === undefined ? undefined : performance.now() - signalledAt;
      resolve({ code, stdout, stderr, peakRssMb, exitAfterSignalMs });
    });
  });
}

/** A refusal as the README promises it: one line on stderr, no stack trace, no internal message. */
export function isOneLineRefusal(stderr: string): boolean {
  const lines = stderr
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("{")); // pino lines are JSON
  return (
    lines.length === 1 &&
    !/\n\s+at |internal error|Cannot read properties|TypeError|Invalid string length/i.test(stderr)
  );
}

/** The database passes SQLite's integrity and foreign-key checks, and no clip is half stored. */
export function databaseIntact(file: string): { ok: boolean; clips: number; why: string } {
  if (!existsSync(file)) return { ok: true, clips: 0, why: "no database" };
  const db = new Database(file, { readonly: true });
  try {
    const integrity = (db.pragma("integrity_check") as Array<{ integrity_check: string }>)[0]?.integrity_check;
    const fk = db.pragma("foreign_key_check") as unknown[];
    const clips = (db.prepare("SELECT COUNT(*) AS n FROM Clip").get() as { n: number }).n;
    const orphanShots = (
      db.prepare("SELECT COUNT(*) AS n FROM Shot s JOIN Clip c ON c.id = s.clipId WHERE c.status <> 'READY'").get() as {
        n: number;
      }
    ).n;
    const ok = integrity === "ok" && fk.length === 0 && orphanShots === 0;
    return {
      ok,
      clips,
      why: `integrity ${integrity}, ${fk.length} fk violations, ${orphanShots} shots of unready clips`,
    };
  } finally {
    db.close();
  }
}
