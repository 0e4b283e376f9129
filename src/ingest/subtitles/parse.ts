// Subtitle parsing: SubRip, WebVTT and ASS/SSA text into ParsedCue[] plus warnings.
//
// ASS/SSA goes through `ass-compiler` (maintained, typed, the parser behind ASS.js): it splits event
// fields by the section's Format line, parses times and override tags, and tells drawings (`\p1`) from
// text. We keep the section scan (for line numbers, missing Format lines and CR-only files) and run
// ass-compiler per event line.
//
// SubRip and WebVTT use the small tolerant parser below. The libraries looked at do not meet the
// requirements: `subtitle` throws on the first malformed timestamp (one bad cue loses the file) and
// reports no line numbers; `@plussub/srt-vtt-parser` throws on incomplete cues and misreads `.` as the
// millisecond separator in SRT (parseInt("20.500") → 20 ms lost); `webvtt-parser` is a strict WebVTT
// validator (rejects files without the header, no SRT). Ours skips a bad cue with a warning that names
// its line and goes on.
import { parse as parseAss } from "ass-compiler";
import type { ParsedCue } from "../ingest.types.js";
import { cleanCueText, roundMs, voiceSpeaker } from "./text.js";
import { AppError } from "../../errors/app-error.js";

export type SubtitleFormat = "srt" | "vtt" | "ass";

export interface ParsedSubtitles {
  cues: ParsedCue[];
  warnings: string[];
}

/** A subtitle text with no readable cue (or not subtitle text at all). The message is one line. */
export class SubtitleParseError extends AppError {
  constructor(message: string) {
    super("SUBTITLE_UNREADABLE", message);
    this.name = "SubtitleParseError";
  }
}

const FORMAT_NAMES: Record<SubtitleFormat, string> = { srt: "SubRip", vtt: "WebVTT", ass: "ASS/SSA" };

/** The format the content is in, whatever the file is called; undefined when it looks like none. */
export function sniffSubtitleFormat(text: string): SubtitleFormat | undefined {
  const head = text.replace(/^\uFEFF/, "").slice(0, 65_536);
  if (/^\s*WEBVTT(?:[ \t].*)?(?:\r\n|\r|\n|$)/.test(head)) return "vtt";
  if (/^[ \t]*\[(?:Script Info|V4\+? Styles|Events)\][ \t]*$/im.test(head)) return "ass";
  if (/^[ \t]*Dialogue\s*:\s*(?:Marked=)?\d+\s*,\s*\d+:\d{2}:\d{2}/im.test(head)) return "ass";
  if (/^[ \t]*(?:\d+:)?\d{1,2}:\d{1,2}[,.]\d+[ \t]*-->[ \t]*(?:\d+:)?\d{1,2}:\d{1,2}[,.]\d+/m.test(head)) return "srt";
  return undefined;
}

/**
 * Parses subtitle text. When the content is plainly another format than `format` (a WebVTT header in
 * a `.srt` file, ASS sections in a `.vtt`...) it is parsed as what it is, with a warning.
 * Never throws for a bad cue (it is skipped with a warning naming its line); throws
 * SubtitleParseError when no cue at all can be read.
 */
