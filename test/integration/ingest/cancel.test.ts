// Cancelling an ingest: ffmpeg is stopped, the clip says why it is not READY, and the same ingest resumes.
import path from "node:path";
import { rm, writeFile } from "node:fs/promises";
import { afterAll, expect, it } from "vitest";
import { createApp, type App } from "../../../src/app.js";
import { loadConfig } from "../../../src/config.js";
import { generateClip, tempDir, threeSceneSpec } from "../../fixtures/media.js";

let app: App | undefined;
let dir: string | undefined;
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("marks a cancelled clip FAILED with the reason, and the same ingest afterwards makes it READY", async () => {
  dir = await tempDir();
  const { spec } = threeSceneSpec("cancelled");
  spec.width = 640;
  spec.height = 360;
  const file = await generateClip(dir, spec);
  app = await createApp(loadConfig({ CINERAG_DATA_DIR: path.join(dir, "data"), CINERAG_ENRICH: "none" }), {
    defaultLogLevel: "silent",
  });

  const controller = new AbortController();
  const stopped = app.ingest.ingest({
    file,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.stage === "shots" && p.percent > 0) controller.abort();
    },
  });
  await expect(stopped).rejects.toMatchObject({ code: "CANCELLED" });
  const clip = await app.prisma.clip.findFirstOrThrow();
  expect(clip.status).toBe("FAILED");
  expect(clip.error).toMatch(/^ingest cancelled; ingest the same file again to resume$/);
  expect(await app.prisma.shot.count()).toBe(0);

  const done = await app.ingest.ingest({ file });
  expect(done.clip.id).toBe(clip.id);
  expect(done.shots).toHaveLength(12);
  const after = await app.prisma.clip.findUniqueOrThrow({ where: { id: clip.id } });
  expect(after).toMatchObject({ status: "READY", error: null });
});

it("a cancel noticed in the subtitle read (an abort without a reason) is CANCELLED, not an internal error", async () => {
  dir ??= await tempDir();
  app ??= await createApp(loadConfig({ CINERAG_DATA_DIR: path.join(dir, "data"), CINERAG_ENRICH: "none" }), {
    defaultLogLevel: "silent",
  });
  const { spec } = threeSceneSpec("cancelled-subtitles");
  spec.shots = spec.shots.slice(0, 2);
  const file = await generateClip(dir, spec);
  const srt = path.join(dir, "extra.srt");
  await writeFile(srt, "1\n00:00:01,000 --> 00:00:02,000\nhello\n");
  const controller = new AbortController();
  const stopped = app.ingest.ingest({
    file,
    subtitles: [srt],
    signal: controller.signal,
    onProgress: (p) => {
      if (p.stage === "subtitles") controller.abort();
    },
  });
  await expect(stopped).rejects.toMatchObject({ code: "CANCELLED", message: "ingest cancelled" });
});
