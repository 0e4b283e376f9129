// ffprobe through our adapter on files made by ffmpeg here: rates, VFR, start time, streams, languages.
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FfmpegMediaTools } from "../../../src/media/ffmpeg/ffmpeg.media-tools.js";
import { BINARIES, generateClip, tempDir, threeSceneSpec } from "../../fixtures/media.js";

const run = promisify(execFile);
const media = new FfmpegMediaTools({ timeoutMs: 60_000 });
let dir: string;

beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ffmpeg = (args: string[]) => run(BINARIES.ffmpeg, ["-y", "-v", "error", ...args]);

describe("probe", () => {
  it("reads duration, size, rate and streams, with BCP 47 languages", async () => {
    const { spec } = threeSceneSpec("probe");
    spec.shots = spec.shots.slice(0, 2);
    spec.subtitles = [
      { format: "srt", language: "fr", cues: [{ start: 1, end: 2, text: "Bonjour." }], placement: "embedded" },
    ];
    const file = await generateClip(dir, spec);
    const probe = await media.probe(file);
    expect(probe.path).toBe(file);
    expect(probe.video).toMatchObject({ width: 320, height: 180, frameRate: 25, variableFrameRate: false });
    expect(probe.duration).toBeCloseTo(5.4, 1);
    expect(probe.formatName).toContain("matroska");
    expect(probe.streams.map((s) => s.type)).toEqual(["video", "audio", "subtitle"]);
    expect(probe.streams[2]).toMatchObject({ codec: "subrip", language: "fr", imageBased: false });
  });

  it("tells a variable frame rate stream from a constant one", async () => {
    const file = path.join(dir, "vfr.mkv");
    // 50 fps source thinned to every 2nd frame for 1 s, then every frame: the frame durations vary.
    await ffmpeg([
      "-f",
      "lavfi",
      "-i",
      "testsrc2=s=160x90:r=50:d=2",
      "-vf",
      "select='gte(n\\,50)+not(mod(n\\,2))'",
      "-vsync",
      "vfr",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      file,
    ]);
    const probe = await media.probe(file);
    expect(probe.video.variableFrameRate).toBe(true);
  });

  it("reports the container's start time, which every stored time is relative to", async () => {
    const file = path.join(dir, "offset.mkv");
    await ffmpeg([
      "-f",
      "lavfi",
      "-i",
      "testsrc2=s=160x90:r=25:d=2",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-output_ts_offset",
      "5",
      file,
    ]);
    const probe = await media.probe(file);
    expect(probe.startTime).toBeCloseTo(5, 2);
    expect(probe.duration).toBeCloseTo(2, 1);
  });

  it("refuses a file with only audio, and a URL, with coded one-line errors", async () => {
    const file = path.join(dir, "tone.wav");
    await ffmpeg(["-f", "lavfi", "-i", "sine=d=1", file]);
    await expect(media.probe(file)).rejects.toMatchObject({ code: "NO_VIDEO_STREAM" });
    await expect(media.probe("http://127.0.0.1:9/film.mkv")).rejects.toMatchObject({
      code: "BAD_INPUT",
      message: expect.stringMatching(/only local files/) as unknown,
    });
    await expect(media.probe("concat:a.mkv|b.mkv")).rejects.toMatchObject({ code: "BAD_INPUT" });
  });
});
