// GraphQL server overhead benchmark: autocannon drives a trivial query (`{ __typename }`) against our server
// (Express 5 + Apollo 5 + armor rules, auth, request ids, per-request context and DataLoaders) and against a
// bare Apollo Server on Express 5 (same versions, nothing else), in the same run. Each server runs in its
// own child process so that the load generator does not share its event loop. Prints both throughputs and
// the ratio (goal >= 0.8). Rounds alternate short runs of the two servers and the ratio is the median of the
// per-round ratios, so that load from other processes on the machine drifting over the run cancels out.
// `npm run bench:graphql` (DURATION=seconds per run, CONNECTIONS=..., ROUNDS=...).
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const DURATION = Number(process.env.DURATION ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 8);
const QUERY = JSON.stringify({ query: "{ __typename }" });

type Role = "ours" | "bare";

async function serveOurs(): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cinerag-bench-"));
  const { loadConfig } = await import("../src/config.js");
  const { createApp } = await import("../src/app.js");
  const { startServer } = await import("../src/server/graphql-server.js");
  const app = await createApp(loadConfig({ CINERAG_DATA_DIR: dir, CINERAG_LOG_LEVEL: "error" }));
  const server = await startServer(app, { port: 0, host: "127.0.0.1", runJobs: false });
  process.once("disconnect", () => {
    void server
      .close()
      .then(() => app.close())
      .finally(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
  });
  return server.port;
}

async function serveBare(): Promise<number> {
  const { default: express } = await import("express");
  const { ApolloServer } = await import("@apollo/server");
  const { expressMiddleware } = await import("@as-integrations/express5");
  const { ApolloServerPluginDrainHttpServer } = await import("@apollo/server/plugin/drainHttpServer");
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer({
    typeDefs: "type Query { hello: String }",
    resolvers: { Query: { hello: () => "hi" } },
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await apollo.start();
  app.use("/graphql", express.json(), expressMiddleware(apollo));
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  process.once("disconnect", () => void apollo.stop().finally(() => process.exit(0)));
  return (httpServer.address() as AddressInfo).port;
}

function startChild(role: Role): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), [role], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve({ child, port: (m as { port: number }).port }));
    child.once("exit", (code) => reject(new Error(`${role} server exited with ${code}`)));
  });
}

async function load(
  port: number,
  duration: number,
): Promise<{ rps: number; p99: number; errors: number; non2xx: number }> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/graphql`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: QUERY,
    connections: CONNECTIONS,
    duration,
  });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

async function main(): Promise<void> {
  const ours = await startChild("ours");
  const bare = await startChild("bare");
  try {
    // sanity: both answer the query
    for (const [name, port] of [
      ["ours", ours.port],
      ["bare", bare.port],
    ] as const) {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: QUERY,
      });
      const body = await res.text();
      if (!body.includes('"__typename":"Query"')) throw new Error(`${name} server answered ${res.status} ${body}`);
    }
    await load(ours.port, 2); // warm-up (JIT)
    await load(bare.port, 2);
    const rounds: Array<{ ours: number; bare: number; ratio: number }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // alternate the order so that neither side always runs on a hotter machine
      const order: Array<["ours" | "bare", number]> =
        round % 2
          ? [
              ["ours", ours.port],
              ["bare", bare.port],
            ]
          : [
              ["bare", bare.port],
              ["ours", ours.port],
            ];
      const rps = { ours: 0, bare: 0 };
      for (const [name, port] of order) {
        const r = await load(port, DURATION);
        if (r.errors || r.non2xx) throw new Error(`${name}: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
        rps[name] = r.rps;
      }
      rounds.push({ ...rps, ratio: rps.ours / rps.bare });
      process.stdout.write(
        `round ${String(round).padStart(2)}  ours ${rps.ours.toFixed(0).padStart(6)} req/s  bare ${rps.bare.toFixed(0).padStart(6)} req/s  ratio ${(rps.ours / rps.bare).toFixed(3)}\n`,
      );
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    const ratio = median(rounds.map((r) => r.ratio));
    process.stdout.write(
      `\nquery { __typename }, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s per server (median)\n` +
        `cinerag server   ${median(rounds.map((r) => r.ours)).toFixed(0)} req/s\n` +
        `bare Apollo      ${median(rounds.map((r) => r.bare)).toFixed(0)} req/s\n` +
        `ratio            ${ratio.toFixed(3)} (median of per-round ratios; goal >= 0.8) ${ratio >= 0.8 ? "OK" : "BELOW GOAL"}\n`,
    );
    process.exitCode = ratio >= 0.8 ? 0 : 1;
  } finally {
    ours.child.disconnect();
    bare.child.disconnect();
  }
}

const role = process.argv[2] as Role | undefined;
if (role === "ours" || role === "bare") {
  const port = await (role === "ours" ? serveOurs() : serveBare());
  process.send?.({ port });
} else {
  await main();
}
