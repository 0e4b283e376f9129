// ingestClip over HTTP, its progress over a graphql-ws subscription, the ingested clip over HTTP; media-root
// refusals (outside, relative, missing, a symlink leading out); cancelling a queued job.
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateClip, tempDir } from "../../fixtures/media.js";
import { startTestServer, wsCollect, type TestServer } from "./helpers.js";

let t: TestServer;
let media: string;
let outside: string;
let clipFile: string;

beforeAll(async () => {
  media = await tempDir("cinerag-media-");
  outside = await tempDir("cinerag-outside-");
  // Long enough (a few seconds of work) that the subscription, opened after the mutation returns, is
  // in place well before the job ends; a job already finished would only send its final event.
  clipFile = await generateClip(media, {
    name: "tiny",
    fps: 25,
    width: 640,
    height: 360,
    shots: [
      { duration: 6, colour: "0x8c1c1c", accent: "0xf0d020", angle: "left" },
      { duration: 6, colour: "0x1c2c8c", accent: "0x20e0f0", angle: "right" },
    ],
    subtitles: [
      {
        format: "srt",
        language: "en",
        placement: "sidecar",
        cues: [
          { start: 0.2, end: 1.2, text: "Hello there." },
          { start: 1.7, end: 2.7, text: "Goodbye." },
        ],
      },
    ],
  });
  await writeFile(path.join(outside, "secret.mkv"), "not media");
  await symlink(path.join(outside, "secret.mkv"), path.join(media, "link-out.mkv"));
  await mkdir(path.join(media, "sub"));
  await symlink(outside, path.join(media, "sub", "dir-out"));
  t = await startTestServer({ CINERAG_MEDIA_ROOTS: media });
});
afterAll(async () => {
  await t?.stop();
  await rm(media, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

const INGEST = `mutation($input: IngestClipInput!) { ingestClip(input: $input) { id status path } }`;

interface IngestData {
  ingestClip: { id: string; status: string; path: string };
}
interface ProgressData {
  jobProgress: {
    jobId: string;
    status: string;
    stage: string | null;
    stagePercent: number;
    percent: number;
    message: string | null;
    final: boolean;
    clip: { title: string } | null;
  };
}
interface ClipsData {
  clips: {
    nodes: Array<{
      title: string;
      status: string;
      scenes: { totalCount: number };
      shots: { totalCount: number };
      cues: { nodes: Array<{ text: string; language: string }> };
      keyframes: { nodes: Array<{ url: string }> };
    }>;
  };
}
interface JobStatus {
  status: string;
}
interface CancelData {
  cancelJob: { id?: string; status: string };
}

describe("ingestClip", () => {
  it("returns a job at once; the subscription receives its progress to the final state", async () => {
    const client = t.ws();
    const started = await t.gql<IngestData>(INGEST, { input: { path: clipFile, title: "Tiny" } });
    expect(started.body.errors).toBeUndefined();
    const job = started.body.data!.ingestClip;
    expect(["QUEUED", "RUNNING"]).toContain(job.status);
    const { results, error } = await wsCollect<ProgressData>(
      client,
      `subscription($id: ID!) { jobProgress(jobId: $id) { jobId status stage stagePercent percent message final clip { title } } }`,
      { id: job.id },
    );
    expect(error).toBeUndefined();
    const events = results.map((r) => r.data!.jobProgress);
    const last = events.at(-1);
    expect(last).toMatchObject({
      jobId: job.id,
      status: "SUCCEEDED",
      final: true,
      percent: 100,
      clip: { title: "Tiny" },
    });
    expect(events.filter((e) => !e.final).length).toBeGreaterThan(0);
    const stages = new Set(events.map((e) => e.stage).filter(Boolean));
    expect(stages.size).toBeGreaterThan(1);
    const percents = events.map((e) => e.percent);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents); // never goes back

    const clip = await t.gql<ClipsData>(
      `{ clips { nodes { title status scenes { totalCount } shots { totalCount } cues { nodes { text language } } keyframes(first: 1) { nodes { url } } } } }`,
    );
    const c = clip.body.data!.clips.nodes[0]!;
    expect(c).toMatchObject({ title: "Tiny", status: "READY" });
    expect(c.shots.totalCount).toBeGreaterThanOrEqual(1);
    expect(c.cues.nodes.map((n) => n.text)).toEqual(["Hello there.", "Goodbye."]);
    expect((await fetch(c.keyframes.nodes[0]!.url)).status).toBe(200);
    const row = await t.gql<{ job: JobStatus & { percent: number; clip: { title: string } | null } }>(
      `query($id: ID!) { job(id: $id) { status percent clip { title } } }`,
      { id: job.id },
    );
    expect(row.body.data!.job).toEqual({ status: "SUCCEEDED", percent: 100, clip: { title: "Tiny" } });
  });

  it("a subscription to a finished job gets its final state and completes", async () => {
    const jobs = await t.gql<{ jobs: { nodes: Array<{ id: string }> } }>(
      `{ jobs(filter: { status: [SUCCEEDED] }) { nodes { id } } }`,
    );
    const id = jobs.body.data!.jobs.nodes[0]!.id;
    const { results } = await wsCollect<{ jobProgress: JobStatus & { final: boolean } }>(
      t.ws(),
      `subscription($id: ID!) { jobProgress(jobId: $id) { status final } }`,
      {
        id,
      },
    );
    expect(results.map((r) => r.data!.jobProgress)).toEqual([{ status: "SUCCEEDED", final: true }]);
  });

  it.each([
    ["outside the roots", () => path.join(outside, "secret.mkv"), "FORBIDDEN", /outside the media roots/],
    ["a symlink leading out", () => path.join(media, "link-out.mkv"), "FORBIDDEN", /link that leads outside/],
    [
      "through a linked folder leading out",
      () => path.join(media, "sub", "dir-out", "secret.mkv"),
      "FORBIDDEN",
      /outside/,
    ],
    [
      "dot-dot out of the root",
      () => `${media}/../${path.basename(outside)}/secret.mkv`,
      "FORBIDDEN",
      /outside the media roots/,
    ],
    ["relative", () => "tiny.mkv", "BAD_USER_INPUT", /absolute/],
    ["missing", () => path.join(media, "nope.mkv"), "BAD_USER_INPUT", /does not exist/],
    ["a folder", () => path.join(media, "sub"), "BAD_USER_INPUT", /not a file/],
    ["the root folder itself", () => media, "BAD_USER_INPUT", /not a file/],
  ])("refuses a path %s", async (_name, p, code, message) => {
    const r = await t.gql<IngestData>(INGEST, { input: { path: p() } });
    expect(r.body.errors![0]!.extensions!.code).toBe(code);
    expect(r.body.errors![0]!.message).toMatch(message);
    expect(r.body.data).toBeNull();
  });

  it("checks subtitle paths too", async () => {
    const r = await t.gql<IngestData>(INGEST, {
      input: { path: clipFile, subtitlePaths: [path.join(outside, "secret.mkv")] },
    });
    expect(r.body.errors![0]!.extensions!.code).toBe("FORBIDDEN");
    expect(r.body.errors![0]!.message).toMatch(/subtitlePaths\[0\]/);
  });

  it("cancels a queued job", async () => {
    // concurrency 1: the second job waits while the first runs
    const other = await generateClip(media, {
      name: "other",
      fps: 10,
      shots: [{ duration: 3, colour: "0x1c7c2c", accent: "0xe020c0", angle: "top" }],
    });
    const a = (await t.gql<IngestData>(INGEST, { input: { path: other } })).body.data!.ingestClip;
    const b = (await t.gql<IngestData>(INGEST, { input: { path: clipFile, title: "Again" } })).body.data!.ingestClip;
    const cancelled = await t.gql<CancelData>(`mutation($id: ID!) { cancelJob(id: $id) { id status } }`, { id: b.id });
    expect(cancelled.body.data!.cancelJob).toEqual({ id: b.id, status: "CANCELLED" });
    const again = await t.gql<CancelData>(`mutation($id: ID!) { cancelJob(id: $id) { status } }`, { id: b.id });
    expect(again.body.data!.cancelJob.status).toBe("CANCELLED");
    await t.app.jobs.idle();
    const rows = await t.gql<{ a: JobStatus; b: JobStatus }>(
      `query($a: ID!, $b: ID!) { a: job(id: $a) { status } b: job(id: $b) { status } }`,
      {
        a: a.id,
        b: b.id,
      },
    );
    expect(rows.body.data).toEqual({ a: { status: "SUCCEEDED" }, b: { status: "CANCELLED" } });
    const finished = await t.gql<CancelData>(`mutation($id: ID!) { cancelJob(id: $id) { status } }`, { id: a.id });
    expect(finished.body.errors![0]!.extensions!.code).toBe("CONFLICT");
  });
});

describe("without media roots", () => {
  it("refuses path mutations and says how to configure roots", async () => {
    const bare = await startTestServer();
    try {
      const r = await bare.gql<IngestData>(INGEST, { input: { path: clipFile } });
      expect(r.body.errors![0]!.extensions!.code).toBe("FORBIDDEN");
      expect(r.body.errors![0]!.message).toMatch(/CINERAG_MEDIA_ROOTS=/);
    } finally {
      await bare.stop();
    }
  });
});
