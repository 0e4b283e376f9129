// Pure aggregation of per-cue emotion scores: distributions (mean of the cues' distributions), per scene,
// per speaker, an arc over time at a resolution (per scene or fixed bins), and the peaks of each emotion
// with the cues behind them. No model here: tests feed it deterministic scores.
import { EMOTIONS, type Emotion, type EmotionScores } from "../../models/model-ports.js";
import { round } from "../text.js";
import type { CueData } from "../scope.js";
import type {
  ClipEmotion,
  Distribution,
  EmotionArcPoint as ArcPoint,
  EmotionPeak,
  SceneEmotion,
  SpeakerEmotion,
} from "./emotion.types.js";

export type { ArcPoint, ClipEmotion, Distribution, EmotionPeak, SceneEmotion, SpeakerEmotion };

export interface ScoredCue extends Omit<CueData, "id"> {
  cueId: string;
  scores: EmotionScores;
  /** STORED: read from CueEmotion (ingest enrichment); COMPUTED: classified now */
  source: "STORED" | "COMPUTED";
}

export type ArcResolution = { kind: "SCENE" } | { kind: "BIN"; seconds: number };

export function emptyScores(): EmotionScores {
  return { anger: 0, disgust: 0, fear: 0, joy: 0, sadness: 0, surprise: 0, neutral: 0 };
}

export function dominant(scores: EmotionScores): Emotion {
  let best: Emotion = "neutral";
  for (const e of EMOTIONS) if (scores[e] > scores[best]) best = e;
  return best;
}

/** The mean of the cues' distributions (each cue counts once), rounded; no cues: all zero, dominant null. */
export function distribution(cues: Array<{ scores: EmotionScores }>): Distribution {
  const sum = emptyScores();
  if (cues.length === 0) return { scores: sum, dominant: null };
  for (const c of cues) for (const e of EMOTIONS) sum[e] += c.scores[e] ?? 0;
  for (const e of EMOTIONS) sum[e] = round(sum[e] / cues.length);
  return { scores: sum, dominant: dominant(sum) };
}

export function sceneEmotions(
  scenes: Array<{ id: string; clipId: string; startTime: number; endTime: number }>,
  cues: ScoredCue[],
): SceneEmotion[] {
  const byScene = new Map<string, ScoredCue[]>();
  for (const c of cues) if (c.sceneId) (byScene.get(c.sceneId) ?? byScene.set(c.sceneId, []).get(c.sceneId)!).push(c);
  return scenes.map((s) => {
    const list = byScene.get(s.id) ?? [];
    return {
      sceneId: s.id,
      clipId: s.clipId,
      startTime: s.startTime,
      endTime: s.endTime,
      cueCount: list.length,
      ...distribution(list),
    };
  });
}

export function speakerEmotions(cues: ScoredCue[]): SpeakerEmotion[] {
  const by = new Map<string, ScoredCue[]>();
  for (const c of cues) {
    const speaker = c.speaker?.trim();
    if (!speaker) continue;
    const key = `${c.clipId}\u0000${speaker}`;
    (by.get(key) ?? by.set(key, []).get(key)!).push(c);
  }
  return [...by.entries()]
    .map(([key, list]) => ({
      clipId: list[0]!.clipId,
      speaker: key.split("\u0000")[1]!,
      cueCount: list.length,
      ...distribution(list),
    }))
    .sort((a, b) => b.cueCount - a.cueCount || a.speaker.localeCompare(b.speaker));
}

/** One clip's arc: per scene, or fixed bins of `seconds` from 0 to the clip's duration (a cue belongs to the bin of its start). */
export function arc(
  clip: { id: string; duration: number },
  scenes: Array<{ id: string; startTime: number; endTime: number }>,
  cues: ScoredCue[],
  resolution: ArcResolution,
): ArcPoint[] {
  if (resolution.kind === "SCENE") {
    return sceneEmotions(
      scenes.map((s) => ({ ...s, clipId: clip.id })),
      cues,
    ).map((s) => ({
      clipId: clip.id,
      startTime: s.startTime,
      endTime: s.endTime,
      sceneId: s.sceneId,
      cueCount: s.cueCount,
      scores: s.scores,
      dominant: s.dominant,
    }));
  }
  const size = resolution.seconds;
  const bins = Math.max(1, Math.ceil(clip.duration / size - 1e-9));
  const lists: ScoredCue[][] = Array.from({ length: bins }, () => []);
  for (const c of cues) lists[Math.min(bins - 1, Math.max(0, Math.floor(c.startTime / size)))]!.push(c);
  return lists.map((list, i) => ({
    clipId: clip.id,
    startTime: round(i * size, 3),
    endTime: round(i === bins - 1 ? Math.max(clip.duration, i * size) : (i + 1) * size, 3),
    sceneId: null,
    cueCount: list.length,
    ...distribution(list),
  }));
}

/**
 * Per emotion (neutral excluded: its "peak" is the absence of the others) the `perEmotion` cues with the
 * highest score, at least `minScore`, highest first.
 */
export function peaks(cues: ScoredCue[], perEmotion = 3, minScore = 0.3): EmotionPeak[] {
  const out: EmotionPeak[] = [];
  for (const e of EMOTIONS) {
    if (e === "neutral") continue;
    const top = cues
      .filter((c) => c.scores[e] >= minScore)
      .sort((a, b) => b.scores[e] - a.scores[e] || a.startTime - b.startTime)
      .slice(0, perEmotion);
    for (const c of top)
      out.push({
        emotion: e,
        clipId: c.clipId,
        score: round(c.scores[e]),
        cueId: c.cueId,
        sceneId: c.sceneId,
        startTime: c.startTime,
        endTime: c.endTime,
        text: c.text,
        speaker: c.speaker,
      });
  }
  return out;
}
