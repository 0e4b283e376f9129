// MicroDVD (`.sub` holding `{start}{end}text`): times are frame numbers. The frame rate is the file's own
// when its first cue is `{1}{1}23.976` (or `{0}{0}25`), else the clip's, else 23.976 with a warning.
// `|` is a line break; `{y:i}`, `{C:$0000ff}`, `{f:Arial}`-style control codes are removed. A VobSub
// `.sub` (binary MPEG-PS, beside its `.idx`) is told apart by content before it gets here.
import { CueSink, textLines } from "./cue-sink.js";
import { cleanCueText } from "./text.js";

const CUE = /^\s*\{(\d+)\}\{(\d*)\}(.*)$/;
const DEFAULT_FPS = 23.976;

export function looksLikeMicroDvd(head: string): boolean {
  let cues = 0;
  for (const line of head.split(/\r\n|\r|\n/, 50)) {
    if (line.trim() === "") continue;
    if (!CUE.test(line)) return false;
    if (++cues >= 1) return true;
  }
  return false;
}

export function parseMicroDvd(text: string, sink: CueSink, clipFrameRate?: number): void {
  let fps: number | undefined;
  let first = true;
  for (const [line, lineNo] of textLines(text)) {
    if (line.trim() === "") continue;
    const m = CUE.exec(line);
    if (!m) {
      sink.warn(lineNo, `not a MicroDVD cue "${line.trim().slice(0, 60)}": skipped`);
      continue;
    }
    const [startFrame, endFrame, body] = [Number(m[1]), m[2] === "" ? undefined : Number(m[2]), m[3] ?? ""];
    if (first) {
      first = false;
      const declared = frameRateLine(startFrame, endFrame, body);
      if (declared !== undefined) {
        fps = declared;
        continue;
      }
    }
    fps ??= fallbackRate(sink, clipFrameRate);
    if (endFrame === undefined) {
      sink.warn(lineNo, "cue has no end frame: skipped");
      continue;
    }
    const rawText = body.replace(/\|/g, "\n");
    const text = cleanCueText(rawText.replace(/\{[a-zA-Z]:[^}]*\}/g, "").replace(/^\s*\//gm, ""));
    sink.add({ line: lineNo, start: startFrame / fps, end: endFrame / fps, rawText, text });
  }
}

/** `{1}{1}23.976`: a first cue whose text is only a plausible frame rate declares it */
function frameRateLine(start: number, end: number | undefined, body: string): number | undefined {
  if (start > 1 || end === undefined || end > 1 || !/^\s*\d+(?:\.\d+)?\s*$/.test(body)) return undefined;
  const fps = Number(body);
  return fps >= 1 && fps <= 240 ? fps : undefined;
}

function fallbackRate(sink: CueSink, clipFrameRate: number | undefined): number {
  if (clipFrameRate !== undefined && Number.isFinite(clipFrameRate) && clipFrameRate > 0) return clipFrameRate;
  sink.warn(undefined, `MicroDVD file gives no frame rate and the clip's is unknown: assumed ${DEFAULT_FPS}`);
  return DEFAULT_FPS;
}
