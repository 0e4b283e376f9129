// Subtitle parsing: SubRip, WebVTT, ASS/SSA, TTML/DFXP/IMSC, SAMI and MicroDVD text into tracks of
// ParsedCue plus warnings. Each format has its parser (./*.parser.ts); they all hand cues to one CueSink
// (limits, clean text, speakers) and end here (times never before 0, sorted, indexed).
import type { ParsedCue } from "../ingest.types.js";
import { AppError } from "../../errors/app-error.js";
import { CueSink, type RawCue } from "./cue-sink.js";
import { DEFAULT_SUBTITLE_LIMITS, type SubtitleLimits } from "./limits.js";
import { parseTimedText, TIMING_LINE } from "./timed-text.parser.js";
import { parseAssEvents } from "./ass.parser.js";
import { looksLikeTtml, parseTtml } from "./ttml.parser.js";
import { looksLikeSami, parseSami } from "./sami.parser.js";
import { looksLikeMicroDvd, parseMicroDvd } from "./microdvd.parser.js";

export { parseTimestamp } from "./timed-text.parser.js";

export type SubtitleFormat = "srt" | "vtt" | "ass" | "ttml" | "sami" | "microdvd";

export interface ParsedSubtitles {
  cues: ParsedCue[];
  warnings: string[];
}

/** One track of a subtitle text: SAMI classes and TTML languages make several of one file. */
export interface ParsedTrack extends ParsedSubtitles {
  /** BCP 47 tag the text itself gives (SAMI class, TTML xml:lang), when it gives one */
  language?: string;
  /** the SAMI class name, when the file has several */
  title?: string;
}

export interface ParseOptions {
  limits?: SubtitleLimits;
  /** frames per second for frame-based formats (MicroDVD) when the file does not say: the clip's */
  frameRate?: number;
}

/** A subtitle text with no readable cue (or not subtitle text at all). The message is one line. */
export class SubtitleParseError extends AppError {
  constructor(
    message: string,
    /** the text is in a subtitle format, it just has no readable cue (a track to skip, not a file to refuse) */
    readonly recognised = false,
  ) {
    super("SUBTITLE_UNREADABLE", message);
    this.name = "SubtitleParseError";
  }
}

export const FORMAT_NAMES: Record<SubtitleFormat, string> = {
  srt: "SubRip",
  vtt: "WebVTT",
  ass: "ASS/SSA",
  ttml: "TTML",
  sami: "SAMI",
  microdvd: "MicroDVD",
};

/** The format the content is in, whatever the file is called; undefined when it looks like none. */
export function sniffSubtitleFormat(text: string): SubtitleFormat | undefined {
  const head = text.replace(/^\uFEFF/, "").slice(0, 65_536);
  if (/^\s*WEBVTT(?:[ \t].*)?(?:\r\n|\r|\n|$)/.test(head)) return "vtt";
  if (looksLikeTtml(head)) return "ttml";
  if (looksLikeSami(head)) return "sami";
  if (/^[ \t]*\[(?:Script Info|V4\+? Styles|Events)\][ \t]*$/im.test(head)) return "ass";
  if (/^[ \t]*Dialogue\s*:\s*(?:Marked=)?\d+\s*,\s*-?\d+:\d{2}:\d{2}/im.test(head)) return "ass";
  if (looksLikeMicroDvd(head)) return "microdvd";
  if (head.split(/\r\n|\r|\n/, 2000).some((l) => TIMING_LINE.test(l))) return "srt";
  return undefined;
}

/**
 * Parses subtitle text into its first track (parseSubtitleTracks for all of them). When the content is
 * plainly another format than `format` it is parsed as what it is, with a warning. Never throws for a bad
 * cue (it is skipped with a warning naming its line); throws SubtitleParseError when no cue at all can be
 * read, SubtitleLimitError when the text is over a limit.
 */
export function parseSubtitles(text: string, format: SubtitleFormat, options: ParseOptions = {}): ParsedSubtitles {
  const [first] = parseSubtitleTracks(text, format, options);
  return { cues: first?.cues ?? [], warnings: first?.warnings ?? [] };
}

