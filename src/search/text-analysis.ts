// Text handling for the embedded index: what is written to FTS5, how free-text queries become safe
// FTS5 expressions, and how highlight() output becomes fragments.
//
// CJK: FTS5's unicode61 tokenizer makes a whole run of Han/kana/Hangul one token, so "東京" could never
// match "東京タワー". We insert U+200B (ZERO WIDTH SPACE, a separator for unicode61 since it is not in
// L*/N*/Co/M*) between CJK characters, so each one is a token, and turn every CJK run in a query into
// overlapping two-character phrases ("東京タワー" → "東 京" OR "京 タ" OR ...), a one-character run into
// that character. A phrase of two adjacent characters is exactly what Elasticsearch's `cjk` analyzer
// (bigrams) matches, so both engines behave alike, with no dictionary (Intl.Segmenter's segmentation of
// the query and of the scene can disagree) and no Korean particle problem ("학교" finds "학교에서").
// Because FTS5 treats a phrase as the unit of BM25, ranking keeps bigram-level IDF. Stripping U+200B
// gives back the original text, so highlight() output is the scene's own text.
// Thai, Lao, Khmer and Myanmar (no spaces either) are split into words with Intl.Segmenter.
import { ENGLISH_STOPWORDS } from "./stopwords.js";

export const FTS_TOKENIZER = `porter unicode61 remove_diacritics 2 categories 'L* N* Co M*'`;

const ZWSP = "\u200B";
export const MARK_OPEN = "\uE000";
export const MARK_CLOSE = "\uE001";
const RESERVED = /[\u200B\uE000\uE001]/g;

const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3005\u30FC\uFF70]/u;
const CJK_CHAR_G = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3005\u30FC\uFF70]/gu;
const SEA_RUN = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]+/gu;
const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

let segmenter: Intl.Segmenter | undefined;
function words(run: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "word" });
  return [...segmenter.segment(run)].filter((s) => s.isWordLike).map((s) => s.segment);
}

/** NFC, without the characters we use as separators and markers. */
export function normalizeText(text: string): string {
  return text.normalize("NFC").replace(RESERVED, "");
}

/** The text as written to FTS5: normalised, CJK characters and South-East Asian words set apart by U+200B. */
export function segmentForIndex(text: string): string {
  return normalizeText(text)
    .replace(CJK_CHAR_G, (c) => `${ZWSP}${c}${ZWSP}`)
    .replace(SEA_RUN, (run) => words(run).join(ZWSP));
}

/** Undo segmentForIndex (FTS5 highlight() returns the stored, segmented text). */
export function unsegment(text: string): string {
  return text.replace(/\u200B/g, "");
}

/** The FTS5 terms of a free-text query: words, CJK characters/bigrams and SEA words, each as plain text. */
export function queryTerms(query: string): string[] {
  const terms: string[] = [];
  for (const m of normalizeText(query).matchAll(TOKEN)) {
    const token = m[0];
    let latin = "";
    const chars = Array.from(token);
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (!CJK_CHAR.test(c)) {
        latin += c;
        continue;
      }
      if (latin) terms.push(...splitSea(latin));
      latin = "";
      let j = i;
      while (j + 1 < chars.length && CJK_CHAR.test(chars[j + 1]!)) j++;
      if (j === i) terms.push(c);
      else for (let p = i; p < j; p++) terms.push(`${chars[p]} ${chars[p + 1]}`);
      i = j;
    }
    if (latin) terms.push(...splitSea(latin));
  }
  return [...new Set(terms)].slice(0, 64);
}

function splitSea(token: string): string[] {
  SEA_RUN.lastIndex = 0;
  if (!SEA_RUN.test(token)) return [token];
  SEA_RUN.lastIndex = 0;
  const w = words(token);
  return w.length > 1 ? [w.join(" ")] : w; // a phrase of the segmented words
}

/**
 * A free-text query as an FTS5 expression that cannot be a syntax error: every term is a double-quoted
 * string (FTS5 reads AND/OR/NOT/NEAR, *, -, :, ^, parentheses inside quotes as text), joined by OR so
 * that BM25 ranks scenes matching more and rarer terms first. null when the query has no terms.
 */
export function toFtsQuery(query: string): string | null {
  const terms = queryPhrases(query);
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(" OR ");
}

/** The phrases a free-text query searches for (the quoted strings of toFtsQuery), in order. */
export function queryPhrases(query: string): string[] {
  const all = queryTerms(query);
  // "harbour at night": "at" would match nearly every scene and be highlighted everywhere; a query made
  // only of such words ("to be or not to be") keeps them all.
  const content = all.filter((t) => !ENGLISH_STOPWORDS.has(t));
  return content.length > 0 ? content : all;
}

export interface FragmentOptions {
  preTag: string;
  postTag: string;
  encoder: "none" | "html";
  fragmentSize: number;
  maxFragments: number;
}

export interface Fragment {
  text: string;
  marks: number;
  position: number;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Fragments around the spans FTS5 highlight() marked with MARK_OPEN/MARK_CLOSE (segmented text accepted). */
export function fragmentsFromMarked(marked: string, o: FragmentOptions): Fragment[] {
  const source = unsegment(marked);
  let plain = "";
  const spans: Array<[number, number]> = [];
  let open = -1;
  for (const ch of source) {
    if (ch === MARK_OPEN) open = plain.length;
    else if (ch === MARK_CLOSE) {
      if (open >= 0) spans.push([open, plain.length]);
      open = -1;
    } else plain += ch;
  }
  if (spans.length === 0 || o.maxFragments <= 0) return [];
  const merged: Array<[number, number]> = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  const fragments: Fragment[] = [];
  let i = 0;
  while (i < merged.length) {
    const first = merged[i]!;
    let j = i;
    while (j + 1 < merged.length && merged[j + 1]![1] - first[0] <= o.fragmentSize) j++;
    const last = merged[j]!;
    const slack = Math.max(0, o.fragmentSize - (last[1] - first[0]));
    let start = Math.max(0, first[0] - Math.floor(slack / 2));
    let end = Math.min(plain.length, last[1] + Math.ceil(slack / 2));
    start = snapStart(plain, start, first[0]);
    end = snapEnd(plain, end, last[1]);
    let text = "";
    let pos = start;
    for (let k = i; k <= j; k++) {
      const [a, b] = merged[k]!;
      text += enc(plain.slice(pos, a), o) + o.preTag + enc(plain.slice(a, b), o) + o.postTag;
      pos = b;
    }
    text += enc(plain.slice(pos, end), o);
    fragments.push({ text: text.trim(), marks: j - i + 1, position: start });
    i = j + 1;
  }
  return fragments;
}

/** The best fragments of several fields: most marks first, then in text order. */
export function pickFragments(fragments: Fragment[], maxFragments: number): string[] {
  return [...fragments]
    .sort((a, b) => b.marks - a.marks || a.position - b.position)
    .slice(0, maxFragments)
    .map((f) => f.text);
}

function enc(s: string, o: FragmentOptions): string {
  return o.encoder === "html" ? escapeHtml(s) : s;
}

/** Move a fragment start forward to a word boundary (not past the first mark); no-op at 0. */
function snapStart(text: string, start: number, limit: number): number {
  if (start === 0) return 0;
  for (let p = start; p < limit && p < start + 20; p++) if (/\s/.test(text[p - 1]!)) return p;
  return start;
}

function snapEnd(text: string, end: number, limit: number): number {
  if (end >= text.length) return text.length;
  for (let p = end; p > limit && p > end - 20; p--) if (/\s/.test(text[p]!)) return p;
  return end;
}
