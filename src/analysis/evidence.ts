// Evidence for a list of scenes: the line that best shows the point (the cue, on any of the dialogue tracks
// the scope chose, that shares most words with the query; without a query, the longest line) and the keyframe of the
// shot that line falls in (else the scene's first keyframe).
import type { AnalysisReads, ScopeTrack } from "./scope.js";
import type { Evidence } from "./tables.js";
import { lexicalOverlap } from "./text.js";

export interface EvidenceRequest {
  sceneId: string;
  score: number;
  /** text the quote should match (a question, a theme, an answer sentence) */
  query?: string;
  /** take this line as the quote if the scene has it (e.g. the line an answer quoted) */
  preferQuote?: string;
}

export interface SceneLines {
  scene: {
    id: string;
    clipId: string;
    index: number;
    startTime: number;
    endTime: number;
    text: string;
    clipTitle: string;
  };
  cues: Array<{ id: string; startTime: number; endTime: number; text: string; speaker: string | null }>;
  keyframes: Array<{ path: string; time: number; shotStart: number; shotEnd: number; id: string }>;
  captions: string[];
}

/**
 * Scenes with their cues on the scope's dialogue tracks (every track unless the scope chose some), keyframes
 * and keyframe captions (any model), keyed by scene id.
 */
export async function loadSceneLines(
  reads: AnalysisReads,
  sceneIds: string[],
  tracks: ScopeTrack[],
): Promise<Map<string, SceneLines>> {
  const scenes = await reads.scenesWithTitles(sceneIds);
  const trackIds = tracks.map((t) => t.id);
  const [cues, keyframes] = await Promise.all([
    reads.cuesOfScenes(sceneIds, trackIds),
    reads.keyframesOfScenes(sceneIds),
  ]);
  const out = new Map<string, SceneLines>();
  for (const s of scenes) {
    out.set(s.id, {
      scene: {
        id: s.id,
        clipId: s.clipId,
        index: s.index,
        startTime: s.startTime,
        endTime: s.endTime,
        text: s.text,
        clipTitle: s.clip.title,
      },
      cues: [],
      keyframes: [],
      captions: [],
    });
  }
  for (const c of cues)
    out
      .get(c.sceneId!)
      ?.cues.push({ id: c.id, startTime: c.startTime, endTime: c.endTime, text: c.text, speaker: c.speaker });
  for (const k of keyframes) {
    const e = k.shot.sceneId ? out.get(k.shot.sceneId) : undefined;
    if (!e) continue;
    e.keyframes.push({ id: k.id, path: k.path, time: k.time, shotStart: k.shot.startTime, shotEnd: k.shot.endTime });
    for (const c of k.captions) if (!e.captions.includes(c.text)) e.captions.push(c.text);
  }
  return out;
}

export function quoteOf(lines: SceneLines, query?: string, prefer?: string): SceneLines["cues"][number] | undefined {
  if (prefer) {
    const p = prefer.trim().toLowerCase();
    const hit =
      lines.cues.find((c) => c.text.trim().toLowerCase() === p) ??
      lines.cues.find((c) => p.length > 3 && c.text.toLowerCase().includes(p));
    if (hit) return hit;
  }
  let best: SceneLines["cues"][number] | undefined;
  let bestScore = -1;
  for (const c of lines.cues) {
    const s = (query ? lexicalOverlap(query, c.text) * 1000 : 0) + Math.min(c.text.length, 200) / 1000;
    if (s > bestScore) {
      bestScore = s;
      best = c;
    }
  }
  return best;
}

export function keyframeAt(lines: SceneLines, time?: number): string | null {
  if (time !== undefined) {
    const k = lines.keyframes.find((kf) => time >= kf.shotStart && time < kf.shotEnd);
    if (k) return k.path;
  }
  return lines.keyframes[0]?.path ?? null;
}

export function evidenceFrom(
  lines: SceneLines,
  score: number,
  query?: string,
  prefer?: string,
): Omit<Evidence, "marker"> {
  const quote = quoteOf(lines, query, prefer);
  return {
    sceneId: lines.scene.id,
    clipId: lines.scene.clipId,
    startTime: lines.scene.startTime,
    endTime: lines.scene.endTime,
    score: Math.round(score * 10000) / 10000,
    quote: quote?.text ?? null,
    quoteStart: quote?.startTime ?? null,
    quoteEnd: quote?.endTime ?? null,
    keyframePath: keyframeAt(lines, quote ? (quote.startTime + quote.endTime) / 2 : undefined),
  };
}

export async function buildEvidence(
  reads: AnalysisReads,
  requests: EvidenceRequest[],
  tracks: ScopeTrack[],
): Promise<Evidence[]> {
  const lines = await loadSceneLines(reads, [...new Set(requests.map((r) => r.sceneId))], tracks);
  const out: Evidence[] = [];
  for (const r of requests) {
    const l = lines.get(r.sceneId);
    if (l) out.push(evidenceFrom(l, r.score, r.query, r.preferQuote));
  }
  return out;
}
