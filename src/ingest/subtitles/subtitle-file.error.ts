import { AppError } from "../../errors/app-error.js";

/** A subtitle file that cannot be used: missing, empty, binary, not subtitles. One-line message. */
export class SubtitleFileError extends AppError {
  constructor(message: string) {
    super("SUBTITLE_UNREADABLE", message);
    this.name = "SubtitleFileError";
  }
}
