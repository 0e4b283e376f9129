// TTML / DFXP / IMSC (`.ttml`, `.dfxp`, `.xml`, and MP4 `stpp` tracks): broadcast and streaming delivery.
// Parsed with saxes (a maintained streaming XML parser): it expands only XML's five predefined entities
// and character references, never a DTD's, and a DOCTYPE is refused outright, so there is no XXE and no
// billion laughs. Prefixes are matched by local name (DFXP files often omit or vary their namespaces).
//
// Timing: clock times (`00:00:01.500`, `00:00:01:12` frames), offset times (`1.5s`, `90f`, `500ms`,
// `2700t` with ttp:tickRate); begin/end are relative to the parent's begin in a `par` container (the
// default) and to the previous sibling's end in a `seq` one; `dur` to the element's own begin; a child
// never outlives its parent. Each `<p>` is a cue; `<br/>` a line break; xml:lang is inherited, and cues in
// different languages make one track each; ttm:agent names the speaker (the agent's ttm:name, else its id).
import { SaxesParser, type SaxesTagPlain } from "saxes";
import { CueSink, type RawCue } from "./cue-sink.js";
import { tooManyCues, type SubtitleLimits } from "./limits.js";
import { AppError } from "../../errors/app-error.js";

export function looksLikeTtml(head: string): boolean {
  return /^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:[\w-]+:)?tt[\s>]/.test(head);
}

interface TimeParams {
  frameRate: number;
  subFrameRate: number;
  tickRate: number;
}

interface Frame {
  local: string;
  begin: number;
  end?: number;
  lang?: string;
  agent?: string;
  seq: boolean;
  /** seq containers: where the next child's begin is counted from */
  cursor: number;
}

interface OpenP {
  line: number;
  begin: number;
  end?: number;
  lang?: string;
  agent?: string;
  parts: string[];
  chars: number;
  /** span times, for a <p> without its own */
  spanBegin?: number;
  spanEnd?: number;
}

const TIMED = new Set(["body", "div", "p", "span"]);

type Track = { cues: RawCue[]; warnings: string[]; language?: string };

export function parseTtml(text: string, limits: SubtitleLimits): Track[] {
  const reader = new TtmlReader(limits);
  // An MP4 track comes out as one document per sample, one after another.
  const docs = text.split(/(?<=<\/(?:[\w-]+:)?tt\s*>)/).filter((d) => d.trim() !== "");
  let line = 0;
  for (const doc of docs) {
    // an XML declaration must be the document's first characters
    reader.document(doc.trimStart(), line + (doc.length - doc.trimStart().length > 0 ? leadingLines(doc) : 0));
    line += doc.split("\n").length - 1;
  }
  return reader.tracks();
}

class TtmlReader {
  private readonly sinks = new Map<string, CueSink>();
  private readonly warnings: string[] = [];
  private readonly agents = new Map<string, string>();

  constructor(private readonly limits: SubtitleLimits) {}

  tracks(): Track[] {
    if (this.sinks.size === 0) return [{ cues: [], warnings: this.warnings }];
    return [...this.sinks.entries()].map(([lang, sink], i) => ({
      cues: sink.cues,
      warnings: i === 0 ? [...this.warnings, ...sink.warnings] : sink.warnings,
      ...(lang ? { language: lang } : {}),
    }));
  }

  private sink(lang: string | undefined): CueSink {
    const key = lang ?? "";
    let sink = this.sinks.get(key);
    if (!sink) this.sinks.set(key, (sink = new CueSink([], this.limits)));
    return sink;
  }

  /** total cues so far: the cue limit holds across a file's languages */
  private total(): number {
    let n = 0;
    for (const s of this.sinks.values()) n += s.cues.length;
    return n;
  }

