// A private Redis server for tests: Debian's redis-server on a free loopback port, no persistence, stopped
// (and restartable on the same port) by the test. Where redis-server is not installed the suites that need it
// are skipped with the reason, except under CI, where a missing server is a failure (.ci/run installs it).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";

const CANDIDATES = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];
export const REDIS_BINARY = CANDIDATES.find((p) => existsSync(p));
export const REDIS_MISSING = REDIS_BINARY
  ? undefined
  : "redis-server is not installed (apt-get install redis-server); the Redis suites are skipped";
if (REDIS_MISSING && process.env.CI === "true") throw new Error(`CI must run the Redis suites: ${REDIS_MISSING}`);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (d) => {
      socket.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });
}

export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  if (!REDIS_BINARY) throw new Error(REDIS_MISSING);
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      REDIS_BINARY,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 200; i++) {
      if (await answers(port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once("exit", () => resolve());
      c.kill("SIGKILL");
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}
