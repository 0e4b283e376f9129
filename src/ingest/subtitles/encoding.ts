// Subtitle text decoding: byte-order marks first, then strict UTF-8, then a statistical detector
// (chardet) and iconv-lite for the legacy code pages subtitles still come in (GB18030/GBK, Big5,
// Shift_JIS, EUC-KR, Windows-125x...).
//
// Detectors are unreliable on short CJK files (a one-line Big5 file looks like ISO-8859-1 to chardet), so
// every code page that decodes the bytes cleanly is scored on the text it gives (core repertoire, the
// language's frequent characters, no C1 controls, no runs of Latin symbols) and the most plausible wins;
// a language hint from the file name (`clip.zh-Hant.srt`) adds a little, chardet's confidence counts when
// high. When two readings score close, the result says so (a warning on the track).
import chardet from "chardet";
import iconv from "iconv-lite";
import { big5, euc_jp, euc_kr, gb_18030, sjis } from "chardet/lib/encoding/mbcs.js";

export interface DecodedSubtitle {
  text: string;
  /** canonical name of the encoding used, e.g. "UTF-8", "UTF-16LE", "GB18030", "Big5", "Shift_JIS", "windows-1252" */
  encoding: string;
  /** set when the bytes could be read in another code page nearly as well (short legacy-encoded files) */
  warning?: string;
}

const MULTI_BYTE = new Set(["GB18030", "Big5", "Shift_JIS", "EUC-JP", "EUC-KR"]);

/** chardet name → the name we report and decode with (ISO-8859-1 is decoded as its superset windows-1252). */
function canonical(name: string): string {
  const n = name.toLowerCase();
  if (n === "iso-8859-1") return "windows-1252";
  if (n === "gb18030" || n === "gbk" || n === "gb2312") return "GB18030";
  if (n === "big5") return "Big5";
  if (n === "shift_jis" || n === "shift-jis" || n === "sjis") return "Shift_JIS";
  if (n === "euc-jp") return "EUC-JP";
  if (n === "euc-kr") return "EUC-KR";
  return name;
}

/**
 * The legacy code page a language's subtitles most likely use when they are not Unicode.
 * `hint` is a BCP 47 tag ("zh-Hans", "zh-TW", "ja", "fr") or a name ending in one ("clip.zh-Hant.srt").
 */
export function encodingForLanguageHint(hint: string | undefined): string | undefined {
  if (!hint) return undefined;
  const tag = hint.toLowerCase().replace(/_/g, "-");
  if (/^(zh|chi|zho)-(hant|tw|hk|mo)\b/.test(tag) || /^(zh-)?yue\b/.test(tag)) return "Big5";
  if (/^(zh|chi|zho)\b/.test(tag) || /^cmn\b/.test(tag)) return "GB18030";
  if (/^(ja|jpn)\b/.test(tag)) return "Shift_JIS";
  if (/^(ko|kor)\b/.test(tag)) return "EUC-KR";
  if (/^(ru|rus|uk|ukr|bg|bul|be|bel|sr-cyrl|mk|mkd)\b/.test(tag)) return "windows-1251";
  if (/^(pl|pol|cs|cze|ces|sk|slk|slo|hu|hun|ro|ron|rum|hr|hrv|sl|slv|bs)\b/.test(tag)) return "windows-1250";
  if (/^(el|gre|ell)\b/.test(tag)) return "windows-1253";
  if (/^(tr|tur|az)\b/.test(tag)) return "windows-1254";
  if (/^(he|heb|iw)\b/.test(tag)) return "windows-1255";
  if (/^(ar|ara|fa|per|fas|ur)\b/.test(tag)) return "windows-1256";
  if (/^(et|est|lv|lav|lt|lit)\b/.test(tag)) return "windows-1257";
  if (/^(vi|vie)\b/.test(tag)) return "windows-1258";
  if (/^(th|tha)\b/.test(tag)) return "windows-874";
  if (
    /^(en|eng|fr|fre|fra|de|ger|deu|es|spa|it|ita|pt|por|nl|dut|nld|sv|swe|da|dan|no|nor|nb|nob|nn|fi|fin|is|ice|isl|ca|cat|eu|baq|gl|glg|ga|af|id|ms)\b/.test(
      tag,
    )
  ) {
    return "windows-1252";
  }
  return undefined;
}

