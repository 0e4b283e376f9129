// An MP4 `stpp` (TTML) subtitle track, made here with an ffmpeg that has a TTML encoder (Debian's 5.1; the
// npm 4.1 build has none, so the test is skipped with that reason when no such ffmpeg is found). No ffmpeg
// decodes TTML: the probe names the track "ttml" and the extractor copies its documents out for our parser.
// Also: an embedded track over the byte limit is refused while ffmpeg runs.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { FfmpegMediaTools } from "../../../src/media/ffmpeg/ffmpeg.media-tools.js";
import { resolveMediaBinaries } from "../../../src/media/ffmpeg/binaries.js";
import { collectTracks } from "../../../src/ingest/subtitle.stage.js";
import { DEFAULT_SUBTITLE_LIMITS } from "../../../src/ingest/subtitles/limits.js";

const { media } = loadConfig();
const bins = resolveMediaBinaries({ ffmpeg: media.ffmpegPath, ffprobe: media.ffprobePath });
// the encoder may be in the configured ffmpeg or in a system one on PATH
const encoders = [bins.ffmpeg, "ffmpeg"].filter(
  (f) => spawnSync(f, ["-hide_banner", "-encoders"], { encoding: "utf8" }).stdout?.includes(" ttml ") ?? false,
);
const maker = encoders[0];

let dir: string;
let clip: string;
beforeAll(async () => {
  if (!maker) return;
  dir = await mkdtemp(join(tmpdir(), "cinerag-ttml-"));
  await writeFile(
    join(dir, "a.srt"),
    "1\n00:00:01,000 --> 00:00:02,000\nHello <i>there</i>\n\n2\n00:00:02,500 --> 00:00:03,500\nSecond line\n",
  );
  clip = join(dir, "ttml.mp4");
  execFileSync(maker, [
    "-v",
    "error",
    "-nostdin",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "color=c=black:s=64x48:r=25",
    "-i",
    join(dir, "a.srt"),
    "-t",
    "5",
    "-map",
    "0",
    "-map",
    "1",
    "-c:v",
    "libx264",
    "-c:s",
    "ttml",
    "-metadata:s:s:0",
    "language=eng",
    clip,
  ]);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!maker)("embedded TTML (skipped: no ffmpeg with a TTML encoder to make the test file)", () => {
  it("is probed as ttml, extracted and parsed into cues", async () => {
    const tools = new FfmpegMediaTools({ ffmpegPath: bins.ffmpeg, ffprobePath: bins.ffprobe, timeoutMs: 60_000 });
    const probe = await tools.probe(clip);
    const stream = probe.streams.find((s) => s.type === "subtitle");
    expect(stream).toMatchObject({ codec: "ttml", language: "en", imageBased: false });
    const tracks = await collectTracks(tools, probe, []);
    expect(tracks).toHaveLength(1);
    expect(tracks[0]).toMatchObject({ source: "EMBEDDED", codec: "ttml", skipped: false });
    expect(tracks[0]?.cues.map((c) => [c.startTime, c.endTime, c.text])).toEqual([
      [1, 2, "Hello there"],
      [2.5, 3.5, "Second line"],
    ]);
  });

  it("an embedded track over the byte limit is refused while it is extracted", async () => {
    const tools = new FfmpegMediaTools({
      ffmpegPath: bins.ffmpeg,
      ffprobePath: bins.ffprobe,
      timeoutMs: 60_000,
      maxSubtitleBytes: 100,
    });
    const probe = await tools.probe(clip);
    const [track] = await collectTracks(tools, probe, [], undefined, {
      limits: { ...DEFAULT_SUBTITLE_LIMITS, maxFileBytes: 100 },
    });
    expect(track).toMatchObject({ skipped: true, cues: [] });
    expect(track?.warnings[0]).toMatch(/over the 100-byte limit \(CINERAG_SUBTITLE_MAX_BYTES\)/);
  });
});
