// Shared by the scale-out end-to-end tests: cinerag CLI children (serve, worker, ingest --json), a small
// GraphQL-over-HTTP client for a child server's URL, and generated shot lists.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { ShotSpec } from "../../fixtures/media.js";
import { tempDataDir } from "../../integration/graphql/helpers/seed.js";
import type { GqlBody } from "../graphql/helpers.js";

export const CLI = path.resolve("bin/cinerag.js");

export interface Proc {
  child: ChildProcess;
  output: () => string;
}

/** starts a cinerag child and resolves once its stderr matches `ready` (`match`: its first group) */
export function startCli(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<Proc & { match: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, output: () => out, match: m[1] ?? m[0] });
    });
    child.once("exit", (code) => reject(new Error(`cinerag ${args[0]} exited ${code}: ${out}`)));
  });
}

/**
 * The environment of the BullMQ processes of one test: jobs on Redis (CINERAG_REDIS_URL alone selects the BullMQ
 * queue), models off, a short stalled check.
 */
export function bullmqEnv(opts: {
  dataDir: string;
  redisUrl: string;
  mediaRoots: string;
  databaseUrl?: string;
}): Record<string, string> {
  return {
    ...(opts.databaseUrl ? { CINERAG_DATABASE_URL: opts.databaseUrl } : {}),
    CINERAG_DATA_DIR: opts.dataDir,
    CINERAG_REDIS_URL: opts.redisUrl,
    CINERAG_MEDIA_ROOTS: opts.mediaRoots,
    CINERAG_MODELS_FIRST_PULL: "none",
    CINERAG_OFFLINE: "1",
    CINERAG_LOG_LEVEL: "warn",
    // a dead worker's job is handed on after ~3 s
    CINERAG_JOB_LOCK_MS: "3000",
    CINERAG_JOB_STALLED_MS: "1000",
  };
}

/** `cinerag serve` on a free port; `match` is its GraphQL URL */
export function startServe(env: Record<string, string>): Promise<Proc & { match: string }> {
  return startCli(["serve", "--port", "0"], env, /serving (http:\/\/\S+)/);
}

export async function stopProc(p: Proc | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  await new Promise((resolve) => {
    p.child.once("exit", resolve);
    p.child.kill("SIGTERM");
  });
}

export const shots = (n: number, seconds: number): ShotSpec[] =>
  Array.from({ length: n }, (_, i) => ({
    duration: seconds,
    colour: ["0x8c1c1c", "0x1c2c8c", "0x1c8c2c", "0x8c8c1c"][i % 4]!,
    accent: ["0xf0d020", "0x20e0f0", "0xf020d0", "0x20f060"][i % 4]!,
    angle: (["left", "right", "top", "bottom"] as const)[i % 4]!,
  }));

/** POSTs one operation to a server's /graphql URL; throws on GraphQL errors */
export function gqlAt(url: string) {
  return async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as GqlBody<T>;
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
}

/** one line of `cinerag ingest --json` (src/cli/ingest.command.ts ingestJson), the parts compared here */
export interface CleanIngest {
  clip: { path: string };
  shots: Array<{ start: number; end: number }>;
  cues: Array<{ start: number; end: number; text: string }>;
  scenes: Array<{ start: number; end: number; text: string }>;
  keyframes: unknown[];
}

/**
 * `cinerag ingest --json` of the files in a data directory of its own (SQLite, in-process jobs): what a
 * run without a crash stores. `env` is the cluster's; its database URL and job queue are dropped.
 */
export async function cleanIngest(files: string[], env: Record<string, string>): Promise<CleanIngest[]> {
  const own = await tempDataDir("cinerag-clean-ingest-");
  try {
    const cleanEnv: Record<string, string | undefined> = { ...process.env, ...env, CINERAG_DATA_DIR: own };
    delete cleanEnv.CINERAG_DATABASE_URL; // SQLite in its own directory
    delete cleanEnv.CINERAG_JOBS;
    delete cleanEnv.CINERAG_REDIS_URL;
    const child = spawn(process.execPath, [CLI, "ingest", "--json", ...files], {
      env: cleanEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    if (code !== 0) throw new Error(`cinerag ingest --json exited ${String(code)}: ${err}`);
    return out
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as CleanIngest);
  } finally {
    await rm(own, { recursive: true, force: true });
  }
}

/**
 * pids of the processes holding an ingest lease now (the Lease table's "ingest:<hash>" rows, holders named
 * `<host>/<pid>/<uuid>`: src/cluster/lease.ts), read from the database the processes of `env` use
 */
export async function leaseHolders(env: Record<string, string>): Promise<number[]> {
  let holders: string[];
  if (env.CINERAG_DATABASE_URL) {
    const client = new pg.Client({ connectionString: env.CINERAG_DATABASE_URL });
    await client.connect();
    try {
      const rows = await client.query<{ holder: string }>(`SELECT holder FROM "Lease" WHERE name LIKE 'ingest:%'`);
      holders = rows.rows.map((r) => r.holder);
    } catch {
      holders = []; // not migrated yet
    } finally {
      await client.end();
    }
  } else {
    const file = path.join(env.CINERAG_DATA_DIR!, "cinerag.db");
    if (!existsSync(file)) return [];
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      db.pragma("busy_timeout = 5000");
      const rows = db.prepare(`SELECT holder FROM "Lease" WHERE name LIKE 'ingest:%'`).all() as Array<{
        holder: string;
      }>;
      holders = rows.map((r) => r.holder);
    } catch {
      holders = [];
    } finally {
      db.close();
    }
  }
  return holders.map((h) => Number(h.split("/")[1])).filter((p) => p > 0);
}
