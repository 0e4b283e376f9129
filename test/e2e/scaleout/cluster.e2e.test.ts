// The whole cluster on real engines: two `cinerag serve` processes (A and B) and two `cinerag worker`
// processes on one PostgreSQL and one Redis (CINERAG_JOBS=bullmq), one shared data directory. Four generated
// clips with subtitles are ingested through `ingestClip` on A while a graphql-ws client on B receives every
// `jobProgress` event of each job, to its final one; a worker is killed with SIGKILL mid-job (on the first
// RUNNING event past 20% that B sees) and the other takes its job over (short BullMQ lock/stalled times).
// At the end every clip is READY, once, with the shots, cues and scenes that an embedded run of the same
// clips (`cinerag ingest --json` into a SQLite data directory of its own) stores, and a keyword search on B
// finds each.
import { rm } from "node:fs/promises";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateClip, tempDir } from "../../fixtures/media.js";
import { REDIS_MISSING, startRedis, type TestRedis } from "../../helpers/redis-server.js";
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from "../../helpers/postgres-server.js";
import { tempDataDir } from "../../integration/graphql/helpers/seed.js";
import { wsCollect, type GqlBody } from "../graphql/helpers.js";
import {
  bullmqEnv,
  cleanIngest,
  gqlAt,
  leaseHolders,
  shots,
  startCli,
  startServe,
  stopProc,
  type Proc,
} from "./helpers.js";

const MISSING = REDIS_MISSING ?? POSTGRES_MISSING;
if (MISSING) console.warn(`skipping the cluster end-to-end test: ${MISSING}`);

/** one word per clip, in its subtitles only: what the keyword search on B looks for */
const WORDS = ["lighthouse", "harbour", "meadow", "glacier"] as const;
const KILL_AT_PERCENT = 20;

interface Progress {
  status: string;
  percent: number;
  final: boolean;
}
interface Stored {
  status: string;
  shots: { nodes: Array<{ startTime: number; endTime: number }> };
  cues: { nodes: Array<{ startTime: number; endTime: number; text: string }> };
  scenes: { nodes: Array<{ startTime: number; endTime: number; text: string }> };
}