export function parseSubtitles(text: string, format: SubtitleFormat): ParsedSubtitles {
  const warnings: string[] = [];
  const body = text.replace(/^\uFEFF/, "");
  const sniffed = sniffSubtitleFormat(body);
  let actual = format;
  // A timing line alone says "SubRip or header-less WebVTT": only switch on unambiguous evidence.
  if (sniffed && sniffed !== format && !(sniffed === "srt" && format === "vtt")) {
    warnings.push(
      `content is ${FORMAT_NAMES[sniffed]}, not ${FORMAT_NAMES[format]}: parsed as ${FORMAT_NAMES[sniffed]}`,
    );
    actual = sniffed;
  }
  if (body.trim() === "") throw new SubtitleParseError(`no readable cue: the ${FORMAT_NAMES[actual]} text is empty`);

  const raw = actual === "ass" ? parseAssEvents(body, warnings) : parseTimedText(body, actual, warnings);
  if (raw.length === 0) {
    const why =
      warnings.length > 0 ? `: ${warnings[warnings.length > 1 && warnings[0]?.startsWith("content is") ? 1 : 0]}` : "";
    const more =
      warnings.length > 1 ? ` (and ${warnings.length - 1} more warning${warnings.length > 2 ? "s" : ""})` : "";
    throw new SubtitleParseError(`no readable cue in the ${FORMAT_NAMES[actual]} text${why}${more}`);
  }

  let outOfOrder = false;
  for (let i = 1; i < raw.length; i++) if ((raw[i]?.startTime ?? 0) < (raw[i - 1]?.startTime ?? 0)) outOfOrder = true;
  if (outOfOrder) warnings.push("cues out of order: sorted by start time");
  const sorted = raw
    .map((cue, order) => ({ cue, order }))
    .sort((a, b) => a.cue.startTime - b.cue.startTime || a.cue.endTime - b.cue.endTime || a.order - b.order)
    .map(({ cue }, index) => ({ ...cue, index }));
  return { cues: sorted, warnings };
}

type RawCue = Omit<ParsedCue, "index">;

function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

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

const TIMING = /^\s*(\S+)\s*-->\s*(\S+)/;

/** SubRip and WebVTT (their cue structure is close enough for one tolerant reader). */
function parseTimedText(text: string, format: "srt" | "vtt", warnings: string[]): RawCue[] {
  const lines = splitLines(text);
  const cues: RawCue[] = [];
  let i = 0;
  if (format === "vtt") {
    if (/^\s*WEBVTT/.test(lines[0] ?? "")) {
      while (i < lines.length && (lines[i] ?? "").trim() !== "") i++; // header block
    } else {
      warnings.push("line 1: no WEBVTT header");
    }
  }

  let current: { line: number; start: number; end: number; lines: string[] } | undefined;
  let skipping = false; // inside a malformed cue
  let inBlock = false; // inside a WebVTT NOTE/STYLE/REGION block
  let atBlockStart = true;

  const finish = () => {
    if (!current) return;
    const body = [...current.lines];
    while (body.length > 0 && (body[body.length - 1] ?? "").trim() === "") body.pop();
    // SubRip: the next cue's index, when no blank line separated it from this cue's text
    if (format === "srt" && body.length > 1 && /^\s*\d+\s*$/.test(body[body.length - 1] ?? "")) body.pop();
    while (body.length > 0 && (body[body.length - 1] ?? "").trim() === "") body.pop();
    while (body.length > 0 && (body[0] ?? "").trim() === "") body.shift();
    const rawText = body.join("\n");
    const cleaned = cleanCueText(rawText);
    if (cleaned === "") {
      warnings.push(`line ${current.line}: cue has no text: skipped`);
    } else {
      const speaker = voiceSpeaker(rawText);
      cues.push({
        startTime: current.start,
        endTime: current.end,
        rawText,
        text: cleaned,
        ...(speaker ? { speaker } : {}),
      });
    }
    current = undefined;
  };

  for (; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const lineNo = i + 1;
    if (inBlock) {
      if (line.trim() === "") {
        inBlock = false;
        atBlockStart = true;
      }
      continue;
    }
    if (line.includes("-->")) {
      finish();
      skipping = false;
      atBlockStart = false;
      const m = TIMING.exec(line);
      const start = m?.[1] !== undefined ? parseTimestamp(m[1]) : undefined;
      const end = m?.[2] !== undefined ? parseTimestamp(m[2]) : undefined;
      if (start === undefined || end === undefined) {
        warnings.push(`line ${lineNo}: unreadable timestamp "${line.trim()}": cue skipped`);
        skipping = true;
      } else if (end < start) {
        warnings.push(`line ${lineNo}: cue ends before it starts (${m?.[1]} --> ${m?.[2]}): skipped`);
        skipping = true;
      } else {
        current = { line: lineNo, start, end, lines: [] };
      }
      continue;
    }
    const blank = line.trim() === "";
    if (format === "vtt") {
      // WebVTT: a blank line ends a cue or block; NOTE, STYLE and REGION blocks carry no cue.
      if (blank) {
        finish();
        skipping = false;
        atBlockStart = true;
        continue;
      }
      if (atBlockStart && !current && /^(?:NOTE|STYLE|REGION)(?:\s|$)/.test(line)) {
        inBlock = true;
        continue;
      }
      atBlockStart = false;
    }
    if (skipping || !current) continue;
    current.lines.push(line);
  }
  finish();
  return cues;
}

