// Style metrics, computed from stored rows, on fixed scales so that clips can be compared: shot lengths
// (fixed histogram bins), cutting rate in fixed time bins, transition mix, visual statistics of keyframes
// weighted by the duration of their shots, and dialogue pace with CJK-aware word counting.
import type { CueData, KeyframeData, ShotData } from "../scope.js";
import { mean, median, round, sentences, stdDev, words } from "../text.js";
import { TRANSITION_KINDS as ALL_TRANSITION_KINDS, type TransitionKind } from "../../domain/enums.js";
import type {
  CuttingRatePoint as RatePoint,
  DialoguePace as DialogueStats,
  ShotLengthStats,
  TransitionShare,
  VisualBin,
  VisualPoint,
  VisualStyle as VisualStats,
} from "./style.types.js";

export type { DialogueStats, RatePoint, ShotLengthStats, VisualBin, VisualPoint, VisualStats };

/** Shot-length histogram edges in seconds (the last bin is open). Fixed: comparable across clips. */
export const SHOT_LENGTH_EDGES = [0, 1, 2, 3, 4, 6, 8, 12, 20, 30];

export function shotLengthStats(shots: Array<Pick<ShotData, "startTime" | "endTime">>): ShotLengthStats {
  const lengths = shots.map((s) => Math.max(0, s.endTime - s.startTime));
  const histogram = SHOT_LENGTH_EDGES.map((minLength, i) => ({
    minLength,
    maxLength: SHOT_LENGTH_EDGES[i + 1] ?? null,
    count: 0,
    share: 0,
  }));
  for (const l of lengths) {
    let bin = SHOT_LENGTH_EDGES.length - 1;
    for (let i = 0; i < SHOT_LENGTH_EDGES.length - 1; i++)
      if (l < SHOT_LENGTH_EDGES[i + 1]!) {
        bin = i;
        break;
      }
    histogram[bin]!.count++;
  }
  for (const b of histogram) b.share = round(lengths.length ? b.count / lengths.length : 0);
  return {
    count: lengths.length,
    averageLength: round(mean(lengths), 3),
    medianLength: round(median(lengths), 3),
    stdDev: round(stdDev(lengths), 3),
    minLength: round(lengths.length ? Math.min(...lengths) : 0, 3),
    maxLength: round(lengths.length ? Math.max(...lengths) : 0, 3),
    histogram,
  };
}

/** Transitions (every shot start except the first) per time bin, as a rate per minute of the bin's length. */
export function cuttingRate(
  shots: Array<Pick<ShotData, "startTime" | "transition">>,
  duration: number,
  binSeconds = 60,
): RatePoint[] {
  const bins = Math.max(1, Math.ceil(duration / binSeconds - 1e-9));
  const out: RatePoint[] = Array.from({ length: bins }, (_, i) => {
    const startTime = round(i * binSeconds, 3);
    const endTime = round(i === bins - 1 ? Math.max(duration, i * binSeconds) : (i + 1) * binSeconds, 3);
    return { startTime, endTime, cuts: 0, cutsPerMinute: 0 };
  });
  for (const s of shots) {
    if (s.transition === "START") continue;
    out[Math.min(bins - 1, Math.max(0, Math.floor(s.startTime / binSeconds)))]!.cuts++;
  }
  for (const p of out) {
    const len = p.endTime - p.startTime;
    p.cutsPerMinute = round(len > 0 ? (p.cuts * 60) / len : 0, 3);
  }
  return out;
}

/** the transitions between shots (START: the first shot, which follows none) */
export const TRANSITION_KINDS = ALL_TRANSITION_KINDS.filter(
  (k): k is Exclude<TransitionKind, "START"> => k !== "START",
);

export function transitionMix(shots: Array<Pick<ShotData, "transition">>): TransitionShare[] {
  const counted = shots.filter((s) => s.transition !== "START");
  return TRANSITION_KINDS.map((kind) => {
    const count = counted.filter((s) => s.transition === kind).length;
    return { kind, count, share: round(counted.length ? count / counted.length : 0) };
  });
}

/** Below these a frame is taken as monochrome (grey: Hasler & Süsstrunk colourfulness, HSV saturation). */
export const MONOCHROME_COLOURFULNESS = 6;
export const MONOCHROME_SATURATION = 0.06;

const isMonochrome = (k: Pick<KeyframeData, "colourfulness" | "saturation">) =>
  k.colourfulness < MONOCHROME_COLOURFULNESS || k.saturation < MONOCHROME_SATURATION;

function weightedMean(items: KeyframeData[], f: (k: KeyframeData) => number): number {
  const w = items.reduce((a, k) => a + (k.weight || 0), 0);
  if (w <= 0) return mean(items.map(f));
  return items.reduce((a, k) => a + f(k) * (k.weight || 0), 0) / w;
}

function quantise(hex: string): string {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex.toLowerCase();
  const q = (h: string) => Math.min(255, Math.round(parseInt(h, 16) / 32) * 32);
  return `#${[m[1]!, m[2]!, m[3]!].map((h) => q(h).toString(16).padStart(2, "0")).join("")}`;
}

