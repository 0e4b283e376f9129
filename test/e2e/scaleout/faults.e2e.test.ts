// Engines that go away while a job runs, on real servers: one `cinerag serve` and one `cinerag worker` on a
// private PostgreSQL and a private Redis. While the worker is inside an ingest (it holds the file's lease) the
// test stops PostgreSQL (or Redis), checks that a request to the server fails with SERVICE_UNAVAILABLE, and
// starts the server again. The job must end SUCCEEDED with exactly what a clean embedded run of the same clip
// stores (`cinerag ingest --json`): one clip, READY, the same shots, cues and scenes, nothing lost or twice.
import { rm } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateClip, tempDir } from "../../fixtures/media.js";
import { REDIS_MISSING, startRedis, type TestRedis } from "../../helpers/redis-server.js";
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from "../../helpers/postgres-server.js";
import { tempDataDir } from "../../integration/graphql/helpers/seed.js";
import type { GqlBody } from "../graphql/helpers.js";
import {
  bullmqEnv,
  cleanIngest,
  leaseHolders,
  shots,
  startCli,
  startServe,
  stopProc,
  type CleanIngest,
  type Proc,
} from "./helpers.js";

const MISSING = REDIS_MISSING ?? POSTGRES_MISSING;
if (MISSING) console.warn(`skipping the engine fault tests: ${MISSING}`);

interface Stored {
  status: string;
  shots: { nodes: Array<{ startTime: number; endTime: number }> };
  cues: { nodes: Array<{ startTime: number; endTime: number; text: string }> };
  scenes: { nodes: Array<{ startTime: number; endTime: number; text: string }> };
}

/** POSTs one operation; the whole body (errors included) */
async function post<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<GqlBody<T>> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GqlBody<T>;
}

const INGEST = `mutation($input: IngestClipInput!) { ingestClip(input: $input) { id status } }`;

