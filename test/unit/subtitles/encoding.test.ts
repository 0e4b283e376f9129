import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { decodeSubtitleBytes, encodingForLanguageHint } from "../../../src/ingest/subtitles/encoding.js";

const srt = (...lines: string[]) =>
  lines.map((line, i) => `${i + 1}\n00:00:0${i + 1},000 --> 00:00:0${i + 1},900\n${line}\n`).join("\n");

// Realistic short files: one or two lines, where statistical detectors have least to go on.
const CASES: Array<{ name: string; encoding: string; expected: string; hint: string; text: string }> = [
  {
    name: "Simplified Chinese",
    encoding: "gb18030",
    expected: "GB18030",
    hint: "zh-Hans",
    text: srt("这把剑有着黑暗的过去。", "它沾满了无辜者的鲜血。"),
  },
  {
    name: "Simplified Chinese, one line",
    encoding: "gb18030",
    expected: "GB18030",
    hint: "zh-Hans",
    text: srt("谢谢你。"),
  },
  {
    name: "Traditional Chinese",
    encoding: "big5",
    expected: "Big5",
    hint: "zh-Hant",
    text: srt("這把劍有著黑暗的過去。", "它沾滿了無辜者的鮮血。"),
  },
  { name: "Traditional Chinese, one line", encoding: "big5", expected: "Big5", hint: "zh-TW", text: srt("謝謝你。") },
  {
    name: "Japanese",
    encoding: "shift_jis",
    expected: "Shift_JIS",
    hint: "ja",
    text: srt("この剣には暗い過去がある。", "多くの罪なき血を流してきた。"),
  },
  { name: "Japanese, one line", encoding: "shift_jis", expected: "Shift_JIS", hint: "ja", text: srt("ありがとう。") },
  {
    name: "Korean",
    encoding: "euc-kr",
    expected: "EUC-KR",
    hint: "ko",
    text: srt("이 검에는 어두운 과거가 있다.", "무고한 피를 많이 흘렸다."),
  },
  {
    name: "French",
    encoding: "windows-1252",
    expected: "windows-1252",
    hint: "fr",
    text: srt("Cette lame a un passé sombre.", "Elle a versé beaucoup de sang… « Déjà » là-bas, garçon."),
  },
  {
    name: "German",
    encoding: "windows-1252",
    expected: "windows-1252",
    hint: "de",
    text: srt("Diese Klinge hat eine dunkle Vergangenheit.", "Schöne Grüße, Mädchen! Das Blut fließt noch."),
  },
  {
    name: "French, one line",
    encoding: "windows-1252",
    expected: "windows-1252",
    hint: "fr",
    text: srt("Merci, ça va."),
  },
];

describe("decodeSubtitleBytes", () => {
  for (const c of CASES) {
    it(`${c.name} (${c.expected}) with the language hint`, () => {
      const result = decodeSubtitleBytes(iconv.encode(c.text, c.encoding), c.hint);
      expect(result).toEqual({ text: c.text, encoding: c.expected });
    });
    it(`${c.name} (${c.expected}) without a hint`, () => {
      const result = decodeSubtitleBytes(iconv.encode(c.text, c.encoding));
      expect(result).toEqual({ text: c.text, encoding: c.expected });
    });
  }

  it("short hangul without a hint is ambiguous with Big5; the hint settles it", () => {
    const text = srt("고마워요.");
    expect(decodeSubtitleBytes(iconv.encode(text, "euc-kr"), "ko")).toEqual({ text, encoding: "EUC-KR" });
  });

  it("takes the hint from a file name", () => {
    const text = srt("謝謝你。");
    expect(decodeSubtitleBytes(iconv.encode(text, "big5"), "/films/clip.zh-Hant.srt").encoding).toBe("Big5");
  });

  it("a confident detection of another CJK code page beats a wrong hint", () => {
    const text = srt("這把劍有著黑暗的過去。", "它沾滿了無辜者的鮮血。");
    expect(decodeSubtitleBytes(iconv.encode(text, "big5"), "zh-Hans")).toEqual({ text, encoding: "Big5" });
  });

  it("reads byte-order marks first", () => {
    const text = "1\n00:00:01,000 --> 00:00:02,000\nÇa va ? 你好\n";
    for (const [encoding, bom] of [
      ["UTF-8", [0xef, 0xbb, 0xbf]],
      ["UTF-16LE", [0xff, 0xfe]],
      ["UTF-16BE", [0xfe, 0xff]],
      ["UTF-32LE", [0xff, 0xfe, 0x00, 0x00]],
      ["UTF-32BE", [0x00, 0x00, 0xfe, 0xff]],
    ] as const) {
      const body = encoding === "UTF-8" ? Buffer.from(text, "utf8") : iconv.encode(text, encoding);
      const bytes = Buffer.concat([Buffer.from(bom), body]);
      expect(decodeSubtitleBytes(bytes), encoding).toEqual({ text, encoding });
    }
  });

  it("UTF-8 without a BOM, even with a misleading hint", () => {
    const text = "1\n00:00:01,000 --> 00:00:02,000\nありがとう。\n";
    expect(decodeSubtitleBytes(Buffer.from(text, "utf8"), "ja")).toEqual({ text, encoding: "UTF-8" });
    expect(decodeSubtitleBytes(Buffer.from("plain ascii", "utf8")).encoding).toBe("UTF-8");
  });

  it("UTF-16 without a BOM", () => {
    const text = "1\n00:00:01,000 --> 00:00:02,000\nHello there\n";
    expect(decodeSubtitleBytes(iconv.encode(text, "utf-16le"))).toEqual({ text, encoding: "UTF-16LE" });
  });

  it("maps language tags to legacy code pages", () => {
    expect(encodingForLanguageHint("zh-Hans")).toBe("GB18030");
    expect(encodingForLanguageHint("zh")).toBe("GB18030");
    expect(encodingForLanguageHint("zh-Hant")).toBe("Big5");
    expect(encodingForLanguageHint("zh-TW")).toBe("Big5");
    expect(encodingForLanguageHint("ja")).toBe("Shift_JIS");
    expect(encodingForLanguageHint("ko")).toBe("EUC-KR");
    expect(encodingForLanguageHint("ru")).toBe("windows-1251");
    expect(encodingForLanguageHint("fr-CA")).toBe("windows-1252");
    expect(encodingForLanguageHint("xx")).toBeUndefined();
  });
});
