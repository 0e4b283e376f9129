// Subtitles: decoding, parsing (SubRip, WebVTT, ASS/SSA), sidecar discovery and loading.
export { decodeSubtitleBytes, encodingForLanguageHint, type DecodedSubtitle } from "./encoding.js";
export {
  parseSubtitles,
  parseTimestamp,
  sniffSubtitleFormat,
  SubtitleParseError,
  type ParsedSubtitles,
  type SubtitleFormat,
} from "./parse.js";
export {
  describeSidecarName,
  findSidecarSubtitles,
  languageTag,
  loadSubtitleFile,
  subtitleFormatForPath,
  SubtitleFileError,
  type LoadedSubtitleTrack,
  type SidecarSubtitle,
} from "./sidecar.js";
export { cleanCueText, voiceSpeaker } from "./text.js";