describe("a cluster: two servers, two workers, PostgreSQL and Redis", () => {
  if (MISSING) {
    it.skip(`needs redis-server and PostgreSQL: ${MISSING}`, () => undefined);
    return;
  }
  let pg: TestPostgres;
  let redis: TestRedis;
  let dir: string;
  let media: string;
  let files: string[];
  let env: Record<string, string>;
  let serveA: Proc & { match: string };
  let serveB: Proc & { match: string };
  const workers: Proc[] = [];
  let clientB: Client;

  beforeAll(async () => {
    [redis, pg] = await Promise.all([startRedis(), startPostgres()]);
    dir = await tempDataDir("cinerag-cluster-e2e-");
    media = await tempDir("cinerag-cluster-media-");
    files = await Promise.all(
      WORDS.map((word, n) =>
        generateClip(media, {
          name: word,
          fps: 25,
          width: 320,
          height: 180,
          noise: false,
          shots: shots(8, 5).map((sh, i) => ({
            ...sh,
            colour: `0x${(i * 24 + n * 5).toString(16).padStart(2, "0")}${(40 + n * 30).toString(16)}40`,
          })),
          subtitles: [
            {
              format: "srt",
              language: "en",
              placement: "sidecar",
              cues: [
                { start: 1, end: 3, text: `The ${word} at dawn.` },
                { start: 21, end: 23, text: `Back to the ${word} again.` },
              ],
            },
          ],
        }),
      ),
    );
    env = bullmqEnv({
      dataDir: dir,
      redisUrl: redis.url,
      mediaRoots: media,
      databaseUrl: await pg.createDatabase("cinerag_cluster"),
    });
    // A first: it applies the migrations; B then starts on a migrated database
    serveA = await startServe(env);
    serveB = await startServe(env);
    clientB = createClient({
      url: serveB.match.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
    });
  }, 240_000);

  afterAll(async () => {
    await clientB?.dispose();
    await Promise.all(workers.map(stopProc));
    await Promise.all([stopProc(serveA), stopProc(serveB)]);
    await redis?.stop();
    await pg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (media) await rm(media, { recursive: true, force: true });
  });

  it("ingests four clips on A, B sees every event, a worker is killed, all end as an embedded run stores them", async () => {
    const started = Date.now();
    const gqlA = gqlAt(serveA.match);
    const gqlB = gqlAt(serveB.match);
    // enqueued on A before any worker runs, and subscribed on B: B sees each job from QUEUED on
    const jobIds: string[] = [];
    for (const file of files) {
      const res = await gqlA<{ ingestClip: { id: string } }>(
        `mutation($input: IngestClipInput!) { ingestClip(input: $input) { id } }`,
        { input: { path: file } },
      );
      jobIds.push(res.ingestClip.id);
    }
    let killed: { pid: number; at: number; percent: number } | undefined;
    let killing: Promise<void> | undefined;
    const kill = async (percent: number) => {
      // the worker that holds an ingest lease is mid-job
      for (let i = 0; i < 100; i++) {
        const pid = (await leaseHolders(env)).find((p) =>
          workers.some((w) => w.child.pid === p && w.child.exitCode === null),
        );
        if (pid !== undefined) {
          process.kill(pid, "SIGKILL");
          killed = { pid, at: Date.now(), percent };
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const subscribed: Array<Promise<void>> = [];
    const collected = jobIds.map((id) => {
      let first: () => void;
      subscribed.push(new Promise<void>((r) => (first = r)));
      return wsCollect<{ jobProgress: Progress }>(
        clientB,
        `subscription($id: ID!) { jobProgress(jobId: $id) { status percent final } }`,
        { id },
        (r: GqlBody<{ jobProgress: Progress }>) => {
          first();
          const e = r.data?.jobProgress;
          if (!killing && e?.status === "RUNNING" && e.percent >= KILL_AT_PERCENT) killing = kill(e.percent);
        },
      );
    });
    await Promise.all(subscribed);
    await Promise.all(
      [0, 1].map(async () => workers.push(await startCli(["worker"], env, /worker running \(pid (\d+)/))),
    );

    // the survivor says when it takes the dead worker's job over
    let takenOverAt: number | undefined;
    const watch = setInterval(() => {
      const survivor = workers.find((w) => w.child.pid !== killed?.pid);
      if (killed && takenOverAt === undefined && /taking over a job whose worker stopped/.test(survivor!.output()))
        takenOverAt = Date.now();
    }, 50);
    const results = await Promise.all(collected);
    clearInterval(watch);
    await killing;
    const clusterMs = Date.now() - started;

    expect(killed, "no RUNNING event past the kill threshold reached B").toBeDefined();
    const events = results.map((r) => {
      expect(r.error).toBeUndefined();
      return r.results.map((x) => x.data!.jobProgress);
    });
    for (const e of events) {
      expect(e[0]!.status).toBe("QUEUED"); // from the start
      expect(e.filter((x) => x.status === "RUNNING").length).toBeGreaterThan(1); // live, from the workers
      expect(e.at(-1)).toMatchObject({ status: "SUCCEEDED", final: true, percent: 100 });
      expect(e.filter((x) => x.final)).toHaveLength(1);
    }
    const survivor = workers.find((w) => w.child.pid !== killed!.pid)!;
    expect(survivor.child.exitCode).toBeNull();
    expect(survivor.output()).toMatch(/taking over a job whose worker stopped/);

    // every clip READY, once, with what the embedded run stores
    const clean = await cleanIngest(files, env);
    expect(clean).toHaveLength(files.length);
    const all = (
      await gqlB<{ clips: { nodes: Array<{ path: string; status: string }> } }>(
        `{ clips(first: 100, filter: { status: [INGESTING, READY, FAILED] }) { nodes { path status } } }`,
      )
    ).clips.nodes;
    expect(all.map((c) => c.status)).toEqual(files.map(() => "READY"));
    const byStart = <T extends { start: number }>(xs: T[]) => [...xs].sort((a, b) => a.start - b.start);
    for (const [i, id] of jobIds.entries()) {
      const { job } = await gqlA<{ job: { status: string; clip: { id: string } } }>(
        `query($id: ID!) { job(id: $id) { status clip { id } } }`,
        { id },
      );
      expect(job.status).toBe("SUCCEEDED");
      const { clip } = await gqlB<{ clip: Stored }>(
        `query($id: ID!) { clip(id: $id) { status
           shots(first: 100) { nodes { startTime endTime } }
           cues(first: 100) { nodes { startTime endTime text } }
           scenes(first: 100) { nodes { startTime endTime text } } } }`,
        { id: job.clip.id },
      );
      expect(clip.status).toBe("READY");
      const want = clean[i]!;
      const got = {
        shots: clip.shots.nodes.map((s) => ({ start: s.startTime, end: s.endTime })),
        cues: byStart(clip.cues.nodes.map((c) => ({ start: c.startTime, end: c.endTime, text: c.text }))),
        scenes: byStart(clip.scenes.nodes.map((s) => ({ start: s.startTime, end: s.endTime, text: s.text }))),
      };
      expect(got.shots).toEqual(want.shots.map((s) => ({ start: s.start, end: s.end })));
      expect(got.cues).toEqual(byStart(want.cues.map((c) => ({ start: c.start, end: c.end, text: c.text }))));
      expect(got.scenes).toEqual(byStart(want.scenes.map((s) => ({ start: s.start, end: s.end, text: s.text }))));
      expect(got.cues.length).toBeGreaterThan(0);
    }

    // a keyword search on B finds each clip by the word only its subtitles hold
    for (const word of WORDS) {
      let titles: string[] = [];
      for (let i = 0; i < 150 && !titles.some((t) => t.includes(word)); i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        titles = (
          await gqlB<{ searchScenes: Array<{ scene: { clip: { title: string } } }> }>(
            `query($q: String!) { searchScenes(query: $q, mode: KEYWORD, first: 5) { scene { clip { title } } } }`,
            { q: word },
          )
        ).searchScenes.map((h) => h.scene.clip.title.toLowerCase());
      }
      expect(
        titles.some((t) => t.includes(word)),
        `no keyword hit for ${word} on B`,
      ).toBe(true);
    }

    const received = events.map((e) => e.length);
    console.log(
      `cluster e2e: 4 clips through 2 servers and 2 workers in ${clusterMs} ms; worker ${killed!.pid} killed at ` +
        `${killed!.percent}%; taken over after ${takenOverAt === undefined ? "?" : takenOverAt - killed!.at} ms; ` +
        `jobProgress events on B per job: ${received.join(", ")} (${received.reduce((a, b) => a + b, 0)} in all)`,
    );
    expect(takenOverAt).toBeDefined();
  }, 480_000);
});