function bomEncoding(bytes: Uint8Array): { encoding: string; length: number } | undefined {
  const [a, b, c, d] = [bytes[0], bytes[1], bytes[2], bytes[3]];
  // UTF-32 before UTF-16: the UTF-32LE BOM starts with the UTF-16LE one.
  if (a === 0xff && b === 0xfe && c === 0x00 && d === 0x00) return { encoding: "UTF-32LE", length: 4 };
  if (a === 0x00 && b === 0x00 && c === 0xfe && d === 0xff) return { encoding: "UTF-32BE", length: 4 };
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: "UTF-8", length: 3 };
  if (a === 0xff && b === 0xfe) return { encoding: "UTF-16LE", length: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: "UTF-16BE", length: 2 };
  return undefined;
}

/** Decodes strictly; undefined when the bytes are not valid in `encoding`. */
function decodeStrict(bytes: Uint8Array, encoding: string): string | undefined {
  if (encoding === "UTF-8") {
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      return undefined;
    }
  }
  if (!iconv.encodingExists(encoding)) return undefined;
  const text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding, {
    stripBOM: false,
  });
  // iconv-lite substitutes U+FFFD (or "?" for some DBCS tables) for invalid sequences. A real U+FFFD in
  // a legacy code page is impossible, so any is a decode error.
  if (text.includes("\uFFFD")) return undefined;
  if (MULTI_BYTE.has(encoding) && roundTripFails(bytes, text, encoding)) return undefined;
  return text;
}

function roundTripFails(bytes: Uint8Array, text: string, encoding: string): boolean {
  // iconv-lite's double-byte codecs map some unassigned pairs to "?" instead of U+FFFD: re-encode and compare.
  const again = iconv.encode(text, encoding);
  if (again.length !== bytes.length) return true;
  for (let i = 0; i < again.length; i++) if (again[i] !== bytes[i]) return true;
  return false;
}

/**
 * Plausibility of reading `bytes` as double-byte `encoding`: each double-byte character in the code
 * page's core repertoire (the frequent level-1 ideographs, kana, the KS X 1001 hangul, CJK punctuation)
 * counts +1; anything else a wrong table typically lands on (GBK/UHC extensions, level-2 and
 * user-defined ranges, half-width katakana, GB18030 four-byte sequences) counts -1. Only used when
 * chardet has too little text to be sure, i.e. on short files.
 */
function cjkPlausibility(bytes: Uint8Array, encoding: string): number {
  let score = 0;
  for (let i = 0; i < bytes.length;) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    if (a < 0x80) {
      i++;
      continue;
    }
    if (encoding === "Shift_JIS" && a >= 0xa1 && a <= 0xdf) {
      score -= 1; // half-width katakana: rare in subtitles
      i++;
      continue;
    }
    if (encoding === "GB18030" && b >= 0x30 && b <= 0x39) {
      score -= 2; // four-byte sequence: characters outside GBK
      i += 4;
      continue;
    }
    let core: boolean;
    switch (encoding) {
      case "GB18030": // GB2312 punctuation rows, level-1 hanzi
        core = b >= 0xa1 && ((a >= 0xa1 && a <= 0xa3) || (a >= 0xb0 && a <= 0xd7));
        break;
      case "Big5": // punctuation, level-1 hanzi
        core = (a >= 0xa1 && a <= 0xa3) || (a >= 0xa4 && a <= 0xc6 && !(a === 0xc6 && b > 0x7e));
        break;
      case "Shift_JIS": // punctuation, kana, level-1 kanji
        core = a === 0x81 || a === 0x82 || (a === 0x83 && b <= 0x96) || (a >= 0x88 && a <= 0x98);
        break;
      case "EUC-JP":
        core = b >= 0xa1 && (a === 0xa1 || a === 0xa4 || a === 0xa5 || (a >= 0xb0 && a <= 0xcf));
        break;
      case "EUC-KR": // punctuation, KS X 1001 hangul
        core = b >= 0xa1 && ((a >= 0xa1 && a <= 0xa3) || (a >= 0xb0 && a <= 0xc8));
        break;
      default:
        core = false;
    }
    score += core ? 1 : -1;
    i += 2;
  }
  return score;
}

