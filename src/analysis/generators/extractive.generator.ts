// The offline default generator: no model. It reads the scene context (src/analysis/rag/context.ts) from
// the messages and answers with the retrieved lines most relevant to the question, quoted exactly with
// their scene markers; for a draft it assembles a short Fountain scene from the reference scenes' lines,
// with its sources in a Fountain note. It never writes anything the scenes do not contain.
import type { ChatMessage, GenerateOptions, Provenance, TextGenerator } from "../../models/model-ports.js";
import { parseContext, type ContextScene } from "../rag/context.js";
import { echoesQuestion, lexicalOverlap, timecode } from "../text.js";

export const EXTRACTIVE_ID = "cinerag-extractive-v1";

export class ExtractiveGenerator implements TextGenerator {
  readonly provenance: Provenance = { method: "extractive", model: EXTRACTIVE_ID };

  constructor(private readonly options: { maxLines?: number } = {}) {}

  generate(messages: ChatMessage[], options: GenerateOptions = {}): Promise<string> {
    options.signal?.throwIfAborted();
    const ctx = parseContext(messages);
    let pieces: string[];
    if (!ctx || ctx.scenes.length === 0) pieces = ["No retrieved scene to quote from."];
    else if (ctx.task === "draft") pieces = draft(ctx.request, ctx.scenes);
    else pieces = answer(ctx.request, ctx.scenes, this.options.maxLines ?? 3);
    // "streams" line by line, so subscribers see the same protocol as with a model
    for (const p of pieces) options.onToken?.(p);
    return Promise.resolve(pieces.join(""));
  }
}

interface Ranked {
  scene: ContextScene;
  line: ContextScene["lines"][number];
  score: number;
}

/** Words a line answering a where/when/who question tends to carry, though it shares none with the question. */
const ANSWER_CUES: Array<[RegExp, RegExp]> = [
  [
    /^\s*where\b/i,
    /\b(at|in|on|by|near|under|behind|inside|outside|down|up|across|to) (the|a|an|my|his|her|our|their)\b|\bhome\b|\bthere\b/i,
  ],
  [
    /^\s*when\b/i,
    /\b(yesterday|tomorrow|tonight|today|morning|night|noon|midnight|o'clock|ago|since|until|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\d/i,
  ],
  [/^\s*who\b/i, /\b(he|she|they|it was|my|his|her)\b|\p{Lu}\p{Ll}+/u],
];

/**
 * Lines ranked for a question. A line that repeats the question is usually the question asked again in
 * the film ("Where were you?"): the line after it is the reply, so the reply gets the echo's score (plus
 * a little) and the echo is halved. A line carrying what the question asks for (a place for "where")
 * gets a bonus even when it shares no word with the question.
 */
function rankLines(query: string, scenes: ContextScene[]): Ranked[] {
  const ranked: Ranked[] = [];
  const cue = ANSWER_CUES.find(([q]) => q.test(query))?.[1];
  scenes.forEach((scene, rank) => {
    const lines = scene.lines.filter((l) => l.text.trim());
    const overlaps = lines.map((l) => lexicalOverlap(query, l.text));
    lines.forEach((line, i) => {
      const own = overlaps[i]!;
      const asked = i > 0 && /\?\s*$/.test(lines[i - 1]!.text) ? overlaps[i - 1]! : 0;
      const echo = echoesQuestion(query, line.text);
      const score =
        Math.max(echo ? own / 2 : own, asked > 0.3 ? asked + 0.1 : 0) +
        (cue?.test(line.text) && !echo ? 0.15 : 0) +
        0.01 / (rank + 1); // the retrieval rank breaks ties
      ranked.push({ scene, line, score });
    });
  });
  return ranked.sort((a, b) => b.score - a.score || a.line.startTime - b.line.startTime);
}

function answer(question: string, scenes: ContextScene[], maxLines: number): string[] {
  let picked = rankLines(question, scenes)
    .filter((r) => r.score >= 0.05)
    .slice(0, maxLines);
  if (picked.length === 0) {
    // nothing shares a word with the question: the retrieval found the scenes by meaning; quote their openings
    picked = scenes
      .slice(0, Math.min(2, maxLines))
      .flatMap((scene) => (scene.lines[0] ? [{ scene, line: scene.lines[0], score: 0 }] : []));
  }
  if (picked.length === 0) return ["The retrieved scenes have no dialogue to quote."];
  picked.sort((a, b) => a.scene.marker - b.scene.marker || a.line.startTime - b.line.startTime);
  return [
    "The most relevant lines in the retrieved scenes:\n",
    ...picked.map(
      (p) =>
        `- ${p.line.speaker ? `${p.line.speaker}: ` : ""}"${p.line.text}" (${timecode(p.line.startTime)}) [S${p.scene.marker}]\n`,
    ),
  ];
}

function character(speaker: string | null, fallback: string): string {
  const name = (speaker ?? fallback)
    .replace(/[^\p{L}\p{N} .'-]/gu, "")
    .trim()
    .toUpperCase();
  return name || fallback;
}

function draft(prompt: string, scenes: ContextScene[]): string[] {
  const refs = scenes.slice(0, 3);
  const ranked = rankLines(prompt, refs);
  const lines = (
    ranked.some((r) => r.score >= 0.05)
      ? ranked
      : refs.flatMap((scene) => scene.lines.map((line) => ({ scene, line, score: 0 })))
  ).slice(0, 8);
  lines.sort((a, b) => a.scene.marker - b.scene.marker || a.line.startTime - b.line.startTime);
  const heading = `EXT. ${
    prompt
      .replace(/[^\p{L}\p{N} '-]/gu, " ")
      .replace(/\s+/g, " ")
      .trim()
      .toUpperCase()
      .slice(0, 60) || "SOMEWHERE"
  } - NIGHT`;
  const seen = refs.flatMap((s) => s.captions).slice(0, 2);
  const out = [
    `Title: ${prompt.replace(/\s+/g, " ").trim().slice(0, 120)}\n`,
    "Credit: assembled from retrieved dialogue (extractive, no model)\n\n",
    `${heading}\n\n`,
  ];
  out.push(
    seen.length
      ? `${seen.map((c) => c.charAt(0).toUpperCase() + c.slice(1)).join(". ")}.\n\n`
      : "The scene is built from the reference scenes' own lines.\n\n",
  );
  for (const { scene, line } of lines) {
    const text = line.text.replace(/\s*\n\s*/g, " ");
    // a speaker the subtitles name is the character; a line without one is not given an invented name
    // ("VOICE 1"): it stands as an unattributed quotation in the action
    if (line.speaker) out.push(`${character(line.speaker, "")}\n${text}\n[[S${scene.marker}]]\n\n`);
    else out.push(`!"${text}" (unattributed) [[S${scene.marker}]]\n\n`);
  }
  out.push(`[[Sources: ${refs.map((s) => `S${s.marker}`).join(", ")}]]\n`);
  return out;
}
