// Embedded subtitle extraction with the npm-shipped ffmpeg, on clips generated here (lavfi colour
// video + sine audio, subtitle files muxed in; `-t` bounds them: `-shortest` misbehaves with subtitle inputs).
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSubtitles } from "../../../src/ingest/subtitles/parse.js";
import { resolveMediaBinaries, type MediaBinaries } from "../../../src/media/ffmpeg/binaries.js";
import { loadConfig } from "../../../src/config.js";
import { extractSubtitle, SubtitleExtractionError } from "../../../src/media/ffmpeg/subtitle-extractor.js";

let dir: string;
let bin: MediaBinaries;

const SRT = "1\n00:00:01,000 --> 00:00:02,000\n<i>Hello</i> there\n\n2\n00:00:02,500 --> 00:00:03,000\nSecond line\n";
const ASS = `[Script Info]
ScriptType: v4.00+
PlayResX: 320
PlayResY: 240

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:02.00,Default,Sintel,0,0,0,,{\\an8}Bonjour\\Nle monde
Comment: 0,0:00:01.50,0:00:02.00,Default,,0,0,0,,a comment
Dialogue: 0,0:00:02.50,0:00:03.00,Default,Shaman,0,0,0,,Au revoir
`;

function ffmpeg(...args: string[]): void {
  execFileSync(bin.ffmpeg, ["-v", "error", "-nostdin", "-y", ...args], { stdio: ["ignore", "ignore", "pipe"] });
}

function probe(path: string): {
  startTime: number;
  streams: Array<{ index: number; codec_name: string; start_time?: string; tags?: { language?: string } }>;
} {
  const out = execFileSync(
    bin.ffprobe,
    ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
    { encoding: "utf8" },
  );
  const json = JSON.parse(out) as {
    format: { start_time?: string };
    streams: Array<{ index: number; codec_name: string; start_time?: string; tags?: { language?: string } }>;
  };
  return { startTime: Number(json.format.start_time ?? 0), streams: json.streams };
}

const video = ["-f", "lavfi", "-i", "color=c=black:s=64x48:r=25"];

