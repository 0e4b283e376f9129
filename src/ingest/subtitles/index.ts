// Subtitles: decoding, parsing (SubRip, WebVTT, ASS/SSA, TTML/DFXP/IMSC, SAMI, MicroDVD), sidecar
// discovery and loading within the media roots and the limits.
export { decodeSubtitleBytes, encodingForLanguageHint, type DecodedSubtitle } from "./encoding.js";
export {
  FORMAT_NAMES,
  parseSubtitles,
  parseSubtitleTracks,
  parseTimestamp,
  sniffSubtitleFormat,
  SubtitleParseError,
  type ParseOptions,
  type ParsedSubtitles,
  type ParsedTrack,
  type SubtitleFormat,
} from "./parse.js";
export {
  describeSidecarName,
  findSidecarSubtitles,
  languageTag,
  loadSubtitleFile,
  loadSubtitleTracks,
  subtitleFormatForPath,
  SubtitleFileError,
  type LoadSubtitleOptions,
  type LoadedSubtitleTrack,
  type SidecarSubtitle,
} from "./sidecar.js";
export { DEFAULT_SUBTITLE_LIMITS, SubtitleLimitError, tooManyBytes, type SubtitleLimits } from "./limits.js";
export { readSubtitleBytes, realSubtitlePath, type SubtitleReadScope } from "./subtitle-file.reader.js";
export { parseTtmlTime } from "./ttml.parser.js";
export { cleanCueText, voiceSpeaker } from "./text.js";