/**
 * Decodes subtitle file bytes to text.
 * @param hint a BCP 47 language tag (or a file name ending in `.<tag>.<ext>`) used to bias detection
 */
export function decodeSubtitleBytes(bytes: Uint8Array, hint?: string): DecodedSubtitle {
  const bom = bomEncoding(bytes);
  if (bom) {
    const body = bytes.subarray(bom.length);
    const text =
      bom.encoding === "UTF-8" ? new TextDecoder("utf-8").decode(body) : iconv.decode(Buffer.from(body), bom.encoding);
    return { text, encoding: bom.encoding };
  }

  // UTF-16 without a BOM (NUL bytes in alternate positions) before UTF-8: ASCII in UTF-16 is valid UTF-8.
  const utf16 = sniffUtf16(bytes);
  if (utf16) return { text: iconv.decode(Buffer.from(bytes), utf16), encoding: utf16 };

  const utf8 = decodeStrict(bytes, "UTF-8");
  if (utf8 !== undefined) return { text: utf8, encoding: "UTF-8" };
  return bestLegacyDecoding(bytes, hint);
}

/**
 * Every legacy code page that could hold the bytes (chardet's candidates, the hinted one, every CJK
 * double-byte one, windows-1252) is decoded and scored; the most plausible wins. chardet's confidence
 * counts only when it is high (long files); on short ones the text's own plausibility decides.
 */
function bestLegacyDecoding(bytes: Uint8Array, hint?: string): DecodedSubtitle {
  const detected = chardet
    .analyse(bytes)
    .map((m) => ({ encoding: canonical(m.name), confidence: m.confidence }))
    .filter((m) => iconv.encodingExists(m.encoding) && !/^UTF-/i.test(m.encoding));
  const hinted = hintedEncodings(hint ? languageFromHint(hint) : undefined);
  const names = [...new Set([...hinted, ...detected.map((d) => d.encoding), ...MULTI_BYTE, "windows-1252"])];
  const scored: Array<DecodedSubtitle & { score: number }> = [];
  for (const encoding of names) {
    const text = decodeStrict(bytes, encoding);
    if (text === undefined) continue;
    const confidence = detected.find((d) => d.encoding === encoding)?.confidence ?? 0;
    let score = MULTI_BYTE.has(encoding) ? multiByteScore(bytes, text, encoding) : singleByteScore(text);
    if (confidence >= 50) score += confidence / 100;
    if (hinted.includes(encoding)) score += 0.3;
    scored.push({ text, encoding, score });
  }
  scored.sort((a, b) => b.score - a.score);
  const best = scored[0];
  // A reading that gives the same text is no rival (ç is ç in windows-1250 and 1252 alike), nor is a
  // single-byte one when the best is single-byte too: they differ on a few letters, CJK ones on everything.
  const second = scored.find(
    (c) => c.text !== best?.text && (MULTI_BYTE.has(c.encoding) || MULTI_BYTE.has(best?.encoding ?? "")),
  );
  // windows-1252 maps every byte but five; fall back to a lossless single-byte decode.
  if (!best) return { text: iconv.decode(Buffer.from(bytes), "windows-1252"), encoding: "windows-1252" };
  const unsure = best.score < 0.5 || (second !== undefined && best.score - second.score < 0.15);
  return {
    text: best.text,
    encoding: best.encoding,
    ...(unsure
      ? {
          warning: `encoding uncertain: read as ${best.encoding}${second ? ` (${second.encoding} was almost as likely)` : ""}; name the file with its language (clip.<lang>.srt) to settle it`,
        }
      : {}),
  };
}

