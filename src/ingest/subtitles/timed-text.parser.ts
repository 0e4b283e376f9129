// SubRip and WebVTT (their cue structure is close enough for one tolerant reader). The libraries looked at
// do not meet the requirements: `subtitle` throws on the first malformed timestamp (one bad cue loses the
// file) and reports no line numbers; `@plussub/srt-vtt-parser` throws on incomplete cues and misreads `.`
// as the millisecond separator in SRT; `webvtt-parser` is a strict WebVTT validator. Ours skips a bad cue
// with a warning that names its line and goes on.
import { CueSink, textLines } from "./cue-sink.js";
import { roundMs } from "./text.js";

const TS = String.raw`(?:\d+:)?\d{1,2}:\d{1,2}(?:[,.]\d+)?`;
/**
 * A line holding two timestamps is a timing line whatever its arrow: `-->`, `->`, `- ->`, `—>`, `→`,
 * spaces anywhere (files edited by hand or converted badly carry all of these).
 */
export const TIMING_LINE = new RegExp(String.raw`^\s*(${TS})\s*(?:-[\s-]*>?|[–—=]+\s*>?|→|>)\s*(${TS})(?=\s|$)`);

/** `01:02:03,456`, `01:02:03.456`, `02:03.456` (WebVTT without hours), `1:02:03.4` → seconds. */
export function parseTimestamp(token: string): number | undefined {
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[,.](\d+))?$/.exec(token.trim());
  if (!m) return undefined;
  const hours = m[1] ? Number(m[1]) : 0;
  const minutes = Number(m[2]);
  const seconds = Number(m[3]);
  if (minutes >= 60 || seconds >= 60) return undefined;
  const fraction = m[4] ? Number(`0.${m[4]}`) : 0;
  return roundMs(hours * 3600 + minutes * 60 + seconds + fraction);
}

interface OpenCue {
  line: number;
  start: number;
  end: number;
  lines: string[];
  chars: number;
}

class TimedTextReader {
  private current: OpenCue | undefined;
  private skipping = false; // inside a malformed cue
  private inBlock = false; // inside a WebVTT NOTE/STYLE/REGION block
  private atBlockStart = true;
  private seenCue = false;
  /** text lines since the last cue ended, not yet known to be a cue identifier */
  private loose: number[] = [];
  private reportedLoose = false;

  constructor(
    private readonly sink: CueSink,
    private readonly format: "srt" | "vtt",
  ) {}

  read(text: string): void {
    let headerDone = this.format !== "vtt";
    for (const [line, lineNo] of textLines(text)) {
      if (!headerDone) {
        if (lineNo === 1 && !/^\s*WEBVTT/.test(line)) {
          this.sink.warn(1, "no WEBVTT header");
          headerDone = true;
        } else {
          if (line.trim() === "") headerDone = true;
          continue; // header block
        }
      }
      this.line(line, lineNo);
    }
    this.finish();
    this.reportLoose();
  }

  private line(line: string, lineNo: number): void {
    if (this.inBlock) {
      if (line.trim() === "") [this.inBlock, this.atBlockStart] = [false, true];
      return;
    }
    const timing = TIMING_LINE.exec(line);
    if (timing || line.includes("-->")) return this.timingLine(line, lineNo, timing);
    const blank = line.trim() === "";
    if (this.format === "vtt") {
      // WebVTT: a blank line ends a cue or block; NOTE, STYLE and REGION blocks carry no cue.
      if (blank) {
        this.finish();
        this.reportLoose();
        [this.skipping, this.atBlockStart] = [false, true];
        return;
      }
      if (this.atBlockStart && !this.current && /^(?:NOTE|STYLE|REGION)(?:\s|$)/.test(line)) {
        this.inBlock = true;
        return;
      }
      this.atBlockStart = false;
    }
    if (this.skipping) return;
    if (!this.current) {
      if (!blank && !(this.format === "srt" && /^\s*\d+\s*$/.test(line))) this.loose.push(lineNo);
      return;
    }
    this.current.chars += line.length + 1;
    // an over-long cue stops collecting (its size is reported when it ends): memory stays bounded
    if (this.current.chars <= this.sink.limits.maxCueChars + 1) this.current.lines.push(line);
  }

  private timingLine(line: string, lineNo: number, timing: RegExpExecArray | null): void {
    this.finish();
    // one line before a WebVTT timing line is its identifier; anything more is text outside any cue
    if (this.format === "vtt" && this.loose.length > 0) this.loose.pop();
    this.reportLoose();
    [this.skipping, this.atBlockStart] = [false, false];
    const start = timing?.[1] !== undefined ? parseTimestamp(timing[1]) : undefined;
    const end = timing?.[2] !== undefined ? parseTimestamp(timing[2]) : undefined;
    if (start === undefined || end === undefined) {
      this.sink.warn(lineNo, `unreadable timestamp "${line.trim().slice(0, 80)}": cue skipped`);
      this.skipping = true;
    } else if (end < start) {
      this.sink.warn(lineNo, `cue ends before it starts (${timing?.[1]} --> ${timing?.[2]}): skipped`);
      this.skipping = true;
    } else {
      this.current = { line: lineNo, start, end, lines: [], chars: 0 };
    }
  }

  private reportLoose(): void {
    const first = this.loose[0];
    if (first !== undefined && !this.reportedLoose) {
      const where = this.seenCue ? "between cues" : "before the first cue";
      this.sink.warn(first, `text ${where} belongs to no cue: ignored`);
      this.reportedLoose = true; // once per file: a file of prose says so once, not per line
    }
    this.loose = [];
  }

  private finish(): void {
    const cue = this.current;
    if (!cue) return;
    this.current = undefined;
    this.seenCue = true;
    if (this.sink.overLong(cue.line, cue.chars)) return;
    const body = [...cue.lines];
    const trimEnd = () => {
      while (body.length > 0 && (body[body.length - 1] ?? "").trim() === "") body.pop();
    };
    trimEnd();
    // SubRip: the next cue's index, when no blank line separated it from this cue's text
    if (this.format === "srt" && body.length > 1 && /^\s*\d+\s*$/.test(body[body.length - 1] ?? "")) body.pop();
    trimEnd();
    while (body.length > 0 && (body[0] ?? "").trim() === "") body.shift();
    this.sink.add({ line: cue.line, start: cue.start, end: cue.end, rawText: body.join("\n") });
  }
}

export function parseTimedText(text: string, format: "srt" | "vtt", sink: CueSink): void {
  new TimedTextReader(sink, format).read(text);
}
