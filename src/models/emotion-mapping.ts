// From a model's labels to Ekman's six basic emotions plus neutral. GoEmotions' 28 labels are grouped as
// in the GoEmotions paper's Ekman mapping (Demszky et al., 2020, ekman_mapping.json); models that already
// use Ekman's names (e.g. emotion-english-distilroberta-base) map to themselves. Unknown labels are ignored.
import { EMOTIONS, type Emotion, type EmotionScores } from "./model-ports.js";

export const GOEMOTIONS_TO_EKMAN: Record<string, Emotion> = {
  anger: "anger",
  annoyance: "anger",
  disapproval: "anger",
  disgust: "disgust",
  fear: "fear",
  nervousness: "fear",
  joy: "joy",
  amusement: "joy",
  approval: "joy",
  excitement: "joy",
  gratitude: "joy",
  love: "joy",
  optimism: "joy",
  relief: "joy",
  pride: "joy",
  admiration: "joy",
  desire: "joy",
  caring: "joy",
  sadness: "sadness",
  disappointment: "sadness",
  embarrassment: "sadness",
  grief: "sadness",
  remorse: "sadness",
  surprise: "surprise",
  realization: "surprise",
  confusion: "surprise",
  curiosity: "surprise",
  neutral: "neutral",
  // Ekman-labelled models
  happiness: "joy",
  sad: "sadness",
  angry: "anger",
  others: "neutral",
};

export function emptyScores(): EmotionScores {
  return Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as EmotionScores;
}

/**
 * Ekman scores from a model's labels: the mean score of each group's member labels, then a distribution
 * over the groups. A sum would favour the groups with many members (joy has 12 GoEmotions labels, disgust
 * 1): a sigmoid model giving every label the same low score would read as joy. Unknown labels are ignored.
 */
export function toEkman(labels: Array<{ label: string; score: number }>): EmotionScores {
  const sums = emptyScores();
  const members = emptyScores();
  for (const { label, score } of labels) {
    const e = GOEMOTIONS_TO_EKMAN[label.toLowerCase()];
    if (!e || !Number.isFinite(score)) continue;
    members[e] += 1;
    if (score > 0) sums[e] += score;
  }
  const means = emptyScores();
  for (const e of EMOTIONS) means[e] = members[e] > 0 ? sums[e] / members[e] : 0;
  return normaliseScores(means);
}

export function normaliseScores(scores: EmotionScores): EmotionScores {
  const total = EMOTIONS.reduce((n, e) => n + scores[e], 0);
  if (!(total > 0)) return { ...emptyScores(), neutral: 1 };
  const out = emptyScores();
  for (const e of EMOTIONS) out[e] = round(scores[e] / total);
  return out;
}

export function topEmotion(scores: EmotionScores): Emotion {
  let best: Emotion = "neutral";
  for (const e of EMOTIONS) if (scores[e] > scores[best]) best = e;
  return best;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