export function visualStats(keyframes: KeyframeData[], duration: number, binSeconds = 60): VisualStats {
  const total = keyframes.reduce((a, k) => a + (k.weight || 0), 0);
  const mono = keyframes.filter(isMonochrome);
  const monoWeight = mono.reduce((a, k) => a + (k.weight || 0), 0);
  const monochromeShare = keyframes.length === 0 ? 0 : total > 0 ? monoWeight / total : mono.length / keyframes.length;
  const colours = new Map<string, number>();
  for (const k of keyframes)
    for (const p of k.palette)
      colours.set(quantise(p.hex), (colours.get(quantise(p.hex)) ?? 0) + p.share * (k.weight || 1));
  const colourTotal = [...colours.values()].reduce((a, b) => a + b, 0);
  const palette = [...colours.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([hex, w]) => ({ hex, share: round(colourTotal ? w / colourTotal : 0) }));
  const bins = Math.max(1, Math.ceil(duration / binSeconds - 1e-9));
  const binned: KeyframeData[][] = Array.from({ length: bins }, () => []);
  for (const k of keyframes) binned[Math.min(bins - 1, Math.max(0, Math.floor(k.time / binSeconds)))]!.push(k);
  return {
    keyframes: keyframes.length,
    brightness: round(weightedMean(keyframes, (k) => k.brightness)),
    contrast: round(weightedMean(keyframes, (k) => k.contrast)),
    saturation: round(weightedMean(keyframes, (k) => k.saturation)),
    colourfulness: round(
      weightedMean(keyframes, (k) => k.colourfulness),
      2,
    ),
    monochromeShare: round(monochromeShare),
    blackAndWhite: keyframes.length > 0 && monochromeShare >= 0.9,
    palette,
    series: keyframes.map((k) => ({
      time: k.time,
      brightness: round(k.brightness),
      contrast: round(k.contrast),
      saturation: round(k.saturation),
      colourfulness: round(k.colourfulness, 2),
      dominantColour: [...k.palette].sort((a, b) => b.share - a.share)[0]?.hex ?? null,
      monochrome: isMonochrome(k),
    })),
    bins: binned.map((list, i) => ({
      startTime: round(i * binSeconds, 3),
      endTime: round(i === bins - 1 ? Math.max(duration, i * binSeconds) : (i + 1) * binSeconds, 3),
      keyframes: list.length,
      brightness: list.length ? round(weightedMean(list, (k) => k.brightness)) : null,
      contrast: list.length ? round(weightedMean(list, (k) => k.contrast)) : null,
      saturation: list.length ? round(weightedMean(list, (k) => k.saturation)) : null,
      colourfulness: list.length
        ? round(
            weightedMean(list, (k) => k.colourfulness),
            2,
          )
        : null,
    })),
  };
}

/** Seconds of [from, to) covered by the union of the intervals. */
export function coveredSeconds(intervals: Array<[number, number]>, from = -Infinity, to = Infinity): number {
  const clipped = intervals
    .map(([a, b]): [number, number] => [Math.max(a, from), Math.min(b, to)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curA = -Infinity;
  let curB = -Infinity;
  for (const [a, b] of clipped) {
    if (a > curB) {
      if (curB > curA) total += curB - curA;
      curA = a;
      curB = b;
    } else curB = Math.max(curB, b);
  }
  if (curB > curA) total += curB - curA;
  return total;
}

export function dialogueStats(
  cues: Array<Pick<CueData, "startTime" | "endTime" | "text">>,
  duration: number,
  language: string | null,
  binSeconds = 60,
): DialogueStats {
  const locale = language ?? undefined;
  const cueWords = cues.map((c) => words(c.text, locale));
  const all = cueWords.flat().map((w) => w.toLocaleLowerCase(locale));
  // a cue ends a sentence even without punctuation (subtitles often drop the full stop)
  const sents = cues.flatMap((c) => sentences(c.text.replace(/\s+/g, " "), locale));
  const questions = sents.filter((s) => /[?？]\s*["'”’»)]*$/.test(s)).length;
  const exclamations = sents.filter((s) => /[!！¡]\s*["'”’»)]*$/.test(s)).length;
  const intervals = cues.map((c): [number, number] => [c.startTime, c.endTime]);
  const speech = coveredSeconds(intervals, 0, Math.max(duration, 0));
  const windowed = (() => {
    const w = 50;
    if (all.length <= w) return all.length ? new Set(all).size / all.length : 0;
    const ratios: number[] = [];
    for (let i = 0; i + w <= all.length; i++) ratios.push(new Set(all.slice(i, i + w)).size / w);
    return mean(ratios);
  })();
  const bins = Math.max(1, Math.ceil(duration / binSeconds - 1e-9));
  const binWords = new Array<number>(bins).fill(0);
  cues.forEach(
    (c, i) => (binWords[Math.min(bins - 1, Math.max(0, Math.floor(c.startTime / binSeconds)))]! += cueWords[i]!.length),
  );
  return {
    language,
    cues: cues.length,
    words: all.length,
    sentences: sents.length,
    wordsPerMinute: round(duration > 0 ? (all.length * 60) / duration : 0, 2),
    wordsPerSpeakingMinute: round(speech > 0 ? (all.length * 60) / speech : 0, 2),
    speechShare: round(duration > 0 ? speech / duration : 0),
    meanSentenceLength: round(sents.length ? all.length / sents.length : 0, 2),
    questions,
    exclamations,
    questionShare: round(sents.length ? questions / sents.length : 0),
    exclamationShare: round(sents.length ? exclamations / sents.length : 0),
    typeTokenRatio: round(all.length ? new Set(all).size / all.length : 0),
    mattr: round(windowed),
    bins: binWords.map((n, i) => {
      const startTime = i * binSeconds;
      const endTime = i === bins - 1 ? Math.max(duration, startTime) : (i + 1) * binSeconds;
      const len = endTime - startTime;
      return {
        startTime: round(startTime, 3),
        endTime: round(endTime, 3),
        words: n,
        wordsPerMinute: round(len > 0 ? (n * 60) / len : 0, 2),
        speechShare: round(len > 0 ? coveredSeconds(intervals, startTime, endTime) / len : 0),
      };
    }),
  };
}