  document(doc: string, lineOffset: number): void {
    const parser = new SaxesParser({ position: true, xmlns: false });
    const stack: Frame[] = [];
    let params: TimeParams = { frameRate: 30, subFrameRate: 1, tickRate: 1 };
    let p: OpenP | undefined;
    let skipText = 0; // inside head/metadata: no dialogue
    let agentId: string | undefined;
    let inAgentName = false;
    const line = () => lineOffset + parser.line;
    const time = (v: string | undefined) => (v === undefined ? undefined : parseTtmlTime(v, params));

    parser.on("doctype", () => {
      throw new Error("a DOCTYPE is not accepted in TTML (entity declarations are never expanded)");
    });
    parser.on("opentag", (tag: SaxesTagPlain) => {
      const local = localName(tag.name);
      const attr = (name: string) => attribute(tag, name);
      if (local === "tt") params = timeParams(tag, this.warnings, line());
      if (local === "head" || local === "metadata") skipText++;
      if (local === "agent") agentId = attr("id");
      if (local === "name" && agentId) inAgentName = true;
      const parent = stack[stack.length - 1];
      const frame = this.frame(local, tag, parent, time, line());
      stack.push(frame);
      if (local === "p")
        p = {
          line: line(),
          begin: frame.begin,
          end: frame.end,
          lang: frame.lang,
          agent: frame.agent,
          parts: [],
          chars: 0,
        };
      else if (local === "br" && p) p.parts.push("\n");
      else if (local === "span" && p && (attr("begin") !== undefined || attr("end") !== undefined)) {
        p.spanBegin = Math.min(p.spanBegin ?? Infinity, frame.begin);
        if (frame.end !== undefined) p.spanEnd = Math.max(p.spanEnd ?? -Infinity, frame.end);
        p.agent ??= frame.agent;
      } else if (local === "span" && p) p.agent ??= frame.agent;
    });
    parser.on("text", (t: string) => {
      if (inAgentName && agentId) this.agents.set(agentId, (this.agents.get(agentId) ?? "") + t);
      if (!p || skipText > 0) return;
      p.chars += t.length;
      if (p.chars <= this.limits.maxCueChars + 1) p.parts.push(t);
    });
    parser.on("closetag", (tag: SaxesTagPlain) => {
      const local = localName(tag.name);
      const frame = stack.pop();
      const parent = stack[stack.length - 1];
      if (parent?.seq && frame && TIMED.has(local)) parent.cursor = frame.end ?? frame.begin;
      if (local === "head" || local === "metadata") skipText--;
      if (local === "name") inAgentName = false;
      if (local === "agent") agentId = undefined;
      if (local === "p" && p) {
        this.cue(p);
        p = undefined;
      }
    });
    try {
      parser.write(doc).close();
    } catch (error) {
      if (error instanceof AppError) throw error; // a limit: the whole track is refused
      const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
      // saxes prefixes its messages with the position
      this.warnings.push(`not well-formed TTML (${message.slice(0, 160)}): the rest of the document is skipped`);
    }
  }

  private frame(
    local: string,
    tag: SaxesTagPlain,
    parent: Frame | undefined,
    time: (v: string | undefined) => number | undefined,
    lineNo: number,
  ): Frame {
    const attr = (name: string) => attribute(tag, name);
    const lang = attr("xml:lang") ?? parent?.lang;
    const agentRef = attr("agent")?.trim().split(/\s+/)[0];
    const agent = agentRef ? this.agents.get(agentRef)?.trim() || agentRef : parent?.agent;
    const base: Frame = {
      local,
      begin: parent?.begin ?? 0,
      end: parent?.end,
      lang: lang || undefined,
      agent,
      seq: false,
      cursor: 0,
    };
    base.seq = attr("timeContainer") === "seq";
    if (!TIMED.has(local)) return { ...base, cursor: base.begin };
    const reference = parent?.seq ? parent.cursor : (parent?.begin ?? 0);
    const [b, e, d] = [attr("begin"), attr("end"), attr("dur")].map(time);
    for (const [name, raw, parsed] of [
      ["begin", attr("begin"), b],
      ["end", attr("end"), e],
      ["dur", attr("dur"), d],
    ] as const)
      if (raw !== undefined && parsed === undefined)
        this.warnings.push(`line ${lineNo}: unreadable ${name}="${raw.slice(0, 40)}": ignored`);
    const begin = reference + (b ?? 0);
    let end = e !== undefined ? reference + e : undefined;
    if (d !== undefined) end = Math.min(end ?? Infinity, begin + d);
    if (end === undefined) end = parent?.end;
    else if (parent?.end !== undefined) end = Math.min(end, parent.end);
    return { ...base, begin, end, cursor: begin };
  }

