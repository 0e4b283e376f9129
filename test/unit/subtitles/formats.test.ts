// TTML/DFXP/IMSC, SAMI and MicroDVD (issue #17): files written here, well-formed and malformed, through the
// same path as the other formats (decode, sniff, parse, limits, warnings).
import iconv from "iconv-lite";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseSubtitles,
  parseSubtitleTracks,
  sniffSubtitleFormat,
  SubtitleParseError,
} from "../../../src/ingest/subtitles/parse.js";
import { parseTtmlTime } from "../../../src/ingest/subtitles/ttml.parser.js";
import { findSidecarSubtitles, loadSubtitleTracks } from "../../../src/ingest/subtitles/sidecar.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cinerag-subformats-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const times = (cues: Array<{ startTime: number; endTime: number; text: string }>) =>
  cues.map((c) => [c.startTime, c.endTime, c.text]);

const TTML = `<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"
    xmlns:ttm="http://www.w3.org/ns/ttml#metadata" xmlns:tts="http://www.w3.org/ns/ttml#styling"
    ttp:frameRate="25" ttp:tickRate="10000000" xml:lang="en">
  <head>
    <metadata><ttm:agent xml:id="anna" type="character"><ttm:name>Anna</ttm:name></ttm:agent></metadata>
    <layout><region xml:id="bottom" tts:origin="10% 80%"/></layout>
  </head>
  <body>
    <div begin="10s">
      <p begin="00:00:01.000" end="00:00:02.500" region="bottom" ttm:agent="anna">Hello<br/>there &amp; <span tts:fontStyle="italic">you</span></p>
      <p begin="5s" dur="25f">Frames</p>
      <p begin="70000000t" end="80000000t">Ticks</p>
    </div>
    <div begin="00:01:00:00" end="65s" xml:lang="fr">
      <p begin="1s" end="10s">Bonjour</p>
    </div>
  </body>
</tt>`;

