// collectTracks with probe results describing tracks that ffmpeg cannot make for us here: image-based
// subtitles (PGS/VobSub) cannot be encoded from text by ffmpeg, so the probe result and the media port
// are test doubles at the media boundary. Everything else in these tests is the real code.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectTracks } from "../../../src/ingest/subtitle.stage.js";
import type { MediaTools, ProbeResult } from "../../../src/media/media.port.js";
import { AppError } from "../../../src/errors/app-error.js";

async function probeIn(dir: string, streams: ProbeResult["streams"]): Promise<ProbeResult> {
  const file = path.join(dir, "film.mkv");
  await writeFile(file, "not read by these tests");
  return {
    path: file,
    formatName: "matroska,webm",
    sizeBytes: 1,
    duration: 60,
    startTime: 0,
    video: { streamIndex: 0, width: 320, height: 180, frameRate: 25, variableFrameRate: false },
    streams: [{ index: 0, type: "video", codec: "h264" }, ...streams],
  };
}

function mediaDouble(extracted: Record<number, string | Error>): MediaTools & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    describe: () => Promise.resolve({ ffmpeg: "double", ffprobe: "double", source: "config", version: "double" }),
    probe: () => Promise.reject(new Error("not used")),
    decodeFrames: () => {
      throw new Error("not used");
    },
    extractAudio: () => Promise.reject(new Error("not used")),
    extractSubtitle: (_probe, index) => {
      calls.push(index);
      const result = extracted[index];
      if (result instanceof Error) return Promise.reject(result);
      return Promise.resolve({ format: "srt", text: result ?? "" });
    },
  };
}

const scratchDirs: string[] = [];
async function scratch(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), "cinerag-tracks-"));
  scratchDirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of scratchDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("collectTracks", () => {
  it("records image-based tracks as skipped with a warning, without trying to read them", async () => {
    const dir = await scratch();
    const probe = await probeIn(dir, [
      { index: 1, type: "subtitle", codec: "hdmv_pgs_subtitle", language: "de", imageBased: true },
      { index: 2, type: "subtitle", codec: "subrip", language: "en", imageBased: false },
    ]);
    const media = mediaDouble({ 2: "1\n00:00:01,000 --> 00:00:02,000\nHello.\n" });
    const tracks = await collectTracks(media, probe, []);
    expect(media.calls).toEqual([2]);
    expect(tracks[0]).toMatchObject({
      index: 0,
      codec: "hdmv_pgs_subtitle",
      language: "de",
      imageBased: true,
      skipped: true,
      cues: [],
    });
    expect(tracks[0]!.warnings[0]).toMatch(/image-based/);
    expect(tracks[1]).toMatchObject({ index: 1, language: "en", skipped: false });
    expect(tracks[1]!.cues.map((c) => c.text)).toEqual(["Hello."]);
  });

  it("keeps an embedded track that cannot be read as skipped, with the reason, and goes on", async () => {
    const dir = await scratch();
    const probe = await probeIn(dir, [
      { index: 3, type: "subtitle", codec: "subrip" },
      { index: 4, type: "subtitle", codec: "subrip" },
    ]);
    const media = mediaDouble({
      3: new AppError("MEDIA_TOOL_FAILED", "ffmpeg could not extract stream 3"),
      4: "garbage with no cue",
    });
    const tracks = await collectTracks(media, probe, []);
    expect(tracks.map((t) => t.skipped)).toEqual([true, true]);
    expect(tracks[0]!.warnings[0]).toContain("ffmpeg could not extract stream 3");
    expect(tracks[1]!.warnings[0]).toMatch(/no readable cue/);
  });

  it("refuses the clip when a file given explicitly cannot be read, but only warns for a sidecar found on its own", async () => {
    const dir = await scratch();
    const probe = await probeIn(dir, []);
    await writeFile(path.join(dir, "film.en.srt"), "");
    const tracks = await collectTracks(mediaDouble({}), probe, []);
    expect(tracks).toHaveLength(1);
    expect(tracks[0]).toMatchObject({ source: "SIDECAR", language: "en", skipped: true });
    await expect(collectTracks(mediaDouble({}), probe, [path.join(dir, "film.en.srt")])).rejects.toMatchObject({
      code: "SUBTITLE_UNREADABLE",
    });
  });
});