describe("engines that go away while a job runs", () => {
  if (MISSING) {
    it.skip(`needs redis-server and PostgreSQL: ${MISSING}`, () => undefined);
    return;
  }
  let pg: TestPostgres;
  let redis: TestRedis;
  let media: string;
  let clip: string;
  let clean: CleanIngest;
  let dir: string | undefined;
  let procs: Proc[] = [];
  let n = 0;

  beforeAll(async () => {
    [redis, pg] = await Promise.all([startRedis(), startPostgres()]);
    media = await tempDir("cinerag-faults-media-");
    clip = await generateClip(media, {
      name: "outage",
      fps: 25,
      width: 320,
      height: 180,
      noise: false,
      shots: shots(8, 5),
      subtitles: [
        {
          format: "srt",
          language: "en",
          placement: "sidecar",
          cues: [
            { start: 1, end: 3, text: "The lights went out." },
            { start: 21, end: 23, text: "And came back on." },
          ],
        },
      ],
    });
    [clean] = (await cleanIngest([clip], { CINERAG_MEDIA_ROOTS: media, CINERAG_OFFLINE: "1" })) as [CleanIngest];
  }, 240_000);

  afterEach(async () => {
    await Promise.all(
      procs.map(async (p) => {
        const timer = setTimeout(() => {
          console.warn(`a cinerag child did not stop on SIGTERM within 30 s:\n${p.output().slice(-3000)}`);
          p.child.kill("SIGKILL");
        }, 30_000);
        await stopProc(p);
        clearTimeout(timer);
      }),
    );
    procs = [];
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  afterAll(async () => {
    await redis?.stop();
    await pg?.stop();
    if (media) await rm(media, { recursive: true, force: true });
  });

  /** a serve and a worker on a database of their own; retries every 0.5 s, 1 s, 2 s, ... up to 8 runs */
  async function cluster() {
    dir = await tempDataDir("cinerag-faults-e2e-");
    const env = {
      ...bullmqEnv({
        dataDir: dir,
        redisUrl: redis.url,
        mediaRoots: media,
        databaseUrl: await pg.createDatabase(`cinerag_faults_${++n}`),
      }),
      CINERAG_JOB_ATTEMPTS: "8",
      CINERAG_JOB_BACKOFF_MS: "500",
    };
    const serve = await startServe(env);
    procs.push(serve);
    const worker = await startCli(["worker"], env, /worker running \(pid (\d+)/);
    procs.push(worker);
    return { env, url: serve.match, worker };
  }

  /** resolves once the worker holds the clip's ingest lease: it is inside the job */
  async function midJob(env: Record<string, string>, worker: Proc): Promise<void> {
    while (!(await leaseHolders(env)).includes(worker.child.pid!)) await new Promise((r) => setTimeout(r, 20));
  }

  async function untilJob(url: string, id: string, statuses: string[]): Promise<{ status: string; clipId: string }> {
    for (;;) {
      const body = await post<{ job: { status: string; clip: { id: string } | null } }>(
        url,
        `query($id: ID!) { job(id: $id) { status clip { id } } }`,
        { id },
      );
      const job = body.data?.job;
      if (job && statuses.includes(job.status)) return { status: job.status, clipId: job.clip?.id ?? "" };
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** the clip as the server stores it, against the clean run; and no second clip of the same file */
  async function expectCleanResult(url: string, clipId: string): Promise<void> {
    const all = await post<{ clips: { nodes: Array<{ path: string; status: string }> } }>(
      url,
      `{ clips(first: 100, filter: { status: [INGESTING, READY, FAILED] }) { nodes { path status } } }`,
    );
    expect(all.data?.clips.nodes.map((c) => c.status)).toEqual(["READY"]);
    const { data } = await post<{ clip: Stored }>(
      url,
      `query($id: ID!) { clip(id: $id) { status
         shots(first: 100) { nodes { startTime endTime } }
         cues(first: 100) { nodes { startTime endTime text } }
         scenes(first: 100) { nodes { startTime endTime text } } } }`,
      { id: clipId },
    );
    const stored = data!.clip;
    const byStart = <T extends { start: number }>(xs: T[]) => [...xs].sort((a, b) => a.start - b.start);
    expect(stored.status).toBe("READY");
    expect(stored.shots.nodes.map((s) => ({ start: s.startTime, end: s.endTime }))).toEqual(
      clean.shots.map((s) => ({ start: s.start, end: s.end })),
    );
    expect(byStart(stored.cues.nodes.map((c) => ({ start: c.startTime, end: c.endTime, text: c.text })))).toEqual(
      byStart(clean.cues.map((c) => ({ start: c.start, end: c.end, text: c.text }))),
    );
    expect(byStart(stored.scenes.nodes.map((s) => ({ start: s.startTime, end: s.endTime, text: s.text })))).toEqual(
      byStart(clean.scenes.map((s) => ({ start: s.start, end: s.end, text: s.text }))),
    );
    expect(stored.cues.nodes.length).toBeGreaterThan(0);
  }

  it("PostgreSQL stopped mid-job: requests fail with SERVICE_UNAVAILABLE, the job retries and ends as a clean run", async () => {
    const { url, worker, env } = await cluster();
    const queued = await post<{ ingestClip: { id: string } }>(url, INGEST, { input: { path: clip } });
    const jobId = queued.data!.ingestClip.id;
    await midJob(env, worker);
    await pg.pause();
    let resumed = false;
    try {
      const down = await post<unknown>(url, `{ clips { totalCount } }`);
      expect(down.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
      // the worker's run fails on the database and is retried after its backoff (as often as it takes)
      while (!/it will be retried/.test(worker.output())) await new Promise((r) => setTimeout(r, 50));
      await pg.resume();
      resumed = true;
    } finally {
      if (!resumed) await pg.resume();
    }
    const job = await untilJob(url, jobId, ["SUCCEEDED", "FAILED", "CANCELLED"]);
    expect(job.status).toBe("SUCCEEDED");
    expect(worker.output()).toMatch(/"error":"ENGINE_UNAVAILABLE: [^"]*","msg":"ingest job failed for a transient/);
    await expectCleanResult(url, job.clipId);
  }, 300_000);

  it("Redis stopped mid-job: an ingest request fails with SERVICE_UNAVAILABLE, the running job ends as a clean run", async () => {
    const { url, worker, env } = await cluster();
    const queued = await post<{ ingestClip: { id: string } }>(url, INGEST, { input: { path: clip } });
    const jobId = queued.data!.ingestClip.id;
    await midJob(env, worker);
    await redis.stop();
    let restarted = false;
    try {
      const refused = await post<unknown>(url, INGEST, { input: { path: clip } });
      expect(refused.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
      expect(refused.errors?.[0]?.message).toMatch(/Redis/);
      // reads need only the database
      const clips = await post<{ clips: { totalCount: number } }>(url, `{ clips { totalCount } }`);
      expect(clips.errors).toBeUndefined();
      await redis.start(); // empty: no persistence, every BullMQ entry is gone
      restarted = true;
    } finally {
      if (!restarted) await redis.start();
    }
    const job = await untilJob(url, jobId, ["SUCCEEDED", "FAILED", "CANCELLED"]);
    expect(job.status).toBe("SUCCEEDED");
    await expectCleanResult(url, job.clipId);
    // and the queue works again: the same file once more is "already ingested", no second clip
    const again = await post<{ ingestClip: { id: string } }>(url, INGEST, { input: { path: clip } });
    expect(again.errors).toBeUndefined();
    expect((await untilJob(url, again.data!.ingestClip.id, ["SUCCEEDED", "FAILED"])).status).toBe("SUCCEEDED");
    await expectCleanResult(url, job.clipId);
  }, 300_000);
});
