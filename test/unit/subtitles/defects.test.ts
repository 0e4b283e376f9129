// Issue #17's parser defects and #15 item 6, each with the input that showed it (written here).
import iconv from "iconv-lite";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeSubtitleBytes } from "../../../src/ingest/subtitles/encoding.js";
import { parseSubtitles } from "../../../src/ingest/subtitles/parse.js";
import { loadSubtitleTracks, SubtitleFileError } from "../../../src/ingest/subtitles/sidecar.js";
import { cleanCueText } from "../../../src/ingest/subtitles/text.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cinerag-subdefects-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("#17.1 malformed arrows", () => {
  it("a line with two timestamps is a timing line whatever its arrow; no cue is lost", () => {
    const text =
      "00:00:00.000 ->00:01:00.000\nAn example subtitle.\n     0:01:00,00 --> 0:02:00,00\n     Subtitle number\ntwo.\n";
    const { cues } = parseSubtitles(text, "srt");
    expect(cues.map((c) => [c.startTime, c.endTime, c.text])).toEqual([
      [0, 60, "An example subtitle."],
      [60, 120, "Subtitle number two."],
    ]);
  });

  it.each(["->", "- ->", "-- >", "—>", "→", "-->"])("reads the arrow %j", (arrow) => {
    const { cues } = parseSubtitles(`1\n00:00:01,000 ${arrow} 00:00:02,000\nHi\n`, "srt");
    expect(cues.map((c) => [c.startTime, c.endTime])).toEqual([[1, 2]]);
  });

  it("text before the first timing line is reported, not dropped silently", () => {
    const { cues, warnings } = parseSubtitles("stray words\n\n1\n00:00:01,000 --> 00:00:02,000\nHi\n", "srt");
    expect(cues).toHaveLength(1);
    expect(warnings).toEqual(["line 1: text before the first cue belongs to no cue: ignored"]);
  });
});

describe("#17.2 spaces inside tags", () => {
  it("removes tags with whitespace after < or inside", () => {
    const raw = `< u><i><font color="red" >Elephant's < s>Dream< /  i\n> Is Long</s>`;
    expect(cleanCueText(raw)).toBe("Elephant's Dream Is Long");
  });
  it("keeps comparison signs in dialogue", () => {
    expect(cleanCueText("x < y > z")).toBe("x < y > z");
  });
});

describe("#17.3 negative times", () => {
  const ass = (start: string, end: string) =>
    `[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,${start},${end},Default,,0,0,0,,Line\nDialogue: 0,0:00:05.00,0:00:06.00,Default,,0,0,0,,Later\n`;
  it("a cue starting before 0 is clamped to 0, with a warning", () => {
    const { cues, warnings } = parseSubtitles(ass("-1:59:54.93", "0:00:02.00"), "ass");
    expect(cues.every((c) => c.startTime >= 0)).toBe(true);
    expect(cues[0]).toMatchObject({ startTime: 0, endTime: 2, text: "Line" });
    expect(warnings).toContain("1 cue started before 0: moved to 0");
  });
  it("a cue ending before 0 is dropped, with a warning", () => {
    const { cues, warnings } = parseSubtitles(ass("-0:00:03.00", "-0:00:01.00"), "ass");
    expect(cues.map((c) => c.text)).toEqual(["Later"]);
    expect(warnings.join(" ")).toMatch(/ended before 0: dropped|ends before it starts/);
  });
});

describe("#17.4 short CJK files without a language hint", () => {
  const srt = (line: string) => `1\n00:00:01,000 --> 00:00:02,000\n${line}\n`;
  it("a one-line Big5 file is read as Big5, not windows-1252 mojibake", () => {
    const text = srt("道德經");
    expect(decodeSubtitleBytes(iconv.encode(text, "big5"))).toMatchObject({ text, encoding: "Big5" });
  });
  it("named .zh it is still Big5 (the hint says Chinese, not which code page)", () => {
    const text = srt("道德經");
    expect(decodeSubtitleBytes(iconv.encode(text, "big5"), "clip.zh.srt")).toMatchObject({ text, encoding: "Big5" });
  });
  it("short hangul and kana are read in their own code pages", () => {
    for (const [line, enc, name] of [
      ["안녕하세요", "euc-kr", "EUC-KR"],
      ["こんにちは", "shift_jis", "Shift_JIS"],
    ] as const) {
      expect(decodeSubtitleBytes(iconv.encode(srt(line), enc))).toMatchObject({ text: srt(line), encoding: name });
    }
  });
  it("says so when two readings are about as plausible", () => {
    // 道德经 in GB18030 is three level-1 hanzi in Big5 as well
    const result = decodeSubtitleBytes(iconv.encode(srt("道德经"), "gb18030"));
    expect(result.warning).toMatch(/^encoding uncertain: read as /);
  });
});

describe("#17.5 a track with no readable cue", () => {
  it("an ASS file whose only Dialogue line is empty is a skipped track, not a refusal", async () => {
    const file = join(dir, "empty-dialogue.ass");
    await writeFile(
      file,
      "[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,\n",
    );
    const [track] = await loadSubtitleTracks(file);
    expect(track).toMatchObject({ skipped: true, cues: [] });
    expect(track?.warnings[0]).toMatch(/cue has no text/);
  });
  it("an ASS file with no [Events] is a skipped track", async () => {
    const file = join(dir, "no-events.ass");
    await writeFile(file, "[Script Info]\nTitle: nothing\nScriptType: v4.00+\n");
    const [track] = await loadSubtitleTracks(file);
    expect(track).toMatchObject({ skipped: true });
    expect(track?.warnings[0]).toMatch(/no \[Events\] section/);
  });
  it("a file that is no subtitle file at all is still refused", async () => {
    const file = join(dir, "notes.srt");
    await writeFile(file, "shopping list\neggs\n");
    await expect(loadSubtitleTracks(file)).rejects.toBeInstanceOf(SubtitleFileError);
  });
});

describe("#15.6 a Dialogue line with fewer fields than Format", () => {
  it("is reported as a malformed cue and the rest is kept; no internal message", () => {
    const text = [
      "[Events]",
      "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
      "Dialogue: 0,0:00:01.00,0:00:02.00,Default",
      "Dialogue: 0,0:00:03.00,0:00:04.00,Default,,0,0,0,,Kept, with a comma",
    ].join("\n");
    const { cues, warnings } = parseSubtitles(text, "ass");
    expect(cues.map((c) => c.text)).toEqual(["Kept, with a comma"]);
    expect(warnings).toEqual(["line 3: Dialogue line has 4 of the 10 fields its Format line names: skipped"]);
    expect(warnings.join(" ")).not.toMatch(/Cannot read|undefined/);
  });
});

describe("#15.9 file names", () => {
  it("a subtitle file whose name holds a newline is read when it exists", async () => {
    const file = join(dir, "odd\nname.en.srt");
    await writeFile(file, "1\n00:00:01,000 --> 00:00:02,000\nHello\n");
    const [track] = await loadSubtitleTracks(file);
    expect(track?.cues.map((c) => c.text)).toEqual(["Hello"]);
  });
});