/** the hinted code page, and for Chinese both of its code pages (a `zh` name does not say which script) */
function hintedEncodings(language: string | undefined): string[] {
  const one = encodingForLanguageHint(language);
  if (!one) return [];
  const tag = (language ?? "").toLowerCase();
  if (/^(zh|chi|zho|cmn)$/.test(tag)) return ["GB18030", "Big5"];
  return [one];
}

/** chardet's lists of each CJK code page's most frequent characters (as lead<<8|trail byte values) */
const COMMON: Record<string, Set<number>> = {
  GB18030: new Set(new gb_18030().commonChars),
  Big5: new Set(new big5().commonChars),
  Shift_JIS: new Set(new sjis().commonChars),
  "EUC-JP": new Set(new euc_jp().commonChars),
  "EUC-KR": new Set(new euc_kr().commonChars),
};

/**
 * A double-byte reading: the share of characters in the code page's core repertoire (cjkPlausibility),
 * plus the share among the language's most frequent characters, less readings that a language would not
 * produce (Japanese with kanji but no kana at all).
 */
function multiByteScore(bytes: Uint8Array, text: string, encoding: string): number {
  let pairs = 0;
  let common = 0;
  const table = COMMON[encoding];
  for (let i = 0; i < bytes.length;) {
    const a = bytes[i] ?? 0;
    if (a < 0x80 || (encoding === "Shift_JIS" && a >= 0xa1 && a <= 0xdf)) {
      i++;
      continue;
    }
    pairs++;
    if (table?.has((a << 8) | (bytes[i + 1] ?? 0))) common++;
    i += 2;
  }
  if (pairs === 0) return 0;
  let score = cjkPlausibility(bytes, encoding) / pairs + (1.5 * common) / pairs;
  if ((encoding === "Shift_JIS" || encoding === "EUC-JP") && /\p{Script=Han}.*\p{Script=Han}/su.test(text))
    if (!/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) score -= 0.7;
  return score - controlShare(text);
}

/**
 * A single-byte reading: the share of non-ASCII characters that are letters, less runs of three or more
 * non-ASCII characters (Latin text has isolated accented letters; CJK bytes read as Latin come in runs).
 */
function singleByteScore(text: string): number {
  let nonAscii = 0;
  let letters = 0;
  let inRuns = 0;
  let run = 0;
  const close = () => {
    if (run >= 3) inRuns += run;
    run = 0;
  };
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) {
      close();
      continue;
    }
    nonAscii++;
    run++;
    if (/\p{L}/u.test(ch)) letters++;
  }
  close();
  if (nonAscii === 0) return 1;
  return letters / nonAscii - (1.5 * inRuns) / nonAscii - controlShare(text);
}

/** C1 controls, replacement and private-use characters: no real subtitle holds them */
function controlShare(text: string): number {
  let bad = 0;
  let nonAscii = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80) continue;
    nonAscii++;
    if ((c >= 0x80 && c <= 0x9f) || c === 0xfffd || (c >= 0xe000 && c <= 0xf8ff)) bad++;
  }
  return nonAscii === 0 ? 0 : (2 * bad) / nonAscii;
}

function sniffUtf16(bytes: Uint8Array): "UTF-16LE" | "UTF-16BE" | undefined {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero / pairs > 0.4 && evenZero / pairs < 0.05) return "UTF-16LE";
  if (evenZero / pairs > 0.4 && oddZero / pairs < 0.05) return "UTF-16BE";
  return undefined;
}

/** "zh-Hans" → "zh-Hans"; "clip.zh-Hans.srt" or "/a/clip.forced.ja.ass" → the language part. */
function languageFromHint(hint: string): string {
  if (!hint.includes(".") && !hint.includes("/")) return hint;
  const base = hint.split(/[\\/]/).pop() ?? hint;
  const parts = base.split(".").slice(1, -1).reverse();
  return parts.find((p) => encodingForLanguageHint(p) !== undefined) ?? hint;
}
