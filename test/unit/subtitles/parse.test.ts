import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  parseSubtitles,
  parseTimestamp,
  sniffSubtitleFormat,
  SubtitleParseError,
} from "../../../src/ingest/subtitles/parse.js";
import { cleanCueText } from "../../../src/ingest/subtitles/text.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/subtitles/${name}`, import.meta.url));

describe("SubRip", () => {
  it("reads the real Sintel subtitles (Sintel © copyright Blender Foundation | durian.blender.org)", () => {
    const { cues, warnings } = parseSubtitles(readFileSync(fixture("sintel_en.srt"), "utf8"), "srt");
    expect(warnings).toEqual([]);
    expect(cues).toHaveLength(26);
    expect(cues[0]).toEqual({
      index: 0,
      startTime: 137.25,
      endTime: 140.5,
      rawText: "This blade has a dark past.",
      text: "This blade has a dark past.",
    });
    expect(cues[2]?.rawText).toBe("You're a fool for traveling alone,\nso completely unprepared.");
    expect(cues[2]?.text).toBe("You're a fool for traveling alone, so completely unprepared.");
    expect(cues[25]).toMatchObject({ index: 25, startTime: 656.2, endTime: 659.8, text: "Scales..." });
    for (let i = 1; i < cues.length; i++) expect(cues[i]!.startTime).toBeGreaterThanOrEqual(cues[i - 1]!.startTime);
  });

  it("handles CRLF and CR line endings alike", () => {
    const lf = "1\n00:00:01,000 --> 00:00:02,500\nHello\nthere\n\n2\n00:00:03,000 --> 00:00:04,000\nBye\n";
    const expected = parseSubtitles(lf, "srt");
    expect(parseSubtitles(lf.replace(/\n/g, "\r\n"), "srt")).toEqual(expected);
    expect(parseSubtitles(lf.replace(/\n/g, "\r"), "srt")).toEqual(expected);
    expect(expected.cues.map((c) => c.text)).toEqual(["Hello there", "Bye"]);
  });

  it("tolerates missing and wrong indices, extra blank lines, '.' for ',' and sorts events out of order", () => {
    const text = [
      "\n\n7",
      "00:00:05.000 --> 00:00:06.000",
      "Third",
      "",
      "",
      "",
      "00:00:01,000 --> 00:00:02,000",
      "First, no index",
      "3",
      "00:00:03,250 --> 00:00:04,000",
      "Second, no blank line before my index",
      "",
    ].join("\n");
    const { cues, warnings } = parseSubtitles(text, "srt");
    expect(cues.map((c) => [c.index, c.startTime, c.endTime, c.text])).toEqual([
      [0, 1, 2, "First, no index"],
      [1, 3.25, 4, "Second, no blank line before my index"],
      [2, 5, 6, "Third"],
    ]);
    expect(warnings).toEqual(["cues out of order: sorted by start time"]);
  });

  it("skips malformed cues with a warning naming the line, never fatal", () => {
    const text = [
      "1",
      "00:00:01,000 --> 00:00:02,000",
      "Good",
      "",
      "2",
      "00:00:xx,000 --> 00:00:03,000",
      "Bad timestamp",
      "",
      "3",
      "00:00:05,000 --> 00:00:04,000",
      "Ends before it starts",
      "",
      "4",
      "00:00:06,000 --> 00:00:07,000",
      "Also good",
    ].join("\n");
    const { cues, warnings } = parseSubtitles(text, "srt");
    expect(cues.map((c) => c.text)).toEqual(["Good", "Also good"]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^line 6: unreadable timestamp/);
    expect(warnings[1]).toMatch(/^line 10: cue ends before it starts/);
  });

  it("a text without any readable cue is a one-line error", () => {
    expect(() => parseSubtitles("1\n00:00:0x,000 --> 00:00:02,000\nNope\n", "srt")).toThrow(SubtitleParseError);
    expect(() => parseSubtitles("just some prose\nover two lines\n", "srt")).toThrow(
      /^no readable cue in the SubRip text: line 1: text before the first cue belongs to no cue: ignored$/,
    );
    expect(() => parseSubtitles("", "srt")).toThrow(/empty/);
    let error: unknown;
    try {
      parseSubtitles("1\n00:00:0x,000 --> 00:00:02,000\nNope\n", "srt");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SubtitleParseError);
    expect((error as Error).message).not.toContain("\n");
    expect((error as Error).message).toMatch(/line 2/);
  });

  it("cleans markup and keeps the raw text", () => {
    const raw = '{\\an8}<font color="#ffff00"><i>Tom &amp; Jerry</i></font>\\Nare &lt;here&gt;&nbsp;now';
    const { cues } = parseSubtitles(`1\n00:00:01,000 --> 00:00:02,000\n${raw}\n`, "srt");
    expect(cues[0]?.rawText).toBe(raw);
    expect(cues[0]?.text).toBe("Tom & Jerry are <here> now");
  });

  it("strips the <font> wrapping ffmpeg adds to mov_text converted to SRT", () => {
    const raw =
      '<font face="Serif" size="18"><i><font size="18"><font face="Serif">Hello</font></font></i></font><font face="Serif" size="18"> there</font>';
    expect(cleanCueText(raw)).toBe("Hello there");
  });

  it("rounds times to the millisecond", () => {
    expect(parseTimestamp("00:00:01,5")).toBe(1.5);
    expect(parseTimestamp("01:02:03.4567")).toBe(3723.457);
    expect(parseTimestamp("02:03.250")).toBe(123.25);
    expect(parseTimestamp("00:61:00,000")).toBeUndefined();
  });
});

