// Sidecar subtitle files: `clip.srt`, `clip.en.srt`, `clip.zh-Hans.vtt`, `clip.forced.en.ass` next to
// `clip.mkv`; reading one into a track (decode, sniff, parse).
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import type { TrackRecord } from "../ingest.types.js";
import { decodeSubtitleBytes } from "./encoding.js";
import { parseSubtitles, sniffSubtitleFormat, SubtitleParseError, type SubtitleFormat } from "./parse.js";
import { AppError } from "../../errors/app-error.js";

export interface SidecarSubtitle {
  path: string;
  format: SubtitleFormat;
  /** canonical BCP 47 tag from the name's middle part ("zh-Hans", "en", "pt-BR"), when there is one */
  language?: string;
  /** the name says forced (foreign parts only) */
  forced?: boolean;
}

/** A track read from a sidecar file: a TrackRecord but for the index the pipeline assigns. */
export type LoadedSubtitleTrack = Omit<TrackRecord, "index" | "streamIndex"> & { format: SubtitleFormat };

/** A sidecar file that cannot be used: missing, empty, binary, not subtitles. One-line message. */
export class SubtitleFileError extends AppError {
  constructor(message: string) {
    super("SUBTITLE_UNREADABLE", message);
    this.name = "SubtitleFileError";
  }
}

const EXTENSIONS: Record<string, SubtitleFormat> = {
  ".srt": "srt",
  ".vtt": "vtt",
  ".webvtt": "vtt",
  ".ass": "ass",
  ".ssa": "ass",
};
/** ffprobe's codec names, so sidecar and embedded tracks read alike */
const CODECS: Record<SubtitleFormat, string> = { srt: "subrip", vtt: "webvtt", ass: "ass" };
/** name parts that are flags, not languages (some are valid ISO 639-3 codes: sdh is Southern Kurdish) */
const FLAGS = new Set([
  "forced",
  "sdh",
  "cc",
  "default",
  "full",
  "signs",
  "songs",
  "foreign",
  "commentary",
  "hearing-impaired",
]);

export function subtitleFormatForPath(path: string): SubtitleFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

/** "zh-hans" → "zh-Hans", "eng" → "en"; undefined when the part is no language tag. */
export function languageTag(part: string): string | undefined {
  if (FLAGS.has(part.toLowerCase())) return undefined;
  if (!/^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$/i.test(part)) return undefined;
  try {
    return Intl.getCanonicalLocales(part.replace(/_/g, "-"))[0];
  } catch {
    return undefined;
  }
}

/** The language and flags in a subtitle file name's middle part (`clip.forced.en.ass` → en, forced). */
export function describeSidecarName(fileName: string, clipBase: string): { language?: string; forced?: boolean } {
  const ext = extname(fileName);
  const middle = fileName.slice(clipBase.length, fileName.length - ext.length).replace(/^\./, "");
  const parts = middle === "" ? [] : middle.split(".");
  const out: { language?: string; forced?: boolean } = {};
  for (const part of parts) {
    if (part.toLowerCase() === "forced") out.forced = true;
    const tag = out.language === undefined ? languageTag(part) : undefined;
    if (tag) out.language = tag;
  }
  return out;
}

/** Subtitle files next to `clipPath` that share its base name, sorted by path. */
export async function findSidecarSubtitles(clipPath: string): Promise<SidecarSubtitle[]> {
  const dir = dirname(clipPath);
  const clipName = basename(clipPath);
  const clipBase = clipName.slice(0, clipName.length - extname(clipName).length);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const found: SidecarSubtitle[] = [];
  for (const name of entries.sort()) {
    const format = subtitleFormatForPath(name);
    if (!format || name === clipName) continue;
    if (!(name.startsWith(`${clipBase}.`) && name.length > clipBase.length + 1)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    found.push({ path, format, ...describeSidecarName(name, clipBase) });
  }
  return found;
}

function looksBinary(text: string): boolean {
  const sample = text.slice(0, 8192);
  if (sample.length === 0) return false;
  let control = 0;
  for (const ch of sample) {
    const c = ch.charCodeAt(0);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0xfffd) control++;
  }
  return control / sample.length > 0.01;
}

/**
 * Reads a subtitle file: decodes it (`languageHint` — a BCP 47 tag — biases legacy-encoding detection;
 * by default the language in the file name is used), sniffs the real format (the extension may lie),
 * parses it. Throws SubtitleFileError with a one-line message for a missing, empty, binary or
 * cue-less file.
 */
export async function loadSubtitleFile(path: string, languageHint?: string): Promise<LoadedSubtitleTrack> {
  const name = basename(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new SubtitleFileError(`subtitle file not found: ${path}`);
    if (code === "EISDIR") throw new SubtitleFileError(`not a subtitle file (a directory): ${path}`);
    throw new SubtitleFileError(`cannot read subtitle file ${path}: ${(error as Error).message.split("\n")[0]}`);
  }
  if (bytes.length === 0 || bytes.toString("latin1").trim() === "")
    throw new SubtitleFileError(`subtitle file is empty: ${path}`);

  const nameParts = name.split(".").slice(1, -1);
  // the language part sits right before the extension (`my.clip.forced.en.srt`): search from the end
  const fromName = nameParts
    .map(languageTag)
    .reverse()
    .find((t) => t !== undefined);
  const language = languageHint ? (languageTag(languageHint) ?? languageHint) : fromName;
  const { text, encoding } = decodeSubtitleBytes(bytes, language);
  if (looksBinary(text)) throw new SubtitleFileError(`not a text subtitle file (binary data): ${path}`);

  const declared = subtitleFormatForPath(name);
  const sniffed = sniffSubtitleFormat(text);
  const format = declared ?? sniffed;
  if (!format) throw new SubtitleFileError(`not a subtitle file (no SubRip, WebVTT or ASS content): ${path}`);
  let parsed;
  try {
    parsed = parseSubtitles(text, format);
  } catch (error) {
    if (error instanceof SubtitleParseError) throw new SubtitleFileError(`${path}: ${error.message}`);
    throw error;
  }
  const actual = sniffed ?? format;
  const forced = nameParts.some((p) => p.toLowerCase() === "forced");
  return {
    source: "SIDECAR",
    path,
    codec: CODECS[actual],
    format: actual,
    ...(language ? { language } : {}),
    ...(forced ? { title: "forced" } : {}),
    encoding,
    imageBased: false,
    skipped: false,
    warnings: parsed.warnings,
    cues: parsed.cues,
  };
}