const ASS_FORMAT = "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text";
const SSA_FORMAT = "Format: Marked, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text";

function parseAssEvents(text: string, warnings: string[]): RawCue[] {
  const lines = splitLines(text);
  const cues: RawCue[] = [];
  const seen = new Set<string>();
  let section = "";
  let ssa = false;
  let format: string | undefined;
  let sawEvents = false;

  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    const lineNo = i + 1;
    if (line === "" || line.startsWith(";") || line.startsWith("!:")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = (header[1] ?? "").trim().toLowerCase();
      if (section === "events") sawEvents = true;
      continue;
    }
    if (section === "script info" && /^ScriptType\s*:\s*v4\.00\s*$/i.test(line)) ssa = true;
    if (section === "v4 styles") ssa = true;
    if (section !== "events" && !(section === "" && /^(?:Dialogue|Comment)\s*:/i.test(line))) continue;
    if (/^Format\s*:/i.test(line)) {
      format = line;
      continue;
    }
    const kind = /^(Dialogue|Comment)\s*:/i.exec(line)?.[1]?.toLowerCase();
    if (kind !== "dialogue") continue; // comments and other event types (Picture, Sound, Movie, Command)
    if (!format) {
      format = ssa ? SSA_FORMAT : ASS_FORMAT;
      warnings.push(`line ${lineNo}: no Format line in [Events]: assuming the standard ${ssa ? "SSA" : "ASS"} one`);
    }
    let event: ReturnType<typeof parseAss>["events"]["dialogue"][number] | undefined;
    try {
      event = parseAss(`[Events]\n${format}\n${line}`).events.dialogue[0];
    } catch {
      event = undefined;
    }
    if (!event) {
      warnings.push(`line ${lineNo}: unreadable Dialogue line: skipped`);
      continue;
    }
    const start = event.Start;
    const end = event.End;
    if (typeof start !== "number" || typeof end !== "number" || !Number.isFinite(start) || !Number.isFinite(end)) {
      warnings.push(`line ${lineNo}: unreadable timestamp in "${line.slice(0, 60)}": cue skipped`);
      continue;
    }
    if (end < start) {
      warnings.push(`line ${lineNo}: cue ends before it starts: skipped`);
      continue;
    }
    const parsedText = event.Text;
    const isDrawing = parsedText.parsed.some((seg) => seg.drawing.length > 0 || seg.tags.some((t) => (t.p ?? 0) > 0));
    const cleaned = cleanCueText(parsedText.combined);
    if (cleaned === "") {
      if (!isDrawing) warnings.push(`line ${lineNo}: cue has no text: skipped`);
      continue; // a drawing (vector shape) carries no dialogue
    }
    const startTime = roundMs(start);
    const endTime = roundMs(end);
    const key = `${startTime}|${endTime}|${cleaned}`;
    if (seen.has(key)) continue; // the same line on another layer (outline/shadow effects)
    seen.add(key);
    const speaker = typeof event.Name === "string" && event.Name.trim() !== "" ? event.Name.trim() : undefined;
    cues.push({ startTime, endTime, rawText: parsedText.raw, text: cleaned, ...(speaker ? { speaker } : {}) });
  }
  if (!sawEvents && cues.length === 0) warnings.push("no [Events] section");
  return cues;
}