describe("WebVTT", () => {
  const vtt = [
    "WEBVTT - Sintel",
    "Kind: captions",
    "",
    "STYLE",
    "::cue { color: yellow }",
    "",
    "NOTE a comment block",
    "with 00:00:00.000 --> nothing in it? no arrow here",
    "",
    "intro",
    "00:01.000 --> 00:02.500 align:start position:10%",
    "<v Sintel>This blade has a <b>dark</b> past.",
    "",
    "00:00:03.000 --> 00:00:04.000",
    "<v.loud Shaman>It has shed</v> <c.yellow>much</c> <00:00:03.500>innocent blood.",
    "",
    "",
    "00:00:05.000 --> 00:00:06.000",
    "No speaker &amp; two",
    "lines",
    "",
  ].join("\r\n");

  it("reads cues, hours-less times, voices and skips STYLE/NOTE blocks", () => {
    const { cues, warnings } = parseSubtitles(vtt, "vtt");
    expect(cues.map((c) => ({ s: c.startTime, e: c.endTime, t: c.text, sp: c.speaker }))).toEqual([
      { s: 1, e: 2.5, t: "This blade has a dark past.", sp: "Sintel" },
      { s: 3, e: 4, t: "It has shed much innocent blood.", sp: "Shaman" },
      { s: 5, e: 6, t: "No speaker & two lines", sp: undefined },
    ]);
    expect(cues[0]?.rawText).toBe("<v Sintel>This blade has a <b>dark</b> past.");
    expect(warnings).toEqual([]);
  });

  it("reads CR-only files and warns about a bad cue and a missing header", () => {
    const text = "00:01.000 --> 00:02.000\rOne\r\r00:03.000 --> 00:0x.000\rBad\r\r00:05.000 --> 00:06.000\rTwo\r";
    const { cues, warnings } = parseSubtitles(text, "vtt");
    expect(cues.map((c) => c.text)).toEqual(["One", "Two"]);
    expect(warnings).toContain("line 1: no WEBVTT header");
    expect(warnings.some((w) => /^line 4: unreadable timestamp/.test(w))).toBe(true);
  });
});

