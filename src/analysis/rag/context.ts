// The context a generator answers from: numbered scene markers [S1]..[Sn], each with its clip, timecodes,
// emotions, what is seen (keyframe captions) and its dialogue with timecodes. The same format is read back
// by the extractive generator (no model), so it is defined, built and parsed here only.
import type { ChatMessage } from "../../models/model-ports.js";
import { timecode } from "../text.js";

export interface ContextScene {
  marker: number;
  clipTitle: string;
  sceneIndex: number;
  startTime: number;
  endTime: number;
  /** top emotions, e.g. [["fear", 0.41], ["neutral", 0.3]] */
  emotions: Array<[string, number]>;
  captions: string[];
  lines: Array<{ startTime: number; speaker: string | null; text: string }>;
}

export type Task = "answer" | "draft";

export const ASK_SYSTEM = [
  "You are a film analyst. Answer the question using only the numbered scenes given.",
  "After every claim put the marker of the scene it rests on, like [S2]; cite only markers that are given.",
  "Quote dialogue exactly, in double quotes. Be brief.",
  "If the scenes do not answer the question, say so instead of guessing.",
].join(" ");

export const DRAFT_SYSTEM = [
  "You are a screenwriter. Write a short original screenplay scene in Fountain format (scene heading, action, CHARACTER names in capitals, dialogue)",
  "for the prompt, grounded in the numbered reference scenes given: borrow their situations, tone and rhythm, not whole lines.",
  "End with a Fountain note listing the reference markers you drew on, like [[Sources: S1, S3]]. Output only the Fountain text.",
].join(" ");

const HEADER = /^\[S(\d+)\] "(.*)" scene (\d+), (\d\d:\d\d:\d\d\.\d{3})[–-](\d\d:\d\d:\d\d\.\d{3})$/;
const LINE = /^(\d\d:\d\d:\d\d\.\d{3}) (?:([^:\n]{1,40}): )?(.*)$/;

export function renderScene(s: ContextScene): string {
  const out = [
    `[S${s.marker}] "${s.clipTitle.replace(/"/g, "'")}" scene ${s.sceneIndex + 1}, ${timecode(s.startTime)}–${timecode(s.endTime)}`,
  ];
  if (s.emotions.length) out.push(`Emotion: ${s.emotions.map(([e, v]) => `${e} ${v.toFixed(2)}`).join(", ")}`);
  if (s.captions.length) out.push(`Seen: ${s.captions.join("; ")}`);
  out.push("Dialogue:");
  if (s.lines.length === 0) out.push("(none)");
  for (const l of s.lines)
    out.push(
      `${timecode(l.startTime)} ${l.speaker ? `${l.speaker.replace(/[:\n]/g, " ").slice(0, 40)}: ` : ""}${l.text.replace(/\s*\n\s*/g, " ")}`,
    );
  return out.join("\n");
}

export function buildMessages(task: Task, request: string, scenes: ContextScene[]): ChatMessage[] {
  const label = task === "answer" ? "Question" : "Prompt";
  return [
    { role: "system", content: task === "answer" ? ASK_SYSTEM : DRAFT_SYSTEM },
    {
      role: "user",
      content: `Task: ${task}\n${label}: ${request.replace(/\s*\n\s*/g, " ")}\n\nScenes:\n\n${scenes.map(renderScene).join("\n\n")}`,
    },
  ];
}

export interface ParsedContext {
  task: Task;
  request: string;
  scenes: ContextScene[];
}

const seconds = (tc: string) => {
  const [h, m, s] = tc.split(":");
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
};

/** Reads back what buildMessages wrote (the last user message); undefined for anything else. */
export function parseContext(messages: ChatMessage[]): ParsedContext | undefined {
  const user = [...messages].reverse().find((m) => m.role === "user")?.content;
  if (!user) return undefined;
  const task = /^Task: (answer|draft)$/m.exec(user)?.[1] as Task | undefined;
  const request = /^(?:Question|Prompt): (.*)$/m.exec(user)?.[1];
  if (!task || request === undefined) return undefined;
  const scenes: ContextScene[] = [];
  let current: ContextScene | undefined;
  let inDialogue = false;
  for (const line of user.split("\n")) {
    const h = HEADER.exec(line);
    if (h) {
      current = {
        marker: Number(h[1]),
        clipTitle: h[2]!,
        sceneIndex: Number(h[3]) - 1,
        startTime: seconds(h[4]!),
        endTime: seconds(h[5]!),
        emotions: [],
        captions: [],
        lines: [],
      };
      scenes.push(current);
      inDialogue = false;
      continue;
    }
    if (!current) continue;
    if (line.startsWith("Emotion: ")) {
      current.emotions = line
        .slice(9)
        .split(", ")
        .map((p) => {
          const [e, v] = p.split(" ");
          return [e!, Number(v)] as [string, number];
        });
    } else if (line.startsWith("Seen: ")) current.captions = line.slice(6).split("; ");
    else if (line === "Dialogue:") inDialogue = true;
    else if (inDialogue) {
      const l = LINE.exec(line);
      if (l) current.lines.push({ startTime: seconds(l[1]!), speaker: l[2] ?? null, text: l[3]! });
    }
  }
  return { task, request, scenes };
}
