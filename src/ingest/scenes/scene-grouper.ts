// Scene grouping: shots -> scenes, the unit of retrieval and analysis.
//
// Input is exactly what the pipeline has after the decode pass and subtitle parsing: the shots, one
// colour histogram per shot (from its keyframe, `colourHistogram`; missing/empty = unknown), the cues
// of the main dialogue track, and the clip duration.
//
// 1. Boundary evidence. For every boundary between consecutive shots b-1 | b we measure
//    - the visual link: the best histogram intersection between any shot j before the boundary and any
//      shot k after it with k - j <= linkWindow (4). Comparing across a window rather than only the two
//      neighbours is what keeps shot/reverse-shot (A B A B, or A B C A with three speakers) together:
//      A links to the next A over the B in between, so every boundary inside the exchange is bridged.
//      Links never bridge a FADE. No histogram on either side -> unknown.
//    - dialogue continuity: a cue running across the boundary (starting more than 0.15 s before it and
//      ending more than 0.15 s after it), or a silence between the last cue before it and the first
//      cue after it (cues split at their midpoints) shorter than maxDialogueGapSeconds (2 s).
//    The boundary time is the cut itself, or the middle of a gradual transition (for a fade: the dark
//    part between the fade-out and the fade-in).
//
// 2. Decision, per boundary, in this order:
//    a. FADE transition                                     -> new scene ("fade")
//    b. dialogue runs across                                -> same scene ("dialogue")
//    c. visual link >= similarityThreshold (0.5)            -> same scene ("visual")
//    d. visual link unknown (no keyframes)                  -> same scene ("unknown"; the length cap
//                                                              below still bounds the scene)
//    e. otherwise: a visual change during a dialogue silence -> new scene ("change")
//
// 3. Short scenes merge. While some scene is shorter than minSceneSeconds (3 s), the shortest one is
//    merged into the neighbour across the weaker of its two boundaries (weakest = lowest strength,
//    below). This absorbs inserts, a single tiny shot between two scenes, flash frames and the like.
//
// 4. Long scenes split. A scene longer than maxSceneSeconds (180 s) is split at its internal boundary
//    with the highest strength (the weakest link) among those that leave both parts >= minSceneSeconds,
//    recursively, so retrieval units stay small. A single shot longer than the cap cannot be split.
//
//    strength = 1 for a FADE, else
//               0.55 x (1 - visual link, 0.5 when unknown)
//             + 0.35 x dialogue break (0 when a cue runs across, else silence / 6 s capped at 1)
//             + 0.10 for a DISSOLVE or WIPE (editors use them for passing time)
//    with a 0.05 bonus for splitting near the middle of the scene, to break near-ties.
//
// 5. Scenes tile the clip: scene 0 starts at 0, each scene ends where the next starts, the last ends at
//    `duration`; times are rounded to the millisecond. A cue belongs to the scene containing its
//    midpoint; a scene's text is its cues' text in time order, joined with newlines.
import type { SceneRecord, ShotRecord, TransitionKind } from "../ingest.types.js";
import { histogramSimilarity } from "../keyframes/visual-stats.js";

export interface SceneCue {
  startTime: number;
  endTime: number;
  /** clean text (no markup) */
  text: string;
}

export interface SceneGroupingInput {
  /** the clip's shots, in order */
  shots: readonly ShotRecord[];
  /** per shot (same positions as `shots`), the colour histogram of its keyframe; missing or empty = unknown */
  histograms: ReadonlyArray<ArrayLike<number> | undefined>;
  /** cues of the main dialogue track */
  cues: readonly SceneCue[];
  /** clip duration in seconds */
  duration: number;
}

export interface SceneGroupingOptions {
  /** histogram intersection at or above which two shots look like the same place (default 0.5) */
  similarityThreshold?: number;
  /** how many shots apart two shots may be and still link (default 4) */
  linkWindow?: number;
  /** a dialogue silence shorter than this keeps shots together (default 2 s) */
  maxDialogueGapSeconds?: number;
  /** how far a cue must extend on both sides of a cut to count as running across it (default 0.15 s) */
  cueSpanToleranceSeconds?: number;
  /** scenes shorter than this are merged into a neighbour (default 3 s) */
  minSceneSeconds?: number;
  /** scenes longer than this are split (default 180 s) */
  maxSceneSeconds?: number;
}

export type BoundaryReason = "fade" | "dialogue" | "visual" | "unknown" | "change";

export interface SceneBoundary {
  /** position in `shots` of the first shot after the boundary */
  position: number;
  /** where a scene starting here starts */
  time: number;
  transition: TransitionKind;
  /** best histogram intersection across the boundary within the link window; NaN = unknown */
  visualLink: number;
  /** a cue runs across the boundary */
  cueAcross: boolean;
  /** dialogue silence around the boundary in seconds (Infinity when there is no cue on one side) */
  silence: number;
  /** 0..1, how much this looks like a scene change; used to merge and split */
  strength: number;
  /** the rule that decided */
  reason: BoundaryReason;
  /** the rules (step 2) start a new scene here */
  sceneBreak: boolean;
}