const ASS = `[Script Info]
ScriptType: v4.00+
PlayResX: 640
PlayResY: 360

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:04.00,0:00:05.50,Default,Shaman,0,0,0,,It has shed much innocent blood, didn't it?
Dialogue: 0,0:00:01.00,0:00:02.50,Default,Sintel,0,0,0,,{\\an8}{\\i1}This blade{\\i0} has\\Na dark past.
Comment: 0,0:00:02.00,0:00:03.00,Default,Sintel,0,0,0,,A translator's note
Dialogue: 1,0:00:02.00,0:00:03.00,Default,,0,0,0,,{\\p1}m 0 0 l 100 0 100 100 0 100{\\p0}
Dialogue: 0,0:00:0x.00,0:00:03.00,Default,,0,0,0,,bad time
Dialogue: 0,0:00:07.00,0:00:06.00,Default,,0,0,0,,backwards
Dialogue: 0,0:00:06.00,0:00:07.00,Default,,0,0,0,,No name
Dialogue: 1,0:00:06.00,0:00:07.00,Default,,0,0,0,,No name
`;

describe("ASS/SSA", () => {
  it("reads events with speakers, drops comments and drawings, warns about bad events", () => {
    for (const text of [ASS, ASS.replace(/\n/g, "\r\n"), ASS.replace(/\n/g, "\r")]) {
      const { cues, warnings } = parseSubtitles(text, "ass");
      expect(cues).toEqual([
        {
          index: 0,
          startTime: 1,
          endTime: 2.5,
          rawText: "{\\an8}{\\i1}This blade{\\i0} has\\Na dark past.",
          text: "This blade has a dark past.",
          speaker: "Sintel",
        },
        {
          index: 1,
          startTime: 4,
          endTime: 5.5,
          rawText: "It has shed much innocent blood, didn't it?",
          text: "It has shed much innocent blood, didn't it?",
          speaker: "Shaman",
        },
        { index: 2, startTime: 6, endTime: 7, rawText: "No name", text: "No name" },
      ]);
      expect(warnings).toEqual([
        expect.stringMatching(/^line 16: unreadable timestamp/),
        expect.stringMatching(/^line 17: cue ends before it starts/),
        "cues out of order: sorted by start time",
      ]);
    }
  });

  it("reads SSA v4 and events without a Format line", () => {
    const ssa =
      "[Script Info]\nScriptType: v4.00\n\n[Events]\nDialogue: Marked=0,0:00:01.00,0:00:02.00,Default,Narrator,0000,0000,0000,,Once upon a time\n";
    const { cues, warnings } = parseSubtitles(ssa, "ass");
    expect(cues).toEqual([
      {
        index: 0,
        startTime: 1,
        endTime: 2,
        rawText: "Once upon a time",
        text: "Once upon a time",
        speaker: "Narrator",
      },
    ]);
    expect(warnings[0]).toMatch(/^line 5: no Format line/);
  });

  it("a file with only comments and drawings has no readable cue", () => {
    const text = ASS.split("\n")
      .filter((l) => !l.startsWith("Dialogue: 0"))
      .join("\n")
      .replace(/Dialogue: 1,0:00:06.*\n/, "");
    expect(() => parseSubtitles(text, "ass")).toThrow(/^no readable cue in the ASS\/SSA text/);
  });
});

describe("format sniffing", () => {
  it("recognises each format from its content", () => {
    expect(sniffSubtitleFormat("\uFEFFWEBVTT\n\n00:01.000 --> 00:02.000\nHi\n")).toBe("vtt");
    expect(sniffSubtitleFormat(ASS)).toBe("ass");
    expect(sniffSubtitleFormat("1\r\n00:00:01,000 --> 00:00:02,000\r\nHi\r\n")).toBe("srt");
    expect(sniffSubtitleFormat("hello world")).toBeUndefined();
  });

  it("parses content as what it is when the declared format lies", () => {
    const { cues, warnings } = parseSubtitles(ASS, "srt");
    expect(cues).toHaveLength(3);
    expect(warnings[0]).toBe("content is ASS/SSA, not SubRip: parsed as ASS/SSA");
    const vtt = parseSubtitles("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Bob>Hi\n", "srt");
    expect(vtt.cues[0]).toMatchObject({ startTime: 1, speaker: "Bob", text: "Hi" });
  });
});
