// A worker that dies between its ingest's commit and the clipUpdated READY publish: the worker taking the job
// over finds the clip stored ("already ingested") and must still announce it READY, or subscribers never
// hear of it. The dead worker's commit is a real ingest of a generated clip (SQLite, ffmpeg); then the job,
// left RUNNING, is run again the way BullMQ's stalled check hands it on (RunControl.takeover). A second job
// of the same file that is not a takeover (a duplicate request) stays silent, as before.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApp, type App } from "../../../src/app.js";
import { TOPICS, type ClipUpdatedPayload } from "../../../src/events/pubsub.port.js";
import { IngestJobRunner } from "../../../src/jobs/job-runner.js";
import { talkClip, tempDir } from "../../fixtures/media.js";
import { tempDataDir, testConfig } from "../graphql/helpers/seed.js";

let app: App;
let dir: string;
let media: string;
let file: string;

beforeAll(async () => {
  dir = await tempDataDir("cinerag-takeover-ready-");
  media = await tempDir("cinerag-takeover-ready-media-");
  file = await talkClip(media);
  app = await createApp(testConfig(dir, { CINERAG_OFFLINE: "1", CINERAG_ENRICH: "none" }));
}, 120_000);
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(media, { recursive: true, force: true });
});

/** runs a RUNNING job of `file` and returns the clipUpdated events it published (read up to a sentinel) */
async function runJob(takeover: boolean): Promise<ClipUpdatedPayload[]> {
  const events = app.events.subscribe(TOPICS.CLIP_UPDATED) as AsyncIterableIterator<ClipUpdatedPayload>;
  const job = await app.store.jobs.create("INGEST", JSON.stringify({ path: file }), "queued");
  await app.store.jobs.transition(job.id, ["QUEUED"], { status: "RUNNING" });
  const runner = new IngestJobRunner({
    jobs: app.store.jobs,
    ingest: app.ingest,
    pubsub: app.events,
    logger: app.logger,
  });
  const outcome = await runner.run((await app.store.jobs.get(job.id))!, {
    controller: new AbortController(),
    stopping: false,
    takeover,
  });
  expect(outcome).toBe("SUCCEEDED");
  app.events.publish(TOPICS.CLIP_UPDATED, { clipId: "sentinel", change: "READY", at: new Date().toISOString() });
  const got: ClipUpdatedPayload[] = [];
  for await (const e of events) {
    if (e.clipId === "sentinel") break;
    got.push(e);
  }
  return got;
}

it("the takeover of a job whose worker died after the commit publishes READY; a duplicate job does not", async () => {
  // the dead worker's run: stored and committed, READY never published
  const stored = await app.ingest.ingest({ file });
  expect(stored.alreadyIngested).toBe(false);

  const takenOver = await runJob(true);
  expect(takenOver).toEqual([expect.objectContaining({ clipId: stored.clip.id, change: "READY" })]);

  expect(await runJob(false)).toEqual([]);
  expect(await app.prisma.clip.count()).toBe(1);
}, 120_000);
