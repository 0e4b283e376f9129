// Cue text cleaning shared by the SubRip, WebVTT and ASS parsers.
import { decodeHTML } from "entities";

/** WebVTT voice span `<v Name>` / `<v.loud Name>`: the first one names the speaker. */
const VOICE = /<v(?:\.[^\s>]*)?\s+([^>]+)>/i;

export function voiceSpeaker(raw: string): string | undefined {
  const m = VOICE.exec(raw);
  const name = m?.[1] ? decodeHTML(m[1]).trim() : "";
  return name || undefined;
}

/**
 * Cue text as plain words on one line: markup removed (`<i>`, `<font ...>`, `<c.x>`, `<v Name>`,
 * `<00:01.000>` karaoke timestamps, `{\an8}`-style ASS override blocks, ruby annotations), `\N`/`\n`
 * escapes and line breaks turned into single spaces, HTML entities decoded.
 */
export function cleanCueText(raw: string): string {
  let s = raw;
  s = s.replace(/<rt>[\s\S]*?<\/rt>/gi, ""); // ruby annotation text (readings), not dialogue
  s = s.replace(/\{\\[^}]*\}/g, ""); // ASS override blocks that SRT files often carry
  s = s.replace(/<\/?(?:[a-z][^<>]*|\d{1,2}(?::\d{1,2}){1,2}[.,]\d{1,3})>/gi, ""); // tags and timestamps
  // Hand-edited files put spaces inside tags (`< i>`, `< / i\n>`): accepted for the formatting tags only,
  // so that "x < y > z" in dialogue stays.
  s = s.replace(/<\s+\/?\s*(?:i|b|u|s|font|c|v|ruby|rt|lang|span|br)\b[^<>]*>|<\s*\/\s+[a-z]+\s*>/gi, "");
  s = s.replace(/\\[Nn]/g, " ").replace(/\\h/g, " ");
  s = decodeHTML(s);
  return s
    .replace(/[\u200b\u200e\u200f\ufeff]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** seconds rounded to the millisecond */
export function roundMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
