// Reading a screenplay: Fountain (https://fountain.io: scene headings INT./EXT./EST./INT./EXT./I/E or a
// forced ".HEADING", optional scene numbers "#12#", character cues in capitals followed by dialogue,
// notes [[…]] and boneyard /*…*/ removed, a title page of "Key: value" lines skipped) or plain text laid
// out the same way. A text with no scene heading is read as one scene, and the result says so.
import { AppError } from "../../errors/app-error.js";

export const MAX_SCRIPT_BYTES = 512 * 1024;

export interface ScriptLine {
  speaker: string;
  text: string;
}

export interface ScriptScene {
  /** the scene number written in the script (#12#), else its position from 1 */
  number: string;
  heading: string;
  /** action (description) paragraphs, in order */
  action: string[];
  dialogue: ScriptLine[];
}

export type ScriptReading = "SCENE_HEADINGS" | "SINGLE_SCENE";

export interface ParsedScript {
  scenes: ScriptScene[];
  reading: ScriptReading;
}

const HEADING = /^(?:int\.?\/ext|i\/e|int|ext|est)[.\s]/i;
const SCENE_NUMBER = /\s*#([\w.-]+)#\s*$/;
const TRANSITION = /^[A-Z\s]+TO:$|^>\s*.+$/;

export function parseScreenplay(script: string): ParsedScript {
  if (Buffer.byteLength(script, "utf8") > MAX_SCRIPT_BYTES)
    throw new AppError("BAD_INPUT", `the script is over the size limit of ${MAX_SCRIPT_BYTES / 1024} KiB`);
  const text = script
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\[\[[\s\S]*?\]\]/g, "");
  const paragraphs = skipTitlePage(text.split(/\n\s*\n/))
    .map((p) =>
      p
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean),
    )
    .filter((p) => p.length > 0);
  if (paragraphs.length === 0) throw new AppError("BAD_INPUT", "the script is empty");
  const scenes: ScriptScene[] = [];
  let current: ScriptScene | undefined;
  for (const lines of paragraphs) {
    const first = lines[0]!;
    const heading = headingOf(first);
    if (heading !== undefined) {
      const number = SCENE_NUMBER.exec(first)?.[1] ?? String(scenes.length + 1);
      current = { number, heading, action: [], dialogue: [] };
      scenes.push(current);
      if (lines.length > 1) addParagraph(current, lines.slice(1));
      continue;
    }
    if (!current) {
      current = { number: "1", heading: "(no scene heading)", action: [], dialogue: [] };
      scenes.push(current);
    }
    addParagraph(current, lines);
  }
  const reading: ScriptReading = scenes.some((s) => s.heading !== "(no scene heading)")
    ? "SCENE_HEADINGS"
    : "SINGLE_SCENE";
  if (reading === "SINGLE_SCENE") scenes[0]!.heading = "(whole script: no scene headings)";
  return { scenes, reading };
}

function headingOf(line: string): string | undefined {
  if (/^\.[^.]/.test(line)) return line.slice(1).replace(SCENE_NUMBER, "").trim();
  if (HEADING.test(line)) return line.replace(SCENE_NUMBER, "").trim().toUpperCase();
  return undefined;
}

function skipTitlePage(paragraphs: string[]): string[] {
  const first = paragraphs[0]?.trim() ?? "";
  return /^(title|credit|author|authors|source|draft date|contact|notes|copyright)\s*:/i.test(first)
    ? paragraphs.slice(1)
    : paragraphs;
}

/** A character cue: a short line in capitals (with an optional "(V.O.)" or "^"), or forced with "@". */
function cueOf(line: string): string | undefined {
  if (line.startsWith("@"))
    return line
      .slice(1)
      .replace(/\(.*\)/, "")
      .trim();
  const name = line
    .replace(/\s*\((?:V\.O\.|O\.S\.|O\.C\.|CONT'D|cont'd)\)\s*/g, "")
    .replace(/\^$/, "")
    .trim();
  if (name.length > 40 || !/\p{Lu}/u.test(name) || name !== name.toUpperCase() || TRANSITION.test(line))
    return undefined;
  return /^[\p{Lu}\d .'-]+$/u.test(name) ? name : undefined;
}

function addParagraph(scene: ScriptScene, lines: string[]): void {
  const cue = lines.length > 1 ? cueOf(lines[0]!) : undefined;
  if (cue) {
    const spoken = lines
      .slice(1)
      .filter((l) => !/^\(.*\)$/.test(l))
      .join(" ");
    if (spoken) scene.dialogue.push({ speaker: cue, text: spoken });
    return;
  }
  if (lines.length === 1 && TRANSITION.test(lines[0]!)) return;
  scene.action.push(lines.join(" ").replace(/^!/, ""));
}
