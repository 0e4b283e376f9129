// SAMI (`.smi`, `.sami`): Korean and older DVD/Windows Media subtitles. The markup is HTML-like tag soup
// (unclosed <P>, unquoted attributes), not XML, so it is scanned rather than parsed as a tree. Each
// `<SYNC Start=ms>` opens what follows it; `<P Class=KRCC>` says which language track a paragraph is in
// (the STYLE block names each class's language: `.KRCC { Name: Korean; lang: ko-KR; }`). A paragraph
// lasts until the next SYNC of its class; one holding only `&nbsp;` clears the screen (ends the cue).
import { CueSink } from "./cue-sink.js";
import type { SubtitleLimits } from "./limits.js";
import type { RawCue } from "./cue-sink.js";
import { cleanCueText } from "./text.js";

/** seconds a last cue with nothing after it is shown */
const LAST_CUE_SECONDS = 4;
/** language of common class names when the STYLE block does not say */
const CLASS_LANGUAGES: Record<string, string> = {
  KR: "ko",
  KO: "ko",
  EN: "en",
  EG: "en",
  JP: "ja",
  JA: "ja",
  CN: "zh",
  ZH: "zh",
  FR: "fr",
  DE: "de",
  GE: "de",
  ES: "es",
  SP: "es",
  IT: "it",
  RU: "ru",
};

export function looksLikeSami(head: string): boolean {
  return /<SAMI[\s>]/i.test(head) || (/<SYNC\s[^>]*Start\s*=/i.test(head) && /<P[\s>]/i.test(head));
}

interface ClassInfo {
  language?: string;
  name?: string;
}

interface OpenCue {
  start: number;
  rawText: string;
  line: number;
}

interface SamiTrack {
  sink: CueSink;
  open?: OpenCue;
}

export function parseSami(
  text: string,
  limits: SubtitleLimits,
): Array<{
  cues: RawCue[];
  warnings: string[];
  language?: string;
  title?: string;
}> {
  const classes = styleClasses(text);
  const tracks = new Map<string, SamiTrack>();
  const track = (cls: string) => {
    let t = tracks.get(cls);
    if (!t) tracks.set(cls, (t = { sink: new CueSink([], limits) }));
    return t;
  };
  const lineOf = lineCounter(text);
  const syncs = [...syncPositions(text)];
  if (syncs.length === 0) return [{ cues: [], warnings: ["no <SYNC Start=...> in the SAMI text"] }];
  for (let i = 0; i < syncs.length; i++) {
    const sync = syncs[i]!;
    const endOfBlock = syncs[i + 1]?.index ?? bodyEnd(text, sync.index);
    const block = text.slice(sync.contentStart, endOfBlock).replace(/<!--[\s\S]*?-->/g, "");
    for (const para of paragraphs(block)) {
      const t = track(para.cls);
      close(t, sync.start);
      if (cleanCueText(para.raw.replace(/<br\s*\/?>/gi, "\n")) === "") continue; // &nbsp;: clears the screen
      t.open = { start: sync.start, rawText: para.raw.replace(/<br\s*\/?>/gi, "\n").trim(), line: lineOf(sync.index) };
    }
  }
  for (const t of tracks.values()) {
    if (!t.open) continue;
    t.sink.warn(t.open.line, `last cue has no end: shown for ${LAST_CUE_SECONDS} s`);
    close(t, t.open.start + LAST_CUE_SECONDS);
  }
  const many = tracks.size > 1;
  return [...tracks.entries()].map(([cls, t]) => {
    const info = classes.get(cls.toUpperCase()) ?? {};
    const language = info.language ?? CLASS_LANGUAGES[cls.toUpperCase().slice(0, 2)];
    const title = many ? (info.name ?? (cls || undefined)) : undefined;
    return {
      cues: t.sink.cues,
      warnings: t.sink.warnings,
      ...(language ? { language } : {}),
      ...(title ? { title } : {}),
    };
  });
}

function close(t: SamiTrack, end: number): void {
  const open = t.open;
  if (!open) return;
  t.open = undefined;
  t.sink.add({ line: open.line, start: open.start, end, rawText: open.rawText });
}

function* syncPositions(text: string): Generator<{ index: number; contentStart: number; start: number }> {
  const re = /<SYNC\b([^>]*)>/gi;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = /Start\s*=\s*["']?(-?\d+)/i.exec(m[1] ?? "")?.[1];
    if (start === undefined) continue;
    yield { index: m.index, contentStart: m.index + m[0].length, start: Number(start) / 1000 };
  }
}

function bodyEnd(text: string, from: number): number {
  const re = /<\/BODY\s*>|<\/SAMI\s*>/gi;
  re.lastIndex = from;
  return re.exec(text)?.index ?? text.length;
}

/** the paragraphs of one SYNC block, each with its class ("" when none) */
function paragraphs(block: string): Array<{ cls: string; raw: string }> {
  const out: Array<{ cls: string; raw: string }> = [];
  const re = /<P\b([^>]*)>/gi;
  let last: { cls: string; from: number } | undefined;
  const before = block.search(re);
  if (
    before > 0 &&
    block
      .slice(0, before)
      .replace(/<\/?(?:SYNC|P)\b[^>]*>/gi, "")
      .trim() !== ""
  )
    out.push({ cls: "", raw: block.slice(0, before) });
  if (before < 0 && block.trim() !== "") return [{ cls: "", raw: block }];
  for (let m = re.exec(block); m; m = re.exec(block)) {
    if (last) out.push({ cls: last.cls, raw: block.slice(last.from, m.index) });
    last = { cls: /Class\s*=\s*["']?([\w-]+)/i.exec(m[1] ?? "")?.[1] ?? "", from: m.index + m[0].length };
  }
  if (last) out.push({ cls: last.cls, raw: block.slice(last.from) });
  return out.map((p) => ({ cls: p.cls, raw: p.raw.replace(/<\/P\s*>/gi, "") }));
}

/** `.KRCC { Name: Korean; lang: ko-KR; }` in the STYLE block → KRCC: ko-KR, Korean */
function styleClasses(text: string): Map<string, ClassInfo> {
  const out = new Map<string, ClassInfo>();
  const style = /<STYLE\b[^>]*>([\s\S]*?)<\/STYLE\s*>/i.exec(text.slice(0, 65_536))?.[1] ?? "";
  for (const m of style.matchAll(/\.([\w-]+)\s*\{([^}]*)\}/g)) {
    const body = m[2] ?? "";
    const lang = /(?:^|[;\s])lang\s*:\s*([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)/i.exec(body)?.[1];
    const name = /(?:^|[;\s])Name\s*:\s*([^;]+)/i.exec(body)?.[1]?.trim();
    out.set((m[1] ?? "").toUpperCase(), { ...(lang ? { language: canonical(lang) } : {}), ...(name ? { name } : {}) });
  }
  return out;
}

function canonical(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** 1-based line of an offset; offsets must come in increasing order (they do: one scan forward) */
function lineCounter(text: string): (offset: number) => number {
  let at = 0;
  let line = 1;
  return (offset) => {
    for (; at < offset; at++) if (text.charCodeAt(at) === 10) line++;
    return line;
  };
}
