// Runs the real `cinerag` binary (bin/cinerag.js → dist/) in a child process.
import { spawn } from "node:child_process";
import path from "node:path";

export const BIN = path.resolve("bin/cinerag.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, CINERAG_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Starts `cinerag ingest --json <clip>` and SIGKILLs it when its debug log reports `stage` at or past `percent`. */
export function killIngestDuring(
  clip: string,
  env: Record<string, string>,
  stage: string,
  percent: number,
): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "ingest", "--json", clip], {
      env: { ...process.env, ...env, CINERAG_LOG_LEVEL: "debug" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let buffer = "";
    let killed = false;
    child.stderr.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const event = JSON.parse(line) as { stage?: string; percent?: number };
          if (!killed && event.stage === stage && (event.percent ?? 0) >= percent) killed = child.kill("SIGKILL");
        } catch {
          /* not a log line */
        }
      }
    });
    child.on("error", reject);
    child.on("close", () => resolve({ killed }));
  });
}
