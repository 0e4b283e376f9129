// GraphQL server overhead benchmark: autocannon drives our server (Fastify 5 + Apollo 5 with every
// protection on: armor rules, the token limit, API-key auth, request ids, the CSRF rule, the body limit,
// error formatting, per-request context and DataLoaders) and two baselines, in the same run:
//   standalone  Apollo Server 5's own `startStandaloneServer` (node:http, body-parser, cors)
//   express     Apollo Server 5 on Express 5 (`@as-integrations/express5`, express.json())
// Ours runs with API keys configured, and every request carries one. Two workloads:
//   typename    `{ __typename }`; the baselines serve a one-field schema with an empty context (bare Apollo,
//               as issue 16 measures it): the ratio is the whole cost of our HTTP layer and protections.
//   mix         a realistic mix over a small seeded database (clips with scenes and their cues; keyword
//               searches): the baselines serve cinerag's own schema, resolvers and per-request context
//               (DataLoaders) over the same data directory, without our transport or protections. The ratio
//               is the cost of those on real work.
// Each server runs in its own child process, so that the load generator does not share its event loop.
// Rounds run each server for DURATION seconds in a rotating order; a ratio is the median of the per-round
// ratios (min and max beside it), so that load from other processes drifting over the run cancels out.
// The load average is printed before and after. `npm run bench:graphql` (DURATION=seconds per run,
// CONNECTIONS=..., ROUNDS=..., WORKLOADS=typename,mix). Exit code 1 when typename/standalone < 0.8.
import { randomUUID } from "node:crypto";
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import type { App } from "../src/app.js";

const DURATION = Number(process.env.DURATION ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 6);
const WORKLOADS = (process.env.WORKLOADS ?? "typename,mix").split(",") as Workload[];
const GOAL = 0.8;
// ours runs with API keys configured (not local mode): every request is authenticated
const API_KEY = "bench-reader-key";
const HEADERS = { "content-type": "application/json", "x-api-key": API_KEY };

type Workload = "typename" | "mix";
type Server = "ours" | "standalone" | "express";
const SERVERS: Server[] = ["ours", "standalone", "express"];
/** the port of each workload in a child process */
type Ports = Record<Workload, number>;

const TYPENAME = [{ query: "{ __typename }" }];
const CLIPS = `query Clips($n: Int!) {
  clips(first: $n) {
    totalCount
    nodes { id title duration scenes(first: 10) { totalCount nodes { startTime endTime text cues(first: 5) { nodes { startTime endTime text } } } } }
  }
}`;
const SEARCH = `query Search($q: String!) {
  searchScenes(query: $q, mode: KEYWORD, first: 10) { score highlights scene { startTime endTime clip { title } } }
}`;
const WORDS = ["harbour", "knife", "violin", "train", "storm", "balloon", "moon", "letters", "jazz", "captain"];
/** one clips page to every two searches, each search a different word */
const MIX = WORDS.flatMap((q, i) => [
  ...(i % 2 ? [] : [{ query: CLIPS, variables: { n: 3 + (i % 3) } }]),
  { query: SEARCH, variables: { q } },
]);
const BODIES: Record<Workload, Array<Record<string, unknown>>> = { typename: TYPENAME, mix: MIX };

// ---- the database the mix reads (seeded once by the parent, read by every child) ---------------------------

const SENTENCES = [
  "The detective examines the bloody knife in the kitchen.",
  "Rain falls over the harbour while the old captain sings.",
  "Two lovers argue about money on the night train to Paris.",
  "A violin plays in an empty concert hall at midnight.",
  "The lighthouse keeper counts seagulls before the storm.",
  "She burns the letters one by one in the fireplace.",
  "Children chase a red balloon through the market square.",
  "The astronaut watches the earth rise over the moon.",
  "A jazz trio improvises in a smoky basement club.",
];

async function openApp(dir: string, env: Record<string, string> = {}): Promise<App> {
  const { loadConfig } = await import("../src/config.js");
  const { createApp } = await import("../src/app.js");
  return createApp(loadConfig({ CINERAG_DATA_DIR: dir, CINERAG_LOG_LEVEL: "error", ...env }));
}