const DEFAULTS: Required<SceneGroupingOptions> = {
  similarityThreshold: 0.5,
  linkWindow: 4,
  maxDialogueGapSeconds: 2,
  cueSpanToleranceSeconds: 0.15,
  minSceneSeconds: 3,
  maxSceneSeconds: 180,
};

const ms = (t: number) => Math.round(t * 1000) / 1000;
const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);

function resolveOptions(options: SceneGroupingOptions | undefined): Required<SceneGroupingOptions> {
  const o = { ...DEFAULTS };
  for (const [k, v] of Object.entries(options ?? {}) as Array<[keyof SceneGroupingOptions, number | undefined]>) {
    if (v !== undefined && Number.isFinite(v)) o[k] = v;
  }
  o.linkWindow = Math.max(1, Math.floor(o.linkWindow));
  o.minSceneSeconds = Math.max(0, o.minSceneSeconds);
  o.maxSceneSeconds = Math.max(o.maxSceneSeconds, 2 * o.minSceneSeconds, 1e-3);
  return o;
}

function clipDuration(input: SceneGroupingInput): number {
  if (Number.isFinite(input.duration) && input.duration > 0) return input.duration;
  const last = input.shots[input.shots.length - 1];
  return Math.max(0, last?.endTime ?? 0);
}

const dialogueCues = (cues: readonly SceneCue[]) =>
  cues.filter((c) => Number.isFinite(c.startTime) && Number.isFinite(c.endTime) && c.text.trim() !== "");

/** The evidence and decision at every boundary between consecutive shots (index 0 = before shot 1). */
export function analyseSceneBoundaries(input: SceneGroupingInput, options?: SceneGroupingOptions): SceneBoundary[] {
  const o = resolveOptions(options);
  const { shots, histograms } = input;
  const n = shots.length;
  if (n < 2) return [];
  const duration = clipDuration(input);
  const cues = dialogueCues(input.cues);

  // Boundary times (monotonic, inside the clip).
  const times: number[] = [];
  let prevTime = 0;
  for (let b = 1; b < n; b++) {
    const shot = shots[b]!;
    const prev = shots[b - 1]!;
    let t = shot.startTime;
    if (shot.transition !== "CUT" && shot.transition !== "START") {
      const from = shot.transitionStart ?? prev.endTime;
      if (Number.isFinite(from) && from < shot.startTime) t = (from + shot.startTime) / 2;
    }
    t = clamp(ms(t), prevTime, duration);
    times.push(t);
    prevTime = t;
  }

  // Visual links across each boundary: max similarity over pairs j < b <= k, k - j <= window, no FADE
  // in between.
  const link = new Array<number>(n).fill(Number.NaN); // link[b] for boundary before shot b
  for (let j = 0; j < n - 1; j++) {
    for (let k = j + 1; k < n && k - j <= o.linkWindow; k++) {
      if (shots[k]!.transition === "FADE") break; // the pair (j, k) would bridge a fade
      const s = histogramSimilarity(histograms[j], histograms[k]);
      if (Number.isNaN(s)) continue;
      for (let b = j + 1; b <= k; b++) if (!(link[b]! >= s)) link[b] = s;
    }
  }

  const out: SceneBoundary[] = [];
  for (let b = 1; b < n; b++) {
    const t = times[b - 1]!;
    const transition = shots[b]!.transition;
    let cueAcross = false;
    let prevEnd = Number.NEGATIVE_INFINITY;
    let nextStart = Number.POSITIVE_INFINITY;
    for (const c of cues) {
      if (c.startTime < t - o.cueSpanToleranceSeconds && c.endTime > t + o.cueSpanToleranceSeconds) cueAcross = true;
      if ((c.startTime + c.endTime) / 2 < t) prevEnd = Math.max(prevEnd, c.endTime);
      else nextStart = Math.min(nextStart, c.startTime);
    }
    const silence = cueAcross
      ? 0
      : Number.isFinite(prevEnd) && Number.isFinite(nextStart)
        ? Math.max(0, nextStart - prevEnd)
        : Infinity;
    const visualLink = link[b]!;

    let reason: BoundaryReason;
    if (transition === "FADE") reason = "fade";
    else if (cueAcross || silence < o.maxDialogueGapSeconds) reason = "dialogue";
    else if (visualLink >= o.similarityThreshold) reason = "visual";
    else if (Number.isNaN(visualLink)) reason = "unknown";
    else reason = "change";

    let strength: number;
    if (transition === "FADE") strength = 1;
    else {
      const visualChange = Number.isNaN(visualLink) ? 0.5 : 1 - visualLink;
      const dialogueBreak = cueAcross ? 0 : clamp(silence / (3 * o.maxDialogueGapSeconds), 0, 1);
      const gradual = transition === "DISSOLVE" || transition === "WIPE" ? 0.1 : 0;
      strength = clamp(0.55 * visualChange + 0.35 * dialogueBreak + gradual, 0, 1);
    }
    out.push({
      position: b,
      time: t,
      transition,
      visualLink,
      cueAcross,
      silence,
      strength,
      reason,
      sceneBreak: reason === "fade" || reason === "change",
    });
  }
  return out;
}