/** Every track of a subtitle text (most formats have one); each has at least one cue. */
export function parseSubtitleTracks(text: string, format: SubtitleFormat, options: ParseOptions = {}): ParsedTrack[] {
  const limits = options.limits ?? DEFAULT_SUBTITLE_LIMITS;
  const warnings: string[] = [];
  const body = text.replace(/^\uFEFF/, "");
  const actual = actualFormat(body, format, warnings);
  if (body.trim() === "")
    throw new SubtitleParseError(`no readable cue: the ${FORMAT_NAMES[actual]} text is empty`, true);
  const raw = parseRaw(body, actual, warnings, limits, options);
  const tracks = raw.filter((t) => t.cues.length > 0).map((t) => finishTrack(t, [...warnings, ...t.warnings]));
  if (tracks.length > 0) return tracks;
  const all = [...warnings, ...raw.flatMap((t) => t.warnings)];
  throw new SubtitleParseError(noCueMessage(actual, all), sniffSubtitleFormat(body) !== undefined);
}

function actualFormat(body: string, format: SubtitleFormat, warnings: string[]): SubtitleFormat {
  const sniffed = sniffSubtitleFormat(body);
  // A timing line alone says "SubRip or header-less WebVTT": only switch on unambiguous evidence.
  if (!sniffed || sniffed === format || (sniffed === "srt" && format === "vtt")) return format;
  warnings.push(`content is ${FORMAT_NAMES[sniffed]}, not ${FORMAT_NAMES[format]}: parsed as ${FORMAT_NAMES[sniffed]}`);
  return sniffed;
}

interface RawTrack {
  cues: RawCue[];
  warnings: string[];
  language?: string;
  title?: string;
}

function parseRaw(
  body: string,
  format: SubtitleFormat,
  warnings: string[],
  limits: SubtitleLimits,
  options: ParseOptions,
): RawTrack[] {
  if (format === "ttml") return parseTtml(body, limits);
  if (format === "sami") return parseSami(body, limits);
  const sink = new CueSink([], limits);
  if (format === "ass") parseAssEvents(body, sink);
  else if (format === "microdvd") parseMicroDvd(body, sink, options.frameRate);
  else parseTimedText(body, format, sink);
  return [{ cues: sink.cues, warnings: sink.warnings }];
}

function noCueMessage(format: SubtitleFormat, warnings: string[]): string {
  const main = warnings.find((w) => !w.startsWith("content is"));
  const why = main ? `: ${main}` : "";
  const rest = warnings.length - (main ? 1 : 0) - (warnings.some((w) => w.startsWith("content is")) ? 1 : 0);
  const more = rest > 0 ? ` (and ${rest} more warning${rest > 1 ? "s" : ""})` : "";
  return `no readable cue in the ${FORMAT_NAMES[format]} text${why}${more}`;
}

/** No time before 0 (a cue that ends before it is dropped, one that starts before it is clamped); sorted. */
function finishTrack(track: RawTrack, warnings: string[]): ParsedTrack {
  const cues: RawCue[] = [];
  let clamped = 0;
  let dropped = 0;
  for (const cue of track.cues) {
    if (cue.endTime <= 0 && cue.startTime < 0) dropped++;
    else if (cue.startTime < 0) {
      clamped++;
      cues.push({ ...cue, startTime: 0 });
    } else cues.push(cue);
  }
  if (clamped > 0) warnings.push(`${clamped} cue${clamped > 1 ? "s" : ""} started before 0: moved to 0`);
  if (dropped > 0) warnings.push(`${dropped} cue${dropped > 1 ? "s" : ""} ended before 0: dropped`);
  let outOfOrder = false;
  for (let i = 1; i < cues.length; i++)
    if ((cues[i]?.startTime ?? 0) < (cues[i - 1]?.startTime ?? 0)) outOfOrder = true;
  if (outOfOrder) warnings.push("cues out of order: sorted by start time");
  const sorted = cues
    .map((cue, order) => ({ cue, order }))
    .sort((a, b) => a.cue.startTime - b.cue.startTime || a.cue.endTime - b.cue.endTime || a.order - b.order)
    .map(({ cue }, index) => ({ ...cue, index }));
  return {
    cues: sorted,
    warnings,
    ...(track.language ? { language: track.language } : {}),
    ...(track.title ? { title: track.title } : {}),
  };
}
