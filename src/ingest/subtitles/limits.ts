// Limits on every subtitle input, so that no file or embedded track can take unbounded memory or time.
// The values come from src/config.ts (CINERAG_SUBTITLE_MAX_*); refusals name the setting to change.
import { AppError } from "../../errors/app-error.js";

export interface SubtitleLimits {
  /** bytes of one subtitle file or extracted track (CINERAG_SUBTITLE_MAX_BYTES) */
  maxFileBytes: number;
  /** cues in one track (CINERAG_SUBTITLE_MAX_CUES) */
  maxCues: number;
  /** characters of one cue's raw text (CINERAG_SUBTITLE_MAX_CUE_CHARS) */
  maxCueChars: number;
}

export const DEFAULT_SUBTITLE_LIMITS: SubtitleLimits = {
  maxFileBytes: 32 * 1024 * 1024,
  maxCues: 200_000,
  maxCueChars: 10_000,
};

/** A subtitle input over one of the limits. */
export class SubtitleLimitError extends AppError {
  constructor(message: string) {
    super("SUBTITLE_UNREADABLE", message, { limit: true });
    this.name = "SubtitleLimitError";
  }
}

export function tooManyBytes(what: string, size: number, limits: SubtitleLimits): SubtitleLimitError {
  return new SubtitleLimitError(
    `${what} is ${formatBytes(size)}, over the ${formatBytes(limits.maxFileBytes)} limit (CINERAG_SUBTITLE_MAX_BYTES)`,
  );
}

export function tooManyCues(limits: SubtitleLimits): SubtitleLimitError {
  return new SubtitleLimitError(
    `more than ${limits.maxCues} cues, over the limit (CINERAG_SUBTITLE_MAX_CUES): track refused`,
  );
}

export function cueTooLong(line: number | undefined, length: number, limits: SubtitleLimits): string {
  const where = line === undefined ? "" : `line ${line}: `;
  return `${where}cue of ${length} characters, over the ${limits.maxCueChars} limit (CINERAG_SUBTITLE_MAX_CUE_CHARS): skipped`;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