interface Span {
  /** positions in `shots`, inclusive */
  first: number;
  last: number;
}

export function groupScenes(input: SceneGroupingInput, options?: SceneGroupingOptions): SceneRecord[] {
  const o = resolveOptions(options);
  const duration = ms(clipDuration(input));
  const { shots } = input;
  const n = shots.length;
  if (duration <= 0 && n === 0) return [];
  if (n === 0) {
    // no video shots: one scene for the whole clip (empty shot range)
    return withText([{ index: 0, startTime: 0, endTime: duration, firstShot: 0, lastShot: -1, text: "" }], input.cues);
  }

  const boundaries = analyseSceneBoundaries(input, o);
  // start time of a scene beginning at shot position p
  const startOf = (p: number) => (p === 0 ? 0 : boundaries[p - 1]!.time);
  const endOf = (span: Span) => (span.last === n - 1 ? duration : boundaries[span.last]!.time);
  const lengthOf = (span: Span) => endOf(span) - startOf(span.first);
  const strengthAt = (p: number) => boundaries[p - 1]!.strength; // boundary before shot position p

  // Step 2: cut at the rule breaks.
  let spans: Span[] = [];
  let first = 0;
  for (const b of boundaries) {
    if (!b.sceneBreak) continue;
    spans.push({ first, last: b.position - 1 });
    first = b.position;
  }
  spans.push({ first, last: n - 1 });

  // Step 3: merge short scenes, shortest first, across their weaker boundary.
  while (spans.length > 1) {
    let victim = -1;
    let shortest = Infinity;
    for (let i = 0; i < spans.length; i++) {
      const len = lengthOf(spans[i]!);
      if (len < o.minSceneSeconds && len < shortest) {
        shortest = len;
        victim = i;
      }
    }
    if (victim < 0) break;
    const span = spans[victim]!;
    const before = victim > 0 ? strengthAt(span.first) : Infinity;
    const after = victim < spans.length - 1 ? strengthAt(span.last + 1) : Infinity;
    if (before <= after) {
      spans[victim - 1]!.last = span.last;
      spans.splice(victim, 1);
    } else {
      spans[victim + 1]!.first = span.first;
      spans.splice(victim, 1);
    }
  }

  // Step 4: split long scenes at their weakest link.
  const split = (span: Span): Span[] => {
    const start = startOf(span.first);
    const end = endOf(span);
    if (end - start <= o.maxSceneSeconds || span.first === span.last) return [span];
    let best = -1;
    let bestValue = -Infinity;
    for (const relaxed of [false, true]) {
      for (let p = span.first + 1; p <= span.last; p++) {
        const t = startOf(p);
        const left = t - start;
        const right = end - t;
        if (relaxed ? left <= 0 || right <= 0 : left < o.minSceneSeconds || right < o.minSceneSeconds) continue;
        const balance = 1 - Math.abs(left - right) / (end - start);
        const value = strengthAt(p) + 0.05 * balance;
        if (value > bestValue) {
          bestValue = value;
          best = p;
        }
      }
      if (best >= 0) break;
    }
    if (best < 0) return [span];
    return [...split({ first: span.first, last: best - 1 }), ...split({ first: best, last: span.last })];
  };
  spans = spans.flatMap(split);

  const scenes: SceneRecord[] = spans.map((span, index) => ({
    index,
    startTime: ms(startOf(span.first)),
    endTime: ms(endOf(span)),
    firstShot: shots[span.first]!.index,
    lastShot: shots[span.last]!.index,
    text: "",
  }));
  return withText(scenes, input.cues);
}

/**
 * The scene (position in `scenes`) of each cue: the one containing the cue's midpoint. Cues before
 * the first scene go to the first, after the last to the last; -1 only when there are no scenes.
 */
export function assignCuesToScenes(
  scenes: readonly Pick<SceneRecord, "startTime" | "endTime">[],
  cues: readonly Pick<SceneCue, "startTime" | "endTime">[],
): number[] {
  return cues.map((c) => sceneAt(scenes, (c.startTime + c.endTime) / 2));
}

/** Position of the scene containing time t (start inclusive, end exclusive; the last scene includes its end). */
export function sceneAt(scenes: readonly Pick<SceneRecord, "startTime" | "endTime">[], t: number): number {
  if (scenes.length === 0) return -1;
  let lo = 0;
  let hi = scenes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (scenes[mid]!.startTime <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function withText(scenes: SceneRecord[], cues: readonly SceneCue[]): SceneRecord[] {
  const ordered = cues
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.text.trim() !== "" && Number.isFinite(c.startTime) && Number.isFinite(c.endTime))
    .sort((a, b) => a.c.startTime - b.c.startTime || a.c.endTime - b.c.endTime || a.i - b.i);
  const parts: string[][] = scenes.map(() => []);
  for (const { c } of ordered) {
    const s = sceneAt(scenes, (c.startTime + c.endTime) / 2);
    if (s >= 0) parts[s]!.push(c.text.trim());
  }
  return scenes.map((scene, i) => ({ ...scene, text: parts[i]!.join("\n") }));
}
