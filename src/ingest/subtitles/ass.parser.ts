// ASS/SSA through `ass-compiler` (maintained, typed, the parser behind ASS.js): it splits event fields by
// the section's Format line, parses times and override tags, and tells drawings (`\p1`) from text. We keep
// the section scan (for line numbers, missing Format lines and CR-only files) and run ass-compiler per
// event line, after checking the line has the fields its Format line names.
import { parse as parseAss } from "ass-compiler";
import { CueSink, textLines } from "./cue-sink.js";
import { cleanCueText, roundMs } from "./text.js";

const ASS_FORMAT = "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text";
const SSA_FORMAT = "Format: Marked, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text";

type AssEvent = ReturnType<typeof parseAss>["events"]["dialogue"][number];

interface AssState {
  section: string;
  ssa: boolean;
  format?: string;
  fieldCount: number;
  sawEvents: boolean;
  seen: Set<string>;
}

export function parseAssEvents(text: string, sink: CueSink): void {
  const state: AssState = { section: "", ssa: false, fieldCount: 10, sawEvents: false, seen: new Set() };
  for (const [rawLine, lineNo] of textLines(text)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("!:")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      state.section = (header[1] ?? "").trim().toLowerCase();
      if (state.section === "events") state.sawEvents = true;
      continue;
    }
    if (state.section === "script info" && /^ScriptType\s*:\s*v4\.00\s*$/i.test(line)) state.ssa = true;
    if (state.section === "v4 styles") state.ssa = true;
    if (state.section !== "events" && !(state.section === "" && /^(?:Dialogue|Comment)\s*:/i.test(line))) continue;
    if (/^Format\s*:/i.test(line)) {
      state.format = line;
      state.fieldCount = line.slice(line.indexOf(":") + 1).split(",").length;
      continue;
    }
    const kind = /^(Dialogue|Comment)\s*:/i.exec(line)?.[1]?.toLowerCase();
    if (kind === "dialogue") dialogue(line, lineNo, state, sink);
    // comments and other event types (Picture, Sound, Movie, Command) carry no dialogue
  }
  if (!state.sawEvents && sink.cues.length === 0) sink.warn(undefined, "no [Events] section");
}

/** the Text field: everything after the comma that ends the field before it */
function textField(line: string, fieldCount: number): string {
  let at = line.indexOf(":");
  for (let i = 1; i < fieldCount && at >= 0; i++) at = line.indexOf(",", at + 1);
  return at < 0 ? "" : line.slice(at + 1);
}

function dialogue(line: string, lineNo: number, state: AssState, sink: CueSink): void {
  if (!state.format) {
    state.format = state.ssa ? SSA_FORMAT : ASS_FORMAT;
    sink.warn(lineNo, `no Format line in [Events]: assuming the standard ${state.ssa ? "SSA" : "ASS"} one`);
  }
  // the Text field is the last and may hold commas: only a line with too few commas is short
  const fields = line.slice(line.indexOf(":") + 1).split(",").length;
  if (fields < state.fieldCount) {
    sink.warn(lineNo, `Dialogue line has ${fields} of the ${state.fieldCount} fields its Format line names: skipped`);
    return;
  }
  if (sink.overLong(lineNo, textField(line, state.fieldCount).length)) return;
  let event: AssEvent | undefined;
  try {
    event = parseAss(`[Events]\n${state.format}\n${line}`).events.dialogue[0];
  } catch {
    event = undefined;
  }
  if (!event?.Text) {
    sink.warn(lineNo, "unreadable Dialogue line: skipped");
    return;
  }
  const { Start: start, End: end } = event;
  if (typeof start !== "number" || typeof end !== "number" || !Number.isFinite(start) || !Number.isFinite(end)) {
    sink.warn(lineNo, `unreadable timestamp in "${line.slice(0, 60)}": cue skipped`);
    return;
  }
  const parsed = event.Text;
  const isDrawing = parsed.parsed.some((seg) => seg.drawing.length > 0 || seg.tags.some((t) => (t.p ?? 0) > 0));
  const cleaned = cleanCueText(parsed.combined);
  const key = `${roundMs(start)}|${roundMs(end)}|${cleaned}`;
  if (cleaned !== "" && state.seen.has(key)) return; // the same line on another layer (outline/shadow effects)
  state.seen.add(key);
  const speaker = typeof event.Name === "string" && event.Name.trim() !== "" ? event.Name.trim() : undefined;
  sink.add({
    line: lineNo,
    start,
    end,
    rawText: parsed.raw,
    text: cleaned,
    ...(speaker ? { speaker } : {}),
    silentIfEmpty: isDrawing, // a drawing (vector shape) carries no dialogue
  });
}