  private cue(p: OpenP): void {
    const begin = p.spanBegin !== undefined && p.begin === 0 && p.end === undefined ? p.spanBegin : p.begin;
    const end = p.end ?? p.spanEnd;
    const sink = this.sink(p.lang);
    const rawText = p.parts
      .join("")
      .replace(/[ \t]*\n[ \t]*/g, "\n")
      .trim();
    if (end === undefined) {
      sink.warn(p.line, "cue has no end time (no end or dur on it or its parents): skipped");
      return;
    }
    if (sink.overLong(p.line, p.chars)) return;
    if (this.total() >= this.limits.maxCues) throw tooManyCues(this.limits);
    sink.add({ line: p.line, start: begin, end, rawText, ...(p.agent ? { speaker: p.agent } : {}) });
  }
}

function leadingLines(doc: string): number {
  return (/^\s*/.exec(doc)?.[0] ?? "").split("\n").length - 1;
}

function localName(name: string): string {
  const i = name.indexOf(":");
  return i < 0 ? name : name.slice(i + 1);
}

/** an attribute by name: `xml:lang` exactly, others by local name whatever their prefix */
function attribute(tag: SaxesTagPlain, name: string): string | undefined {
  if (name.includes(":")) return tag.attributes[name];
  for (const [key, value] of Object.entries(tag.attributes))
    if (key === name || (key.endsWith(`:${name}`) && !key.startsWith("xmlns"))) return value;
  return undefined;
}

function timeParams(tag: SaxesTagPlain, warnings: string[], line: number): TimeParams {
  const num = (name: string) => {
    const v = attribute(tag, name);
    const n = v === undefined ? undefined : Number(v);
    return n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
  };
  const multiplier = attribute(tag, "frameRateMultiplier")?.trim().split(/\s+/).map(Number);
  const ratio =
    multiplier?.length === 2 && multiplier[0]! > 0 && multiplier[1]! > 0 ? multiplier[0]! / multiplier[1]! : 1;
  const declared = num("frameRate");
  const frameRate = (declared ?? 30) * ratio;
  const subFrameRate = num("subFrameRate") ?? 1;
  const tickRate = num("tickRate") ?? (declared !== undefined ? frameRate * subFrameRate : 1);
  const timeBase = attribute(tag, "timeBase");
  if (timeBase && timeBase !== "media")
    warnings.push(`line ${line}: ttp:timeBase="${timeBase.slice(0, 20)}" read as media time`);
  return { frameRate, subFrameRate, tickRate };
}

/** A TTML time expression in seconds; undefined when unreadable. */
export function parseTtmlTime(
  value: string,
  params: TimeParams = { frameRate: 30, subFrameRate: 1, tickRate: 1 },
): number | undefined {
  const v = value.trim();
  const clock = /^(\d+):(\d{2}):(\d{2})(?:(\.\d+)|:(\d+)(?:\.(\d+))?)?$/.exec(v);
  if (clock) {
    const [h, m, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3])];
    if (m >= 60 || s >= 60) return undefined;
    let t = h * 3600 + m * 60 + s;
    if (clock[4]) t += Number(`0${clock[4]}`);
    if (clock[5]) t += (Number(clock[5]) + (clock[6] ? Number(clock[6]) / params.subFrameRate : 0)) / params.frameRate;
    return t;
  }
  const offset = /^(\d+(?:\.\d+)?)(h|ms|m|s|f|t)$/.exec(v);
  if (!offset) return undefined;
  const n = Number(offset[1]);
  switch (offset[2]) {
    case "h":
      return n * 3600;
    case "m":
      return n * 60;
    case "s":
      return n;
    case "ms":
      return n / 1000;
    case "f":
      return n / params.frameRate;
    default:
      return n / params.tickRate;
  }
}
