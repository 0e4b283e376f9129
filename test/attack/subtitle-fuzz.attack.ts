// A seeded subtitle fuzzer over the parser's public entry (src/ingest/subtitles): SubRip, WebVTT and ASS
// texts, valid at first, then mutated (lines dropped, duplicated, truncated, fields cut, bytes flipped,
// timestamps made absurd). Every case either parses into ordered cues with finite times and a clean text,
// or is refused with a SubtitleParseError whose message is one line; never another exception.
import { expect, it } from "vitest";
import { parseSubtitles, type SubtitleFormat } from "../../src/ingest/subtitles/index.js";
import { isAppError } from "../../src/errors/app-error.js";
import { mulberry32 } from "../../src/util/prng.js";
import { record } from "./helpers/record.js";

const SEED = 15_2026;
const CASES = 300;
const MAX_CHARS = 20_000;

function ts(t: number, sep: string): string {
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = Math.floor(t % 60);
  const ms = Math.round((t % 1) * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(h)}:${p(m)}:${p(s)}${sep}${p(ms, 3)}`;
}

function valid(format: SubtitleFormat, rnd: () => number): string {
  const n = 1 + Math.floor(rnd() * 12);
  const cues = Array.from({ length: n }, (_, i) => ({
    start: i * 2 + rnd(),
    end: i * 2 + 1.5 + rnd(),
    text: `line ${i} <i>é</i>`,
  }));
  if (format === "srt")
    return cues.map((c, i) => `${i + 1}\n${ts(c.start, ",")} --> ${ts(c.end, ",")}\n${c.text}\n`).join("\n");
  if (format === "vtt")
    return `WEBVTT\n\n${cues.map((c) => `${ts(c.start, ".")} --> ${ts(c.end, ".")}\n<v Bob>${c.text}\n`).join("\n")}`;
  const ass = (t: number) => ts(t, ".").slice(1, -1);
  return [
    "[Script Info]",
    "ScriptType: v4.00+",
    "",
    "[Events]",
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ...cues.map((c) => `Dialogue: 0,${ass(c.start)},${ass(c.end)},Default,Bob,0,0,0,,{\\i1}${c.text}`),
  ].join("\n");
}

const MUTATIONS: Array<(lines: string[], rnd: () => number) => string[]> = [
  (l, r) => l.filter(() => r() > 0.2), // drop lines
  (l, r) => l.flatMap((x) => (r() < 0.2 ? [x, x] : [x])), // duplicate lines
  (l, r) => l.map((x) => (r() < 0.3 ? x.slice(0, Math.floor(r() * x.length)) : x)), // truncate lines
  (l, r) =>
    l.map((x) =>
      r() < 0.3
        ? x
            .split(",")
            .slice(0, 1 + Math.floor(r() * 4))
            .join(",")
        : x,
    ), // cut fields
  (l, r) => l.map((x) => (r() < 0.2 ? x.replace(/\d/g, () => String(Math.floor(r() * 10))) : x)), // scramble digits
  (l, r) => l.map((x) => (r() < 0.2 ? x.replace(/\d\d:\d\d/, "99:99") : x)), // absurd times
  (l, r) => l.map((x) => (r() < 0.1 ? x + "\u0000\uFFFD\u202E" : x)), // control and odd characters
  (l, r) => l.map((x) => (r() < 0.05 ? x.repeat(50) : x)), // long lines
  (l) => [...l].reverse(), // everything out of order
];

it(`subtitle fuzzer: ${CASES} seeded cases`, () => {
  const rnd = mulberry32(SEED);
  const formats: SubtitleFormat[] = ["srt", "vtt", "ass"];
  const failures: string[] = [];
  let parsed = 0;
  let refused = 0;
  for (let i = 0; i < CASES; i++) {
    const format = formats[i % 3]!;
    let lines = valid(format, rnd).split("\n");
    const rounds = i < 15 ? 0 : 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < rounds; k++) lines = MUTATIONS[Math.floor(rnd() * MUTATIONS.length)]!(lines, rnd);
    const text = lines.join(rnd() < 0.2 ? "\r\n" : "\n").slice(0, MAX_CHARS);
    try {
      const result = parseSubtitles(text, format);
      for (const [j, cue] of result.cues.entries()) {
        if (!Number.isFinite(cue.startTime) || !Number.isFinite(cue.endTime) || cue.endTime < cue.startTime)
          throw new Error(`cue ${j} has times ${cue.startTime}..${cue.endTime}`);
        if (j > 0 && cue.startTime < result.cues[j - 1]!.startTime) throw new Error(`cue ${j} out of order`);
      }
      parsed++;
    } catch (error) {
      if (isAppError(error) && !error.message.includes("\n") && !/Cannot read|undefined/.test(error.message)) {
        refused++;
        continue;
      }
      failures.push(
        `case ${i} (${format}): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
    }
  }
  record({
    attack: `subtitle fuzzer (seed ${SEED})`,
    cases: CASES,
    held: CASES - failures.length,
    note: `${parsed} parsed, ${refused} refused in one line, ${failures.length} other${failures[0] ? `: ${failures[0]}` : ""}`,
  });
  expect(failures).toEqual([]);
});