beforeAll(async () => {
  // the binaries the app would use: CINERAG_FFMPEG_PATH/CINERAG_FFPROBE_PATH, else a system ffmpeg, else npm's 4.1
  const { media } = loadConfig();
  bin = resolveMediaBinaries({ ffmpeg: media.ffmpegPath, ffprobe: media.ffprobePath });
  dir = await mkdtemp(join(tmpdir(), "cinerag-subx-"));
  await writeFile(join(dir, "a.srt"), SRT);
  await writeFile(join(dir, "b.ass"), ASS);
  // MKV: video, AAC audio (whose priming delay makes the muxer shift everything by 21 ms), SRT + ASS
  ffmpeg(
    ...video,
    "-f",
    "lavfi",
    "-i",
    "sine=f=440:sample_rate=48000",
    "-i",
    join(dir, "a.srt"),
    "-i",
    join(dir, "b.ass"),
    "-map",
    "0:v",
    "-map",
    "1:a",
    "-map",
    "2",
    "-map",
    "3",
    "-c:v",
    "mpeg4",
    "-c:a",
    "aac",
    "-c:s:0",
    "srt",
    "-c:s:1",
    "ass",
    "-metadata:s:s:0",
    "language=eng",
    "-metadata:s:s:1",
    "language=fre",
    "-t",
    "4",
    join(dir, "tracks.mkv"),
  );
  // MKV whose container starts at 5 s
  ffmpeg(
    ...video,
    "-i",
    join(dir, "a.srt"),
    "-map",
    "0:v",
    "-map",
    "1",
    "-c:v",
    "mpeg4",
    "-c:s",
    "srt",
    "-t",
    "4",
    "-output_ts_offset",
    "5",
    join(dir, "offset.mkv"),
  );
  // MKV with a WebVTT track
  await writeFile(join(dir, "c.vtt"), "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Bob>Hi there\n");
  ffmpeg(
    ...video,
    "-i",
    join(dir, "c.vtt"),
    "-map",
    "0:v",
    "-map",
    "1",
    "-c:v",
    "mpeg4",
    "-c:s",
    "webvtt",
    "-t",
    "3",
    join(dir, "webvtt.mkv"),
  );
  // MP4 with mov_text
  ffmpeg(
    ...video,
    "-i",
    join(dir, "a.srt"),
    "-map",
    "0:v",
    "-map",
    "1",
    "-c:v",
    "mpeg4",
    "-c:s",
    "mov_text",
    "-metadata:s:s:0",
    "language=eng",
    "-t",
    "4",
    join(dir, "movtext.mp4"),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("extractSubtitle", () => {
  it("pulls SRT and ASS tracks out of an MKV, language tags intact", async () => {
    const path = join(dir, "tracks.mkv");
    const p = probe(path);
    expect(p.streams.map((s) => [s.index, s.codec_name, s.tags?.language])).toEqual([
      [0, "mpeg4", undefined],
      [1, "aac", undefined],
      [2, "subrip", "eng"],
      [3, "ass", "fre"],
    ]);
    expect(p.startTime).toBe(0);
    const videoStart = Number(p.streams[0]?.start_time);
    expect(videoStart).toBeCloseTo(0.021, 3); // the muxer's AAC priming shift, in the file itself

    const srt = await extractSubtitle(bin, { path, startTime: p.startTime }, 2, "subrip");
    expect(srt.format).toBe("srt");
    const srtCues = parseSubtitles(srt.text, "srt").cues;
    expect(srtCues.map((c) => c.text)).toEqual(["Hello there", "Second line"]);
    // relative to the container's start the cue sits 1 s after the first video frame, as authored
    expect(srtCues[0]!.startTime - videoStart).toBeCloseTo(1, 3);
    expect(srtCues[0]!.startTime).toBeCloseTo(1.021, 3);

    const ass = await extractSubtitle(bin, { path, startTime: p.startTime }, 3, "ass");
    expect(ass.format).toBe("ass");
    const { cues } = parseSubtitles(ass.text, "ass");
    expect(cues.map((c) => [c.text, c.speaker])).toEqual([
      ["Bonjour le monde", "Sintel"],
      ["Au revoir", "Shaman"],
    ]);
    expect(cues[0]!.startTime).toBeCloseTo(1.02, 2); // ASS keeps centiseconds
  });

  it("gives times relative to a non-zero container start", async () => {
    const path = join(dir, "offset.mkv");
    const p = probe(path);
    expect(p.startTime).toBe(5);
    const relative = parseSubtitles(
      (await extractSubtitle(bin, { path, startTime: p.startTime }, 1, "subrip")).text,
      "srt",
    ).cues;
    expect(relative.map((c) => [c.startTime, c.endTime])).toEqual([
      [1, 2],
      [2.5, 3],
    ]);
    // the subtraction is ours, not ffmpeg's: with a start of 0 the stream's own timestamps come out
    const raw = parseSubtitles((await extractSubtitle(bin, { path, startTime: 0 }, 1, "subrip")).text, "srt").cues;
    expect(raw[0]?.startTime).toBe(6);
  });

  // ffmpeg 4.1 (npm) wraps mov_text in <font face/size> tags when converting to SRT; 5.1 (Debian) does not.
  // Either way the cues come out as plain text; parse.test.ts covers the 4.1 wrapping on its own.
  it("converts mov_text to SRT and the cues are plain text whatever ffmpeg's wrapping", async () => {
    const path = join(dir, "movtext.mp4");
    const p = probe(path);
    expect(p.streams[1]?.codec_name).toBe("mov_text");
    const out = await extractSubtitle(bin, { path, startTime: p.startTime }, 1, "mov_text");
    expect(out.format).toBe("srt");
    expect(out.text).toContain("Hello");
    const { cues } = parseSubtitles(out.text, "srt");
    expect(cues.map((c) => [c.startTime, c.endTime, c.text])).toEqual([
      [1, 2, "Hello there"],
      [2.5, 3, "Second line"],
    ]);
  });

  it("extracts WebVTT as WebVTT (ffmpeg 4.1 drops the <v> voice tag on the way)", async () => {
    const out = await extractSubtitle(bin, { path: join(dir, "webvtt.mkv"), startTime: 0 }, 1, "webvtt");
    expect(out.format).toBe("vtt");
    const { cues } = parseSubtitles(out.text, "vtt");
    expect(cues.map((c) => [c.startTime, c.endTime, c.text, c.speaker])).toEqual([[1, 2, "Hi there", undefined]]);
  });

  it("fails with one-line errors", async () => {
    const path = join(dir, "tracks.mkv");
    const attempts: Array<[() => Promise<unknown>, RegExp]> = [
      [() => extractSubtitle(bin, { path: "tracks.mkv", startTime: 0 }, 2, "subrip"), /path must be absolute/],
      [
        () => extractSubtitle(bin, { path, startTime: 0 }, 9, "subrip"),
        /^ffmpeg could not extract subtitle stream 9 \(subrip\) of tracks\.mkv: /,
      ],
      [
        () => extractSubtitle(bin, { path: join(dir, "missing.mkv"), startTime: 0 }, 2, "subrip"),
        /^ffmpeg could not extract .*No such file or directory/,
      ],
      [() => extractSubtitle(bin, { path, startTime: 0 }, 2, "hdmv_pgs_subtitle"), /image-based/],
    ];
    for (const [attempt, message] of attempts) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SubtitleExtractionError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain("\n");
    }
  });

  it("stops on abort and on the time limit", async () => {
    const path = join(dir, "tracks.mkv");
    const aborted = await extractSubtitle(bin, { path, startTime: 0 }, 2, "subrip", {
      signal: AbortSignal.abort(),
    }).catch((e: unknown) => e);
    expect((aborted as Error).name).toBe("AbortError");
    const controller = new AbortController();
    const running = extractSubtitle(bin, { path, startTime: 0 }, 2, "subrip", { signal: controller.signal });
    controller.abort();
    expect(((await running.catch((e: unknown) => e)) as Error).name).toBe("AbortError");
    const slow = await extractSubtitle(bin, { path, startTime: 0 }, 2, "subrip", { timeoutMs: 1 }).catch(
      (e: unknown) => e,
    );
    expect((slow as Error).message).toMatch(/timed out after 1 ms$/);
  });
});
