// `cinerag serve` (dist/) in a child process, so that its latency and memory are measured apart from the
// clients that attack it.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { BIN } from "../../e2e/ingest/cli-helpers.js";

export interface ServerProcess {
  url: string;
  origin: string;
  wsUrl: string;
  child: ChildProcess;
  stderr: () => string;
  /** resident memory of the server process, in MB (Linux /proc) */
  rssMb(): number;
  stop(): Promise<number | null>;
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
    env: { ...process.env, CINERAG_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      const m = /serving (http:\/\/\S+\/graphql)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
  });
  return {
    url,
    origin: url.replace(/\/graphql$/, ""),
    wsUrl: url.replace(/^http/, "ws"),
    child,
    stderr: () => stderr,
    rssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    },
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill("SIGTERM");
      });
    },
  };
}

/** Latencies (ms) of sequential trivial HTTP queries until `until` resolves (or `count` of them). */
export async function probeLatency(url: string, opts: { count?: number; until?: Promise<unknown> }): Promise<number[]> {
  const latencies: number[] = [];
  let done = false;
  void opts.until?.then(() => (done = true));
  while (!done && (opts.count === undefined || latencies.length < opts.count)) {
    const started = performance.now();
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    }).catch((error: Error & { cause?: { code?: string } }) => {
      const previous = latencies.length ? `; the one before took ${latencies.at(-1)!.toFixed(0)} ms` : "";
      throw new Error(
        `trivial query ${latencies.length + 1} failed after ${(performance.now() - started).toFixed(0)} ms: ${error.cause?.code ?? error.message}${previous}`,
      );
    });
    await res.text();
    if (res.status !== 200) throw new Error(`trivial query answered ${res.status}`);
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 10));
  }
  return latencies;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

export function procRssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used so far (Linux /proc/<pid>/stat). */
export function procCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