describe("TTML", () => {
  it("reads clock, offset, frame and tick times, nested div timing, agents and languages", () => {
    expect(sniffSubtitleFormat(TTML)).toBe("ttml");
    const tracks = parseSubtitleTracks(TTML, "ttml");
    expect(tracks.map((t) => t.language)).toEqual(["en", "fr"]);
    expect(times(tracks[0]!.cues)).toEqual([
      [11, 12.5, "Hello there & you"],
      [15, 16, "Frames"],
      [17, 18, "Ticks"],
    ]);
    expect(tracks[0]!.cues[0]).toMatchObject({ speaker: "Anna", rawText: "Hello\nthere & you" });
    // a child never outlives its parent: the div ends at 65 s
    expect(times(tracks[1]!.cues)).toEqual([[61, 65, "Bonjour"]]);
  });

  it("parses time expressions", () => {
    const p = { frameRate: 24, subFrameRate: 1, tickRate: 1000 };
    expect(parseTtmlTime("01:02:03.5", p)).toBe(3723.5);
    expect(parseTtmlTime("00:00:01:12", p)).toBe(1.5);
    expect(parseTtmlTime("1.5s", p)).toBe(1.5);
    expect(parseTtmlTime("250ms", p)).toBe(0.25);
    expect(parseTtmlTime("2m", p)).toBe(120);
    expect(parseTtmlTime("48f", p)).toBe(2);
    expect(parseTtmlTime("1500t", p)).toBe(1.5);
    expect(parseTtmlTime("soon", p)).toBeUndefined();
  });

  it("seq containers count from the previous sibling's end", () => {
    const doc = `<tt xmlns="http://www.w3.org/ns/ttml"><body><div timeContainer="seq"><p dur="2s">One</p><p dur="1s">Two</p></div></body></tt>`;
    expect(times(parseSubtitles(doc, "ttml").cues)).toEqual([
      [0, 2, "One"],
      [2, 3, "Two"],
    ]);
  });

  it("refuses a DOCTYPE: no entity is ever expanded (billion laughs, XXE)", () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="0s" end="1s">&b;</p></div></body></tt>`;
    expect(() => parseSubtitles(laughs, "ttml")).toThrow(/DOCTYPE is not accepted/);
    const xxe = `<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<tt xmlns="http://www.w3.org/ns/ttml"><body><p begin="0s" end="1s">&x;</p></body></tt>`;
    expect(() => parseSubtitles(xxe, "ttml")).toThrow(SubtitleParseError);
  });

  it("keeps the cues before a well-formedness error and says where it stopped", () => {
    const broken = `<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="1s" end="2s">Fine</p><p begin="3s" end="4s">Broken</div></body></tt>`;
    const { cues, warnings } = parseSubtitles(broken, "ttml");
    expect(cues[0]?.text).toBe("Fine");
    expect(warnings.join("\n")).toMatch(/not well-formed TTML \(.*\): the rest of the document is skipped/);
  });

  it("a cue without an end, or with an unreadable time, is reported", () => {
    const doc = `<tt xmlns="http://www.w3.org/ns/ttml"><body><p begin="1s">Open</p><p begin="later" end="3s">Odd</p><p begin="4s" end="5s">Ok</p></body></tt>`;
    const { cues, warnings } = parseSubtitles(doc, "ttml");
    expect(times(cues)).toEqual([
      [0, 3, "Odd"],
      [4, 5, "Ok"],
    ]);
    expect(warnings.join("\n")).toMatch(/unreadable begin="later"/);
    expect(warnings.join("\n")).toMatch(/no end time/);
  });

  it("reads several documents one after another (an MP4 track's samples)", () => {
    const one = (t: string, b: number) =>
      `<?xml version="1.0" encoding="utf-8"?><tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="${b}s" end="${b + 1}s">${t}</p></div></body></tt>\n`;
    expect(parseSubtitles(one("A", 1) + one("B", 3), "ttml").cues.map((c) => c.text)).toEqual(["A", "B"]);
  });

  it("a .dfxp sidecar in ISO-8859-1 is decoded by its declaration", async () => {
    const doc = `<?xml version="1.0" encoding="ISO-8859-1"?><tt xmlns="http://www.w3.org/2006/10/ttaf1"><body><div><p begin="0:00:01.00" end="0:00:02.00">Déjà vu</p></div></body></tt>`;
    await writeFile(join(dir, "film.fr.dfxp"), iconv.encode(doc, "latin1"));
    const [track] = await loadSubtitleTracks(join(dir, "film.fr.dfxp"));
    expect(track).toMatchObject({ format: "ttml", codec: "ttml", language: "fr" });
    expect(track?.cues[0]?.text).toBe("Déjà vu");
  });
});

const SAMI = `<SAMI>
<HEAD>
<TITLE>Test</TITLE>
<STYLE TYPE="text/css">
<!--
P { margin-left: 8pt; }
.KRCC { Name: Korean; lang: ko-KR; SAMIType: CC; }
.ENCC { Name: English; lang: en-US; SAMIType: CC; }
-->
</STYLE>
</HEAD>
<BODY>
<SYNC Start=1000><P Class=KRCC>안녕하세요<br>반갑습니다
<SYNC Start=1000><P Class=ENCC>Hello<br>nice to meet you
<SYNC Start=3000><P Class=KRCC>&nbsp;
<SYNC Start=3500><P Class=ENCC>&nbsp;
<SYNC Start=5000><P Class=KRCC><font color="#ffff00">잘 가요</font>
<SYNC Start=6000><P Class=ENCC>Bye
<SYNC Start=7000><P Class=KRCC>&nbsp;
</BODY>
</SAMI>`;

describe("SAMI", () => {
  it("one track per class, with its language; &nbsp; ends the cue", () => {
    expect(sniffSubtitleFormat(SAMI)).toBe("sami");
    const tracks = parseSubtitleTracks(SAMI, "sami");
    expect(tracks.map((t) => [t.language, t.title])).toEqual([
      ["ko-KR", "Korean"],
      ["en-US", "English"],
    ]);
    expect(times(tracks[0]!.cues)).toEqual([
      [1, 3, "안녕하세요 반갑습니다"],
      [5, 7, "잘 가요"],
    ]);
    expect(times(tracks[1]!.cues)).toEqual([
      [1, 3.5, "Hello nice to meet you"],
      [6, 10, "Bye"],
    ]);
    expect(tracks[1]!.warnings.join(" ")).toMatch(/last cue has no end: shown for 4 s/);
  });

  it("a CP949 (EUC-KR) .smi file without a language in its name is decoded and split", async () => {
    await writeFile(join(dir, "drama.smi"), iconv.encode(SAMI, "cp949"));
    const tracks = await loadSubtitleTracks(join(dir, "drama.smi"));
    expect(tracks.map((t) => [t.format, t.language, t.encoding])).toEqual([
      ["sami", "ko-KR", "EUC-KR"],
      ["sami", "en-US", "EUC-KR"],
    ]);
    expect(tracks[0]?.cues[0]?.text).toBe("안녕하세요 반갑습니다");
  });

  it("a SAMI text with no SYNC has no readable cue", () => {
    expect(() => parseSubtitles("<SAMI><BODY><P>nothing timed</BODY></SAMI>", "sami")).toThrow(/no <SYNC/);
  });
});

describe("MicroDVD", () => {
  it("uses the file's own frame rate line; | breaks lines; {y:i} codes go", () => {
    const text = "{1}{1}25\n{25}{50}Hello|world\n{75}{100}{y:i}Italic {c:$0000ff}blue\n";
    expect(sniffSubtitleFormat(text)).toBe("microdvd");
    const { cues, warnings } = parseSubtitles(text, "microdvd");
    expect(times(cues)).toEqual([
      [1, 2, "Hello world"],
      [3, 4, "Italic blue"],
    ]);
    expect(cues[0]?.rawText).toBe("Hello\nworld");
    expect(warnings).toEqual([]);
  });

  it("takes the clip's frame rate when the file gives none; a bad line is reported", () => {
    const { cues, warnings } = parseSubtitles("{10}{20}Ten\ngarbage here\n{30}{}No end\n", "microdvd", {
      frameRate: 10,
    });
    expect(times(cues)).toEqual([[1, 2, "Ten"]]);
    expect(warnings).toEqual([
      'line 2: not a MicroDVD cue "garbage here": skipped',
      "line 3: cue has no end frame: skipped",
    ]);
  });

  it("a VobSub .sub (binary MPEG-PS) is told apart by content and not read as text", async () => {
    const vobsub = Buffer.concat([Buffer.from([0x00, 0x00, 0x01, 0xba]), Buffer.alloc(2044, 0xff)]);
    await writeFile(join(dir, "movie.sub"), vobsub);
    await writeFile(join(dir, "movie.idx"), "# VobSub index file, v7\n");
    await expect(loadSubtitleTracks(join(dir, "movie.sub"))).rejects.toThrow(/image-based VobSub/);
    await writeFile(join(dir, "movie.en.sub"), "{0}{0}23.976\n{24}{48}Text sub\n");
    const [track] = await loadSubtitleTracks(join(dir, "movie.en.sub"));
    expect(track).toMatchObject({ format: "microdvd", codec: "microdvd", language: "en" });
    expect(track?.cues[0]).toMatchObject({ startTime: 1.001, text: "Text sub" });
  });
});

describe("sidecar discovery", () => {
  it("finds the new formats by extension", async () => {
    const clip = join(dir, "show.mkv");
    await writeFile(clip, "");
    for (const name of ["show.en.ttml", "show.ko.smi", "show.sub", "show.fr.xml", "show.de.sami"])
      await writeFile(join(dir, name), "x");
    const found = await findSidecarSubtitles(clip);
    expect(found.map((f) => [f.path.slice(dir.length + 1), f.format, f.language])).toEqual([
      ["show.de.sami", "sami", "de"],
      ["show.en.ttml", "ttml", "en"],
      ["show.fr.xml", "ttml", "fr"],
      ["show.ko.smi", "sami", "ko"],
      ["show.sub", "microdvd", undefined],
    ]);
  });
});
