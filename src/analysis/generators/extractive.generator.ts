// The offline default generator: no model. It reads the scene context (src/analysis/rag/context.ts) from
// the messages and answers with the retrieved lines most relevant to the question, quoted exactly with
// their scene markers; for a draft it assembles a short Fountain scene from the reference scenes' lines,
// with its sources in a Fountain note. It never writes anything the scenes do not contain.
import type { ChatMessage, GenerateOptions, Provenance, TextGenerator } from "../../models/model-ports.js";
import { parseContext, type ContextScene } from "../rag/context.js";
import { lexicalOverlap, timecode } from "../text.js";

export const EXTRACTIVE_ID = "cinerag-extractive-v1";

export class ExtractiveGenerator implements TextGenerator {
  readonly provenance: Provenance = { method: "extractive", model: EXTRACTIVE_ID };

  constructor(private readonly options: { maxLines?: number } = {}) {}

  generate(messages: ChatMessage[], options: GenerateOptions = {}): Promise<string> {
    // nothing to wait for: the executor runs now, and a throw (aborted) rejects the promise
    return new Promise((resolve) => {
      options.signal?.throwIfAborted();
      const ctx = parseContext(messages);
      let pieces: string[];
      if (!ctx || ctx.scenes.length === 0) pieces = ["No retrieved scene to quote from."];
      else if (ctx.task === "draft") pieces = draft(ctx.request, ctx.scenes);
      else pieces = answer(ctx.request, ctx.scenes, this.options.maxLines ?? 3);
      // "streams" line by line, so subscribers see the same protocol as with a model
      for (const p of pieces) options.onToken?.(p);
      resolve(pieces.join(""));
    });
  }
}

interface Ranked {
  scene: ContextScene;
  line: ContextScene["lines"][number];
  score: number;
}

function rankLines(query: string, scenes: ContextScene[]): Ranked[] {
  const ranked: Ranked[] = [];
  scenes.forEach((scene, rank) => {
    for (const line of scene.lines) {
      if (!line.text.trim()) continue;
      // overlap with the question first; the retrieval rank breaks ties
      ranked.push({ scene, line, score: lexicalOverlap(query, line.text) + 0.01 / (rank + 1) });
    }
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
  let voice = 0;
  let last = "";
  for (const { scene, line } of lines) {
    const name = character(line.speaker, `VOICE ${(voice++ % 2) + 1}`);
    // two speeches in a row by one unnamed voice would merge: alternate
    const who = name === last && !line.speaker ? character(null, `VOICE ${(voice++ % 2) + 1}`) : name;
    last = who;
    out.push(`${who}\n${line.text.replace(/\s*\n\s*/g, " ")}\n[[S${scene.marker}]]\n\n`);
  }
  out.push(`[[Sources: ${refs.map((s) => `S${s.marker}`).join(", ")}]]\n`);
  return out;
}
