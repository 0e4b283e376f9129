// Subtitle events that are pictures (PGS, VobSub, DVB) read into cues: each event's bitmap is OCR'd once
// and keeps the event's exact start and end. Reads below the confidence floor, empty or unreadable
// bitmaps are dropped and counted, never stored as cues of garbage.
import type { GreyImage, OcrEngine, OcrModelInfo } from "./ocr.port.js";

export interface OcrProvenance extends OcrModelInfo {
  /** the lowest line confidence of the cue, in [0, 1] */
  confidence: number;
}

export interface OcrCue {
  index: number;
  startTime: number;
  endTime: number;
  rawText: string;
  text: string;
  ocr: OcrProvenance;
}

export interface TimedBitmap extends GreyImage {
  startTime: number;
  endTime: number;
}

export interface OcrTrackResult {
  cues: OcrCue[];
  warnings: string[];
  /** reads dropped: below the confidence floor, empty, or failed */
  dropped: number;
}

/** default confidence floor: tuning lines read correctly scored >= 0.9, garbage (noise, cut glyphs) below 0.8 */
export const OCR_CONFIDENCE_FLOOR = 0.8;
/** events read at most per track */
export const MAX_OCR_EVENTS = 20_000;
/** largest bitmap accepted (pixels) */
const MAX_PIXELS = 4096 * 1024;

export interface ReadEventsOptions {
  language: string | undefined;
  confidenceFloor?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** OCR of the events of one image track, in time order; lines of an event joined by newlines. */
export async function readBitmapEvents(
  engine: OcrEngine,
  events: TimedBitmap[],
  opts: ReadEventsOptions,
): Promise<OcrTrackResult> {
  const model = engine.modelFor(opts.language);
  if (!model) return { cues: [], warnings: [`no OCR model reads language "${opts.language}"`], dropped: 0 };
  const floor = opts.confidenceFloor ?? OCR_CONFIDENCE_FLOOR;
  const cues: OcrCue[] = [];
  const problems: string[] = [];
  let dropped = 0;
  const kept = events.slice(0, MAX_OCR_EVENTS);
  for (const [i, event] of kept.entries()) {
    opts.signal?.throwIfAborted();
    const at = `event at ${event.startTime.toFixed(3)} s`;
    if (event.width * event.height > MAX_PIXELS || event.width < 4 || event.height < 4) {
      dropped++;
      problems.push(`${at}: bitmap of ${event.width}x${event.height} skipped`);
      continue;
    }
    try {
      const lines = (await engine.readLines(event, opts.language, { stopBelow: floor })).filter((l) => l.text !== "");
      const confidence = Math.min(...lines.map((l) => l.confidence));
      if (lines.length === 0 || confidence < floor) {
        dropped++;
        problems.push(
          `${at}: ${lines.length === 0 ? "no text found" : `read below the confidence floor (${confidence.toFixed(2)})`}`,
        );
        continue;
      }
      const rawText = lines.map((l) => l.text).join("\n");
      cues.push({
        index: cues.length,
        startTime: event.startTime,
        endTime: event.endTime,
        rawText,
        text: joinLines(lines.map((l) => l.text)),
        ocr: { ...model, confidence: Math.round(confidence * 1000) / 1000 },
      });
    } catch (error) {
      if (opts.signal?.aborted) throw error;
      dropped++;
      problems.push(`${at}: ${(error as Error).message}`);
    }
    opts.onProgress?.(i + 1, kept.length);
  }
  const warnings: string[] = [];
  if (events.length > kept.length)
    warnings.push(`${events.length - kept.length} events past ${MAX_OCR_EVENTS} not read`);
  if (dropped > 0) warnings.push(`${dropped} of ${kept.length} events dropped: ${problems.slice(0, 5).join("; ")}`);
  return { cues, warnings, dropped };
}

/** the clean text of a multi-line cue: Latin lines joined with a space, CJK lines run together */
export function joinLines(lines: string[]): string {
  return lines.reduce((text, line) => {
    if (text === "") return line;
    const cjk = /[\u3000-\u9fff\uff00-\uffef]$/.test(text) && /^[\u3000-\u9fff\uff00-\uffef]/.test(line);
    return cjk ? text + line : `${text} ${line}`;
  }, "");
}
