// Sidecar subtitle files: `clip.srt`, `clip.en.srt`, `clip.zh-Hans.vtt`, `clip.forced.en.ass`, `clip.ko.smi`,
// `clip.en.ttml`, `clip.sub` next to `clip.mkv`; reading one into tracks (read within the scope and the
// limits, decode, sniff, parse).
import { lstat, readdir } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import type { TrackRecord } from "../ingest.types.js";
import { decodeSubtitleBytes } from "./encoding.js";
import {
  FORMAT_NAMES,
  parseSubtitleTracks,
  sniffSubtitleFormat,
  SubtitleParseError,
  type ParsedTrack,
  type SubtitleFormat,
} from "./parse.js";
import { DEFAULT_SUBTITLE_LIMITS, type SubtitleLimits } from "./limits.js";
import { readSubtitleBytes, type SubtitleReadScope } from "./subtitle-file.reader.js";
import { SubtitleFileError } from "./subtitle-file.error.js";

export { SubtitleFileError } from "./subtitle-file.error.js";

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

const EXTENSIONS: Record<string, SubtitleFormat> = {
  ".srt": "srt",
  ".vtt": "vtt",
  ".webvtt": "vtt",
  ".ass": "ass",
  ".ssa": "ass",
  ".ttml": "ttml",
  ".dfxp": "ttml",
  ".xml": "ttml",
  ".smi": "sami",
  ".sami": "sami",
  ".sub": "microdvd",
};
/** ffprobe's codec names, so sidecar and embedded tracks read alike */
const CODECS: Record<SubtitleFormat, string> = {
  srt: "subrip",
  vtt: "webvtt",
  ass: "ass",
  ttml: "ttml",
  sami: "sami",
  microdvd: "microdvd",
};
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
    // Not followed here: a link is read (and refused when it leads outside the scope) by the loader,
    // which says why; FIFOs, sockets, devices and folders are no subtitle files.
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile() && !info?.isSymbolicLink()) continue;
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

export interface LoadSubtitleOptions {
  /** a BCP 47 tag that biases legacy-encoding detection; default: the language in the file name */
  languageHint?: string;
  limits?: SubtitleLimits;
  /** where the file may be read from (the media roots for API requests); unset: anywhere */
  scope?: SubtitleReadScope;
  signal?: AbortSignal;
  /** the clip's frame rate, for frame-based formats (MicroDVD) that do not give their own */
  frameRate?: number;
}

/** The declared encoding of an XML document (`<?xml ... encoding="ISO-8859-1"?>`), when iconv knows it. */
function xmlDeclaredEncoding(bytes: Buffer): string | undefined {
  const m = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/.exec(bytes.subarray(0, 200).toString("latin1"));
  return m?.[1];
}

/** A language the file's own markup names (SAMI `lang: ko-KR`, TTML `xml:lang="ko"`), as a decoding hint. */
function markupLanguage(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 16_384).toString("latin1");
  return /\blang\s*[:=]\s*["']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)/.exec(head)?.[1];
}

function decode(bytes: Buffer, language: string | undefined): { text: string; encoding: string; warning?: string } {
  const declared = xmlDeclaredEncoding(bytes);
  if (declared && !/^utf-?8$/i.test(declared)) {
    const decoded = decodeSubtitleBytes(bytes, language ?? markupLanguage(bytes));
    // a declaration that the bytes contradict (the detector found UTF-8 or a BOM) loses
    if (decoded.encoding !== "UTF-8" && !decoded.encoding.startsWith("UTF-")) {
      try {
        return { text: new TextDecoder(declared).decode(bytes), encoding: declared };
      } catch {
        return decoded;
      }
    }
    return decoded;
  }
  return decodeSubtitleBytes(bytes, language ?? markupLanguage(bytes));
}

/**
 * Reads a subtitle file into its tracks (one for most formats; SAMI classes and TTML languages can make
 * several): reads within the scope and limits, decodes, sniffs the real format (the extension may lie),
 * parses. Throws SubtitleFileError (one line) for a missing, empty, binary or non-subtitle file and
 * SubtitleLimitError over a limit; a file in a subtitle format with no readable cue gives one skipped
 * track with the reason.
 */
export async function loadSubtitleTracks(
  path: string,
  options: LoadSubtitleOptions = {},
): Promise<LoadedSubtitleTrack[]> {
  const limits = options.limits ?? DEFAULT_SUBTITLE_LIMITS;
  const bytes = await readSubtitleBytes(path, { limits, scope: options.scope, signal: options.signal });
  const name = basename(path);
  if (bytes.toString("latin1").trim() === "") throw new SubtitleFileError(`subtitle file is empty: ${path}`);
  const nameParts = name.split(".").slice(1, -1);
  // the language part sits right before the extension (`my.clip.forced.en.srt`): search from the end
  const fromName = nameParts
    .map(languageTag)
    .reverse()
    .find((t) => t !== undefined);
  const hint = options.languageHint;
  const language = hint ? (languageTag(hint) ?? hint) : fromName;
  const { text, encoding, warning } = decode(bytes, language);
  if (looksBinary(text)) throw new SubtitleFileError(`not a text subtitle file (binary data): ${path}`);

  const declared = subtitleFormatForPath(name);
  const sniffed = sniffSubtitleFormat(text);
  const format = declared ?? sniffed;
  const names = Object.values(FORMAT_NAMES).join(", ");
  if (!format) throw new SubtitleFileError(`not a subtitle file (no ${names} content): ${path}`);
  options.signal?.throwIfAborted();
  const actual = sniffed ?? format;
  const base = {
    source: "SIDECAR" as const,
    path,
    codec: CODECS[actual],
    format: actual,
    encoding,
    imageBased: false,
    ...(nameParts.some((p) => p.toLowerCase() === "forced") ? { title: "forced" } : {}),
  };
  let tracks: ParsedTrack[];
  try {
    tracks = parseSubtitleTracks(text, format, { limits, frameRate: options.frameRate });
  } catch (error) {
    if (!(error instanceof SubtitleParseError)) throw error;
    if (!error.recognised) throw new SubtitleFileError(`${path}: not a subtitle file: ${error.message}`);
    // a subtitle file with nothing readable in it: a track to skip (with why), not a file to refuse
    return [{ ...base, ...(language ? { language } : {}), skipped: true, warnings: [error.message], cues: [] }];
  }
  return tracks.map((t) => {
    const lang = t.language ?? language;
    return {
      ...base,
      ...(lang ? { language: lang } : {}),
      ...(t.title ? { title: t.title } : {}),
      skipped: false,
      warnings: warning ? [warning, ...t.warnings] : t.warnings,
      cues: t.cues,
    };
  });
}

/** loadSubtitleTracks' first track (most files have one). */
export async function loadSubtitleFile(
  path: string,
  languageHint?: string,
  options: Omit<LoadSubtitleOptions, "languageHint"> = {},
): Promise<LoadedSubtitleTrack> {
  const [first] = await loadSubtitleTracks(path, { ...options, ...(languageHint ? { languageHint } : {}) });
  if (!first) throw new SubtitleFileError(`no track in subtitle file ${path}`);
  return first;
}
