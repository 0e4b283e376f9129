// Global object identification: an ID is base64 of `<Type>:<database id>`.
import { AppError } from "../errors/app-error.js";

export type NodeType = "Clip" | "SubtitleTrack" | "Cue" | "Shot" | "Keyframe" | "Scene" | "Job";
export const NODE_TYPES: readonly NodeType[] = ["Clip", "SubtitleTrack", "Cue", "Shot", "Keyframe", "Scene", "Job"];

export function toGlobalId(type: NodeType, id: string): string {
  return Buffer.from(`${type}:${id}`, "utf8").toString("base64");
}

export function parseGlobalId(globalId: string): { type: NodeType; id: string } | null {
  if (typeof globalId !== "string" || globalId.length > 200) return null;
  const text = Buffer.from(globalId, "base64").toString("utf8");
  const at = text.indexOf(":");
  const type = text.slice(0, at) as NodeType;
  const id = text.slice(at + 1);
  if (at <= 0 || !NODE_TYPES.includes(type) || !/^[\w-]{1,64}$/.test(id)) return null;
  return { type, id };
}

/** the database id behind a global ID of the expected type; BAD_INPUT otherwise */
export function fromGlobalId(globalId: string, expected: NodeType, argument = "id"): string {
  const parsed = parseGlobalId(globalId);
  if (!parsed || parsed.type !== expected) throw new AppError("BAD_INPUT", `${argument}: not a ${expected} ID`);
  return parsed.id;
}
