import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findSidecarSubtitles,
  languageTag,
  loadSubtitleFile,
  SubtitleFileError,
} from "../../../src/ingest/subtitles/sidecar.js";

let dir: string;
const SRT = "1\n00:00:01,000 --> 00:00:02,000\nHello\n";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cinerag-sidecar-"));
  const files: Record<string, string | Buffer> = {
    "clip.mkv": "",
    "clip.srt": SRT,
    "clip.en.srt": SRT,
    "clip.zh-Hans.vtt": "WEBVTT\n\n00:01.000 --> 00:02.000\n你好\n",
    "clip.forced.en.ASS":
      "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,Bob,0,0,0,,Hi\n",
    "clip.sdh.srt": SRT,
    "clip.eng.srt": SRT,
    "clip.zh-Hant.srt": iconv.encode("1\n00:00:01,000 --> 00:00:02,000\n謝謝你。\n", "big5"),
    "clip.ja.srt": iconv.encode("1\n00:00:01,000 --> 00:00:02,000\nありがとう。\n", "shift_jis"),
    "clip.fr.srt": "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Anne>Bonjour\n", // the extension lies
    "clip.txt": SRT,
    "clipper.srt": SRT,
    "other.en.srt": SRT,
    "empty.srt": "",
    "blank.srt": "\n\n  \n",
    "binary.srt": Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37) % 256)),
    "prose.srt": "Once upon a time there was no subtitle here.\n",
  };
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  await mkdir(join(dir, "clip.de.srt")); // a directory, not a file
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("findSidecarSubtitles", () => {
  it("finds files named after the clip, with languages from the name", async () => {
    const found = await findSidecarSubtitles(join(dir, "clip.mkv"));
    expect(found.map((f) => ({ ...f, path: f.path.slice(dir.length + 1) }))).toEqual([
      { path: "clip.en.srt", format: "srt", language: "en" },
      { path: "clip.eng.srt", format: "srt", language: "en" },
      { path: "clip.forced.en.ASS", format: "ass", language: "en", forced: true },
      { path: "clip.fr.srt", format: "srt", language: "fr" },
      { path: "clip.ja.srt", format: "srt", language: "ja" },
      { path: "clip.sdh.srt", format: "srt" },
      { path: "clip.srt", format: "srt" },
      { path: "clip.zh-Hans.vtt", format: "vtt", language: "zh-Hans" },
      { path: "clip.zh-Hant.srt", format: "srt", language: "zh-Hant" },
    ]);
  });

  it("returns nothing for a clip in a missing folder", async () => {
    expect(await findSidecarSubtitles(join(dir, "nowhere", "clip.mkv"))).toEqual([]);
  });

  it("canonicalises language tags and refuses flags", () => {
    expect(languageTag("zh-hans")).toBe("zh-Hans");
    expect(languageTag("pt_br")).toBe("pt-BR");
    expect(languageTag("forced")).toBeUndefined();
    expect(languageTag("sdh")).toBeUndefined();
    expect(languageTag("english")).toBeUndefined();
  });
});

describe("loadSubtitleFile", () => {
  it("reads, decodes and parses a sidecar into a track", async () => {
    const track = await loadSubtitleFile(join(dir, "clip.en.srt"));
    expect(track).toEqual({
      source: "SIDECAR",
      path: join(dir, "clip.en.srt"),
      codec: "subrip",
      format: "srt",
      language: "en",
      encoding: "UTF-8",
      imageBased: false,
      skipped: false,
      warnings: [],
      cues: [{ index: 0, startTime: 1, endTime: 2, rawText: "Hello", text: "Hello" }],
    });
  });

  it("uses the language in the name to decode legacy CJK code pages", async () => {
    const big5 = await loadSubtitleFile(join(dir, "clip.zh-Hant.srt"));
    expect([big5.encoding, big5.cues[0]?.text]).toEqual(["Big5", "謝謝你。"]);
    const sjis = await loadSubtitleFile(join(dir, "clip.ja.srt"));
    expect([sjis.encoding, sjis.cues[0]?.text]).toEqual(["Shift_JIS", "ありがとう。"]);
  });

  it("sniffs the real format when the extension lies", async () => {
    const track = await loadSubtitleFile(join(dir, "clip.fr.srt"));
    expect(track.format).toBe("vtt");
    expect(track.codec).toBe("webvtt");
    expect(track.cues[0]).toMatchObject({ text: "Bonjour", speaker: "Anne" });
    expect(track.warnings).toEqual(["content is WebVTT, not SubRip: parsed as WebVTT"]);
  });

  it("reads ASS speakers and marks forced tracks", async () => {
    const track = await loadSubtitleFile(join(dir, "clip.forced.en.ASS"));
    expect(track).toMatchObject({ format: "ass", codec: "ass", language: "en", title: "forced" });
    expect(track.cues[0]).toMatchObject({ text: "Hi", speaker: "Bob" });
  });

  it("fails with one-line messages for missing, empty, binary and cue-less files", async () => {
    const cases: Array<[string, RegExp]> = [
      ["missing.srt", /^subtitle file not found: /],
      ["empty.srt", /^subtitle file is empty: /],
      ["blank.srt", /^subtitle file is empty: /],
      ["binary.srt", /^not a text subtitle file \(binary data\): /],
      ["prose.srt", /prose\.srt: not a subtitle file: no readable cue in the SubRip text: line 1: text before/],
      ["clip.de.srt", /^not a subtitle file \(a directory\): /],
    ];
    for (const [name, message] of cases) {
      const error = await loadSubtitleFile(join(dir, name)).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(SubtitleFileError);
      expect((error as Error).message, name).toMatch(message);
      expect((error as Error).message).not.toContain("\n");
    }
  });
});
