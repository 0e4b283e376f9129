import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const HELPERS = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HELPERS, "../../../..");

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node [args]` from the repository root and collects its output. */
export function runNode(args: string[], opts: { onStdout?: (chunk: string) => void } = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      opts.onStdout?.(d);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export interface MigrateChildOutput {
  applied: string[];
  engineLoaded: boolean;
  importMs: number;
  migrateMs: number;
  pid: number;
}

/** Runs migrateDatabase(databaseFile) in a fresh node process (TypeScript sources through ts-register). */
export async function migrateInChild(databaseFile: string, migrationsDir?: string): Promise<MigrateChildOutput> {
  const args = [
    "--import",
    path.join(HELPERS, "ts-register.mjs"),
    path.join(HELPERS, "migrate-child.mjs"),
    databaseFile,
  ];
  if (migrationsDir) args.push(migrationsDir);
  const r = await runNode(args);
  if (r.code !== 0) throw new Error(`migrate child exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "") as MigrateChildOutput;
}