/** 8 READY clips of 30 scenes, a cue per scene, indexed for keyword search */
async function seed(dir: string): Promise<void> {
  const { seedClip } = await import("../test/integration/search/seed.js");
  const app = await openApp(dir);
  for (let c = 0; c < 8; c++) {
    const texts = Array.from({ length: 30 }, (_, i) => SENTENCES[(c * 7 + i) % SENTENCES.length]!);
    await seedClip(app.prisma, { title: `Film ${c + 1}`, texts });
  }
  await app.search.outbox.drain();
  await app.close();
}

// ---- the servers (child processes) -------------------------------------------------------------------------

async function listen(httpServer: http.Server): Promise<number> {
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return (httpServer.address() as AddressInfo).port;
}

async function serveOurs(dir: string): Promise<Ports> {
  const app = await openApp(dir, { CINERAG_API_KEYS: `reader:${API_KEY}` });
  const { startServer } = await import("../src/server/graphql-server.js");
  const server = await startServer(app, { port: 0, host: "127.0.0.1", runJobs: false });
  process.once("disconnect", () => void server.close().finally(() => void app.close().finally(() => process.exit(0))));
  return { typename: server.port, mix: server.port };
}

/** Apollo without our layer: a one-field schema, or cinerag's schema with its per-request context */
async function bareApollo(app: App | undefined) {
  const { ApolloServer } = await import("@apollo/server");
  if (!app)
    return new ApolloServer({
      typeDefs: "type Query { hello: String }",
      resolvers: { Query: { hello: () => "hi" } },
    });
  const { cineragSchema } = await import("../src/schema/build-schema.js");
  return new ApolloServer({ schema: await cineragSchema() });
}

async function sameContext(app: App) {
  const { createContext } = await import("../src/resolvers/context.js");
  return () =>
    Promise.resolve(
      createContext({
        services: app.api,
        logger: app.logger,
        requestId: randomUUID(),
        role: "editor",
        baseUrl: "http://127.0.0.1",
      }),
    );
}

async function serveStandalone(dir: string): Promise<Ports> {
  const { startStandaloneServer } = await import("@apollo/server/standalone");
  const app = await openApp(dir);
  const typename = await bareApollo(undefined);
  const mix = await bareApollo(app);
  const a = await startStandaloneServer(typename, { listen: { port: 0, host: "127.0.0.1" } });
  const b = await startStandaloneServer(mix, {
    listen: { port: 0, host: "127.0.0.1" },
    context: await sameContext(app),
  });
  process.once("disconnect", () => void Promise.all([typename.stop(), mix.stop()]).finally(() => process.exit(0)));
  return { typename: Number(new URL(a.url).port), mix: Number(new URL(b.url).port) };
}

async function serveExpress(dir: string): Promise<Ports> {
  const { default: express } = await import("express");
  const { expressMiddleware } = await import("@as-integrations/express5");
  const { ApolloServerPluginDrainHttpServer } = await import("@apollo/server/plugin/drainHttpServer");
  const app = await openApp(dir);
  const ports: Partial<Ports> = {};
  const stops: Array<() => Promise<void>> = [];
  for (const workload of ["typename", "mix"] as const) {
    const e = express();
    const httpServer = http.createServer(e);
    const apollo = await bareApollo(workload === "mix" ? app : undefined);
    apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer }));
    await apollo.start();
    const context = workload === "mix" ? await sameContext(app) : () => Promise.resolve({});
    e.use("/graphql", express.json(), expressMiddleware(apollo, { context }));
    ports[workload] = await listen(httpServer);
    stops.push(() => apollo.stop());
  }
  process.once("disconnect", () => void Promise.all(stops.map((s) => s())).finally(() => process.exit(0)));
  return ports as Ports;
}

function startChild(server: Server, dir: string): Promise<{ child: ChildProcess; ports: Ports }> {
  const child = fork(fileURLToPath(import.meta.url), [server, dir], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve({ child, ports: (m as { ports: Ports }).ports }));
    child.once("exit", (code) => reject(new Error(`${server} server exited with ${code}`)));
  });
}

// ---- load and report ------------------------------------------------------------------------------------

