// A private PostgreSQL cluster for tests: Debian's PostgreSQL binaries (/usr/lib/postgresql/<version>/bin),
// initdb'd into a temporary directory and started on a free loopback port, fsync off, stopped and removed
// by the test. initdb and postgres refuse to run as root: as root they run as the `postgres` user (the
// Debian package creates it) and the directory is handed to that user. Where the binaries are not installed
// the suites that need them are skipped with the reason, except under CI, where that is a failure (.ci/run
// installs `postgresql`).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./redis-server.js";

const ROOTS = ["/usr/lib/postgresql"];

/** the bin directory of the newest installed PostgreSQL with initdb and postgres */
function findBinDir(): string | undefined {
  for (const root of ROOTS) {
    if (!existsSync(root)) continue;
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const bin = path.join(root, v, "bin");
      if (existsSync(path.join(bin, "initdb")) && existsSync(path.join(bin, "postgres"))) return bin;
    }
  }
  return undefined;
}

export const POSTGRES_BIN_DIR = findBinDir();
export const POSTGRES_MISSING = POSTGRES_BIN_DIR
  ? undefined
  : "PostgreSQL is not installed (apt-get install postgresql: initdb and postgres under /usr/lib/postgresql/<version>/bin); the PostgreSQL suites are skipped";
if (POSTGRES_MISSING && process.env.CI === "true") {
  throw new Error(`CI must run the PostgreSQL suites: ${POSTGRES_MISSING}`);
}

/** uid/gid to run the server as: ourselves, or the `postgres` user when we are root */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) throw new Error("running as root, but there is no `postgres` user to run initdb and postgres as");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

export interface TestPostgres {
  /** postgresql://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** the URL of a new, empty database on this server */
  createDatabase(name?: string): Promise<string>;
  /** stops the server and removes its directory */
  stop(): Promise<void>;
  /** stops the server, keeping its data (a database that goes away while cinerag runs) */
  pause(): Promise<void>;
  /** starts it again on the same port, with the same data */
  resume(): Promise<void>;
  /** how long initdb and the start took, ms */
  startupMs: number;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let databases = 0;

export async function startPostgres(): Promise<TestPostgres> {
  if (!POSTGRES_BIN_DIR) throw new Error(POSTGRES_MISSING);
  const t0 = performance.now();
  const user = serverUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), "cinerag-test-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, "data");
  const init = spawnSync(
    path.join(POSTGRES_BIN_DIR, "initdb"),
    // C collation and case rules: text orders byte-wise, as on SQLite
    ["-A", "trust", "-U", "postgres", "-D", data, "-E", "UTF8", "--locale=C", "--no-sync"],
    { ...user, encoding: "utf8", cwd: dir },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  let stderr = "";
  let child: ChildProcess | undefined;
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const halt = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => c.kill("SIGKILL"), 10_000);
      c.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      c.kill("SIGINT"); // fast shutdown: clients are disconnected, data is kept
    });
  };
  const stop = async () => {
    await halt();
    rmSync(dir, { recursive: true, force: true });
  };
  const start = async () => {
    const c = spawn(
      path.join(POSTGRES_BIN_DIR, "postgres"),
      [
        "-D",
        data,
        "-p",
        String(port),
        "-k",
        dir,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "max_connections=200",
      ],
      { ...user, cwd: dir, stdio: ["ignore", "ignore", "pipe"] },
    );
    child = c;
    c.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-4000)));
    for (let i = 0; ; i++) {
      if (await answers(url)) return;
      if (c.exitCode !== null || i > 400) {
        await halt();
        throw new Error(`postgres did not start on port ${port}: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  try {
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    port,
    startupMs: performance.now() - t0,
    stop,
    pause: halt,
    resume: start,
    async createDatabase(name = `cinerag_test_${process.pid}_${++databases}`) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return `postgresql://postgres@127.0.0.1:${port}/${name}`;
    },
  };
}
