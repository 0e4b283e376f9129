// What every format parser hands its cues to: it applies the limits (cue count, cue length) while the
// parse runs, so a huge input is refused at the first cue over the limit instead of after it is all in
// memory, and it turns raw text into clean text and a speaker the same way for every format.
import type { ParsedCue } from "../ingest.types.js";
import { cueTooLong, DEFAULT_SUBTITLE_LIMITS, tooManyCues, type SubtitleLimits } from "./limits.js";
import { cleanCueText, roundMs, voiceSpeaker } from "./text.js";

export type RawCue = Omit<ParsedCue, "index">;

export interface CueInput {
  line?: number;
  start: number;
  end: number;
  rawText: string;
  /** text already cleaned by the format's own parser (ASS); default: cleanCueText(rawText) */
  text?: string;
  speaker?: string;
  /** a cue with no text is skipped silently (ASS drawings, SAMI clears) */
  silentIfEmpty?: boolean;
}

export class CueSink {
  readonly cues: RawCue[] = [];

  constructor(
    readonly warnings: string[],
    readonly limits: SubtitleLimits = DEFAULT_SUBTITLE_LIMITS,
  ) {}

  warn(line: number | undefined, message: string): void {
    this.warnings.push(line === undefined ? message : `line ${line}: ${message}`);
  }

  /** true when the raw text is over the cue length limit (and says so): the caller skips the cue */
  overLong(line: number | undefined, length: number): boolean {
    if (length <= this.limits.maxCueChars) return false;
    this.warnings.push(cueTooLong(line, length, this.limits));
    return true;
  }

  add(input: CueInput): void {
    if (this.overLong(input.line, input.rawText.length)) return;
    if (!Number.isFinite(input.start) || !Number.isFinite(input.end)) {
      this.warn(input.line, "unreadable time: cue skipped");
      return;
    }
    if (input.end < input.start) {
      this.warn(input.line, "cue ends before it starts: skipped");
      return;
    }
    const text = input.text ?? cleanCueText(input.rawText);
    if (text === "") {
      if (!input.silentIfEmpty) this.warn(input.line, "cue has no text: skipped");
      return;
    }
    if (this.cues.length >= this.limits.maxCues) throw tooManyCues(this.limits);
    const speaker = input.speaker ?? voiceSpeaker(input.rawText);
    this.cues.push({
      startTime: roundMs(input.start),
      endTime: roundMs(input.end),
      rawText: input.rawText,
      text,
      ...(speaker ? { speaker } : {}),
    });
  }
}

/** The lines of a text with their 1-based numbers, without building an array of them all. */
export function* textLines(text: string): Generator<[line: string, lineNo: number]> {
  const re = /\r\n|\r|\n/g;
  let from = 0;
  let lineNo = 1;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    yield [text.slice(from, m.index), lineNo++];
    from = m.index + m[0].length;
  }
  yield [text.slice(from), lineNo];
}