async function load(port: number, workload: Workload, duration: number): Promise<number> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/graphql`,
    method: "POST",
    headers: HEADERS,
    requests: BODIES[workload].map((b) => ({ method: "POST", body: JSON.stringify(b) })),
    connections: CONNECTIONS,
    duration,
  });
  if (result.errors || result.non2xx)
    throw new Error(`port ${port} ${workload}: ${result.errors} errors, ${result.non2xx} non-2xx responses`);
  return result.requests.average;
}

/** every body of the workload answers with data and no errors, the same on every server */
async function check(server: Server, port: number, workload: Workload): Promise<string> {
  const answers: string[] = [];
  for (const body of BODIES[workload]) {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: "POST",
      headers: HEADERS,
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = JSON.parse(text) as { data?: unknown; errors?: unknown };
    if (res.status !== 200 || parsed.errors || !parsed.data)
      throw new Error(`${server} ${workload} answered ${res.status} ${text.slice(0, 300)}`);
    answers.push(JSON.stringify(parsed.data));
  }
  return answers.join("\n");
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const ratioLine = (label: string, xs: number[]) =>
  `${label.padEnd(22)} ${median(xs).toFixed(3)}  (min ${Math.min(...xs).toFixed(3)}, max ${Math.max(...xs).toFixed(3)})`;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cinerag-bench-graphql-"));
  const children: ChildProcess[] = [];
  try {
    await seed(dir);
    const ports = {} as Record<Server, Ports>;
    for (const server of SERVERS) {
      const started = await startChild(server, dir);
      children.push(started.child);
      ports[server] = started.ports;
    }
    for (const workload of WORKLOADS) {
      const answers = await Promise.all(SERVERS.map((s) => check(s, ports[s][workload], workload)));
      if (answers.some((a) => a !== answers[0]))
        throw new Error(`the servers answer the ${workload} workload differently`);
      for (const s of SERVERS) await load(ports[s][workload], workload, 2); // warm-up (JIT, caches)
    }
    process.stdout.write(
      `cpus ${os.cpus().length}, load average before ${loadavg()}; ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s per server and workload\n`,
    );
    const rps: Record<Workload, Record<Server, number[]>> = {
      typename: { ours: [], standalone: [], express: [] },
      mix: { ours: [], standalone: [], express: [] },
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const workload of WORKLOADS) {
        // rotate the order so that no server always runs first, or right after the same one
        const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length]!);
        const got: Partial<Record<Server, number>> = {};
        for (const s of order) got[s] = await load(ports[s][workload], workload, DURATION);
        for (const s of SERVERS) rps[workload][s].push(got[s]!);
        process.stdout.write(
          `round ${String(round + 1).padStart(2)} ${workload.padEnd(8)} ` +
            SERVERS.map((s) => `${s} ${got[s]!.toFixed(0).padStart(6)}`).join("  ") +
            `  req/s   ours/standalone ${(got.ours! / got.standalone!).toFixed(3)}  ours/express ${(got.ours! / got.express!).toFixed(3)}\n`,
        );
      }
    }
    let typenameRatio = Number.NaN;
    for (const workload of WORKLOADS) {
      const r = rps[workload];
      const vsStandalone = r.ours.map((o, i) => o / r.standalone[i]!);
      const vsExpress = r.ours.map((o, i) => o / r.express[i]!);
      if (workload === "typename") typenameRatio = median(vsStandalone);
      process.stdout.write(
        `\n${workload === "typename" ? "{ __typename } (baselines: bare Apollo, one-field schema, empty context)" : "mix: clips with scenes and cues, keyword searches (baselines: cinerag's schema, resolvers and context, no transport layer or protections)"}\n` +
          SERVERS.map((s) => `  ${s.padEnd(11)} ${median(r[s]).toFixed(0).padStart(6)} req/s (median)`).join("\n") +
          `\n  ${ratioLine("ours / standalone", vsStandalone)}${workload === "typename" ? `  goal >= ${GOAL}: ${median(vsStandalone) >= GOAL ? "OK" : "BELOW GOAL"}` : ""}` +
          `\n  ${ratioLine("ours / express", vsExpress)}\n`,
      );
    }
    process.stdout.write(`\nload average after ${loadavg()}\n`);
    if (WORKLOADS.includes("typename")) process.exitCode = typenameRatio >= GOAL ? 0 : 1;
  } finally {
    for (const c of children) c.disconnect();
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  }
}

const role = process.argv[2];
if (role === "ours" || role === "standalone" || role === "express") {
  const dir = process.argv[3]!;
  const serve = { ours: serveOurs, standalone: serveStandalone, express: serveExpress }[role];
  process.send?.({ ports: await serve(dir) });
} else {
  await main();
}
