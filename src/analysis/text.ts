// Text helpers shared by the analyses: word and sentence segmentation through Intl.Segmenter (so Chinese,
// Japanese and Thai, written without spaces, are counted in words and not in characters or lines), content
// words for keywords and lexical overlap, and a small English stop list.

const segmenters = new Map<string, { word: Intl.Segmenter; sentence: Intl.Segmenter }>();

function segmentersFor(locale: string | undefined) {
  const key = locale ?? "und";
  let s = segmenters.get(key);
  if (!s) {
    let loc: string | undefined = locale;
    try {
      if (loc) Intl.getCanonicalLocales(loc);
    } catch {
      loc = undefined;
    }
    s = {
      word: new Intl.Segmenter(loc, { granularity: "word" }),
      sentence: new Intl.Segmenter(loc, { granularity: "sentence" }),
    };
    segmenters.set(key, s);
  }
  return s;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;

/** Words of `text` (Intl.Segmenter word-like segments), in order, as written. */
export function words(text: string, locale?: string): string[] {
  // without a locale, text in a CJK script is segmented with a CJK locale so that its dictionary is used
  const loc = locale ?? (CJK.test(text) ? "zh" : undefined);
  const out: string[] = [];
  for (const s of segmentersFor(loc).word.segment(text)) if (s.isWordLike) out.push(s.segment);
  return out;
}

/** Sentences of `text`, trimmed, empty ones dropped. */
export function sentences(text: string, locale?: string): string[] {
  const out: string[] = [];
  for (const s of segmentersFor(locale).sentence.segment(text)) {
    const t = s.segment.trim();
    if (t) out.push(t);
  }
  return out;
}

export const STOPWORDS = new Set(
  (
    "a about above after again against all am an and any are aren't as at be because been before being below between both but by " +
    "can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from further had hadn't has hasn't " +
    "have haven't having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is " +
    "isn't it it's its itself let's me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves " +
    "out over own same shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves " +
    "then there there's these they they'd they'll they're they've this those through to too under until up very was wasn't we we'd " +
    "we'll we're we've were weren't what what's when when's where where's which while who who's whom why why's with won't would " +
    "wouldn't you you'd you'll you're you've your yours yourself yourselves oh yeah yes okay ok hey just now well got get go going " +
    "gonna know like come right one see will thing things really want tell said say also back us im dont"
  ).split(/\s+/),
);

/** Lower-case content words: stop words, numbers and one-letter Latin words dropped. */
export function contentWords(text: string, locale?: string): string[] {
  return words(text.normalize("NFKC").toLowerCase().replace(/’/g, "'"), locale).filter(
    (w) => !STOPWORDS.has(w) && !/^\d+$/.test(w) && (w.length > 1 || CJK.test(w)),
  );
}

/** Share of the query's distinct content words that occur in `text` (0..1). */
export function lexicalOverlap(query: string, text: string): number {
  const q = new Set(contentWords(query));
  if (q.size === 0) return 0;
  const t = new Set(contentWords(text));
  let n = 0;
  for (const w of q)
    if (t.has(w) || [...t].some((x) => x.length > 3 && w.length > 3 && (x.startsWith(w) || w.startsWith(x)))) n++;
  return n / q.size;
}

/**
 * A line that asks the question again ("Where were you last night?" for "Where were you?"): in a film it is
 * usually a character asking it, and the line after it is the reply that answers.
 */
export function echoesQuestion(question: string, line: string): boolean {
  return /\?\s*$/.test(line) && lexicalOverlap(question, line) >= 0.3;
}

export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function stdDev(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
}

/** hh:mm:ss.mmm */
export function timecode(t: number): string {
  const ms = Math.round(t * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(h)}:${p(m)}:${p(s)}.${p(ms % 1000, 3)}`;
}
