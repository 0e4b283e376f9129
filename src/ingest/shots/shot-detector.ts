// Streaming shot-boundary detector: hard cuts and gradual transitions (dissolve, fade through
// black, wipe), without reporting flashes or camera motion.
//
// Features (frame-features.ts): a 48x27 luma thumbnail, a soft 64-bin RGB histogram and the luma
// mean/std from a quarter of the pixels, plus, per consecutive pair, the histogram distance and
// the thumbnail distance with and without camera-motion compensation (best global shift/zoom).
//
// Decisions are taken LOOKAHEAD frames behind the newest frame, over a ring of the last RING
// frames' features: memory is fixed whatever the clip length (~256 x 5.5 KB).
//
//  CUT   the colour histogram jumps between two frames (≥ CUT_MIN of its mass moves: within a shot
//        even fast motion moves far less) AND the jump stands out from the frame-to-frame changes
//        around it (≥ CUT_RATIO x the largest of the 2 neighbours each side: a dissolve moves the
//        histogram steadily, a cut once). The same test runs on the per-quadrant histograms and on
//        the motion-compensated thumbnail distance (its own floor), for cuts between shots of the
//        same colours (two angles of one place).
//  FLASH if within FLASH_SPAN frames of a jump the picture comes back to what it was just before
//        it (or the jump returns to a frame from before), it was a flash or a brief occlusion: no
//        cut, and no gradual comparison may reach back across it.
//  GRADUAL  "twin comparison" on net change: when the histogram distance to the frame GAP frames
//        back exceeds OPEN_DRIFT, a candidate opens with that frame as reference A. It closes when
//        the picture is still again (short-lag change at the shot's own motion level and the net
//        change from A no longer growing, for STABLE_RUN frames, and not black). It is reported
//        when the net change A→B is large (≥ NET_MIN: two different pictures), consecutive frames
//        are not lined up by a global shift (camera pan), and the classifier recognises an edit
//        (transition.classifier.ts: fade, wipe, blend; rejects same-layout lighting changes and
//        zooms). Candidates longer than MAX_LEN (not counting black frames) are motion: dropped.
//        These lags are frames at 24-30 fps and twice as many at 48-60 fps (PACE_FPS).
//        A reported transition is held for a moment: a slow dissolve whose change pauses closes
//        early, and a candidate resuming right after it (≤ MERGE_GAP) is merged into it.
//  BLACK (dark and flat frames, `isDark`): how the picture gets into and out of black decides.
//        - A hard cut to black (or to any dark still) is a CUT like any other: the black is a new
//          shot (films do hold on black), and a hard cut out of it is a CUT too.
//        - Only a gradual darkening is a FADE: a candidate that reaches black. Fade-out + black +
//          fade-in, or fade-out + black + hard cut in, is ONE FADE boundary from the start of the
//          fade-out to the new shot, as long as the black lasts less than BLACK_SHOT seconds.
//        - Black that lasts BLACK_SHOT after a fade-out is a shot of its own: the fade-out is
//          reported as a FADE ending on the first black frame; the way out of the black (fade-in:
//          a candidate whose reference is black, so a FADE; or a hard cut: a CUT) is a boundary of
//          its own. Only frame numbers and times of the black are kept, never frames: memory stays
//          fixed however long the black lasts.
//  END   flush() never reports a change that had not settled when the clip ended: a clip ending in
//        a fade-out (or in the middle of any transition) is a last shot that ends, not a boundary;
//        and no boundary may leave a final shot shorter than MIN_TAIL frames.
import type { Frame } from "../../media/media.port.js";
import type { ShotBoundary } from "../ingest.types.js";
import {
  FeatureExtractor,
  cameraDistance,
  histogramDistance,
  newFeatures,
  quadrantDistance,
  thumbDistance,
  type FrameFeatures,
} from "./frame-features.js";
import { classifyGradual, isDark, type GradualKind } from "./transition.classifier.js";

/** frames a decision waits for: the cut's right-hand neighbours and the flash guard */
const LOOKAHEAD = 6;
/** a flash lasts at most this many frames (at 25 fps, a quarter second) */
const FLASH_SPAN = 6;
/** histogram share that must move at a cut; within a shot, frame to frame, it is mostly < 0.15 */
const CUT_MIN = 0.3;
/** …and motion-compensated thumbnail change at a cut decided by layout (mean luma difference) */
const CUT_MIN_LAYOUT = 0.15;
/** a cut's change must be this many times its neighbours' (isolated peak) */
const CUT_RATIO = 2.5;
/** a smaller jump is a cut too when colours and layout both jump, each standing out from a calm
 * neighbourhood: two similar noisy textures cut together move a fifth of the histogram and a tenth
 * of the luma at once. Colours alone are not enough: the keyframe of a heavily compressed noisy
 * shot refreshes its grain, which moves the histogram as much but leaves the layout in place. */
const QUIET_CUT_MIN = 0.1;
const QUIET_CUT_MIN_LAYOUT = 0.05;
/** a flash returns to within this share of the jump it made */
const FLASH_RETURN = 0.35;
/** lag (frames) of the drift that opens a gradual candidate: ~0.4 s, shorter than most transitions */
const GAP = 10;
/** histogram drift over GAP frames that opens a candidate */
const OPEN_DRIFT = 0.2;
/** lag of the stability test, and how many stable frames in a row close a candidate */
const STABLE_LAG = 3;
const STABLE_RUN = 3;
/** short-lag distance counted as still (floor; raised to 2x the shot's own motion level) */
const STABLE_MAX = 0.08;
/** net histogram change from A to B for a transition (two different shots) */
const NET_MIN = 0.3;
/** longest gradual transition (frames): longer changes are motion */
const MAX_LEN = 75;
/** the lags above are frames at 24-30 fps; at 48-60 fps (PACE_FPS multiples) each is that many
 * times longer, so that a transition is judged over the same time whatever the frame rate */
const PACE_FPS = 25;
const RING = 256;
/** no gradual transition starts within this many frames of a boundary (and the new shot needs a reference) */
const MIN_SHOT = 6;
/** growth of the net change over STABLE_LAG frames still counted as stable */
const NET_GROWTH = 0.04;
/** shifted/unshifted thumbnail change below which a gradual change is camera motion */
const MOTION_SHARE = 0.6;
/** a change resuming within this many frames of a reported gradual transition is its second half
 * (the pause is the STABLE_RUN + STABLE_LAG frames that closed the first half, plus slack) */
const MERGE_GAP = 8;
/** …or within this many seconds (MERGE_GAP at 24-25 fps): at 50-60 fps the pause spans more frames */
const MERGE_SECONDS = 0.34;
/** least fall of the mean luma per frame inside a fade-out (a 0.5 grey fading over 2 s at 60 fps: 0.004) */
const DARKENING_STEP = 0.001;
/** black lasting this long (seconds) after a fade-out is a shot of its own, not the middle of a fade */
const BLACK_SHOT = 2;
/** the shortest final shot a boundary may leave at the end of the clip */
const MIN_TAIL = 3;

/** where a frame is, kept after the frame itself has left the ring */
interface Stamp {
  index: number;
  time: number;
}
const stamp = (f: FrameFeatures): Stamp => ({ index: f.index, time: f.time });

interface Candidate {
  /** reference frame (before the change) */
  ref: number;
  /** a gradual transition just reported: this candidate may be its second half */
  continues?: Pending;
  stableRun: number;
  /** black is part of the change (in A, or inside): a fade */
  sawDark: boolean;
  /** the black reached inside the candidate (a fade-out): where it began and where the fade began */
  dark?: { first: Stamp; start: number; startStamp: Stamp; frames: number };
}

/** A gradual boundary held back until we know no continuation follows (see `hold`). */
interface Pending {
  boundary: ShotBoundary;
  kind: GradualKind;
  last: number;
  ref: number;
  start: number;
  startStamp: Stamp;
  releaseAt: number;
}

export class ShotDetector {
  private readonly extractor = new FeatureExtractor();
  private readonly ring: FrameFeatures[] = Array.from({ length: RING }, () => newFeatures());
  /** per slot: histogram and motion-compensated thumbnail distance to the previous frame */
  private readonly h1 = new Float64Array(RING);
  private readonly m1 = new Float64Array(RING);
  private readonly m0 = new Float64Array(RING);
  private readonly q1 = new Float64Array(RING);
  private count = 0;
  private next = 0;
  /** first frame of the current shot: no comparison reaches back past it */
  private shotStart = 0;
  /** no gradual comparison reaches back past a flash either */
  private barrier = 0;
  /** no gradual candidate's reference (unless black) before this frame: a new shot settles first */
  private settled = 0;
  /** the last flash seen, [first frame, first frame after it] */
  private flash: [number, number] = [-1, -1];
  private candidate?: Candidate;
  /** exponential average of the short-lag histogram change inside the current shot */
  private motionLevel = 0;
  private pending?: Pending;
  /** GAP, STABLE_LAG, STABLE_RUN and MAX_LEN at this clip's frame rate (see PACE_FPS) */
  private lag = { gap: GAP, stable: STABLE_LAG, run: STABLE_RUN, maxLen: MAX_LEN };

  push(frame: Frame): ShotBoundary[] {
    const i = this.count++;
    const f = this.extractor.extract(frame, this.at(i));
    const prev = i > 0 ? this.at(i - 1) : undefined;
    if (i === 1) this.setPace(f.time - prev!.time);
    this.h1[i % RING] = prev ? histogramDistance(prev, f) : 0;
    this.m1[i % RING] = prev ? cameraDistance(prev.thumb, f.thumb) : 0;
    this.m0[i % RING] = prev ? thumbDistance(prev, f) : 0;
    this.q1[i % RING] = prev ? quadrantDistance(prev, f) : 0;
    const out: ShotBoundary[] = [];
    while (this.next <= this.count - 1 - LOOKAHEAD) this.step(this.next++, out);
    return out;
  }

  flush(): ShotBoundary[] {
    const out: ShotBoundary[] = [];
    while (this.next < this.count) this.step(this.next++, out);
    // a candidate still open never settled: the clip ends inside the change (a fade-out, a fade-in
    // or a dissolve cut short). The last shot simply runs to the end: no boundary.
    this.candidate = undefined;
    this.release(out);
    // decided without their right-hand neighbours: nothing may leave a sliver of a final shot
    const lastFrame = this.count > 0 ? this.at(this.count - 1).index : 0;
    return out.filter((b) => b.frame <= lastFrame - MIN_TAIL + 1);
  }

  /** from the first frame interval: 1 up to ~37 fps, 2 at 38-62 fps, … */
  private setPace(frameDuration: number): void {
    const pace = frameDuration > 0 ? Math.max(1, Math.round(1 / (frameDuration * PACE_FPS))) : 1;
    this.lag = { gap: GAP * pace, stable: STABLE_LAG * pace, run: STABLE_RUN * pace, maxLen: MAX_LEN * pace };
  }

  private at(i: number): FrameFeatures {
    return this.ring[i % RING]!;
  }

  private hAt(i: number): number {
    return i > this.shotStart && i < this.count ? this.h1[i % RING]! : 0;
  }

  private qAt(i: number): number {
    return i > this.shotStart && i < this.count ? this.q1[i % RING]! : 0;
  }

  private mAt(i: number): number {
    return i > this.shotStart && i < this.count ? this.m1[i % RING]! : 0;
  }

  // ---- one decision step ----

  private step(p: number, out: ShotBoundary[]): void {
    if (this.pending && !this.candidate && this.mayRelease(this.pending, p)) this.release(out);
    if (p > 0 && this.isCut(p)) {
      this.release(out);
      this.onCut(p, out);
      return;
    }
    this.updateMotionLevel(p);
    if (this.candidate) this.advanceCandidate(p, out);
    else this.maybeOpen(p);
  }

  // ---- cuts ----

  private isCut(p: number): boolean {
    const strong = this.hAt(p) >= CUT_MIN || this.qAt(p) >= CUT_MIN || this.mAt(p) >= CUT_MIN_LAYOUT;
    const quiet =
      !strong &&
      this.isPeak(p, (i) => this.hAt(i), QUIET_CUT_MIN) &&
      this.isPeak(p, (i) => this.mAt(i), QUIET_CUT_MIN_LAYOUT);
    if (!strong && !quiet) return false;
    // flashes first: a 1-2 frame flash is no isolated peak (its return is a jump next to it)
    const flashEnd = this.flashEnd(p);
    if (flashEnd !== undefined) {
      // the flash's bright frames must not open (or sit inside) a gradual candidate either
      this.barrier = Math.max(this.barrier, flashEnd);
      // a jump back (flashEnd === p) closes a flash that began at most FLASH_SPAN + 1 frames ago
      this.flash = [flashEnd === p ? Math.max(this.shotStart, p - FLASH_SPAN - 1) : p, flashEnd];
      return false;
    }
    return (
      quiet ||
      this.isPeak(p, (i) => this.hAt(i), CUT_MIN) ||
      this.isPeak(p, (i) => this.qAt(i), CUT_MIN) ||
      this.isPeak(p, (i) => this.mAt(i), CUT_MIN_LAYOUT)
    );
  }

  /** value(p) above `floor` and `ratio` times above its two neighbours on each side */
  private isPeak(p: number, value: (i: number) => number, floor: number, ratio = CUT_RATIO): boolean {
    const v = value(p);
    if (v < floor) return false;
    const around = Math.max(value(p - 2), value(p - 1), value(p + 1), value(p + 2));
    return v >= ratio * around + 0.02;
  }

  /**
   * A flash: the frames after `p` come back to the frame before it, or `p` comes back to a frame
   * from before the jump. Returns the first frame after the flash, or undefined for a real jump.
   * "Comes back" must hold for colours and layout alike: a cut between two angles of one place
   * keeps the histogram and changes only the layout.
   */
  private flashEnd(p: number): number | undefined {
    for (let j = 1; j <= FLASH_SPAN && p + j < this.count; j++) {
      if (this.returns(p - 1, p, p + j)) return p + j;
    }
    for (let j = 2; j <= FLASH_SPAN + 1 && p - j >= this.shotStart; j++) {
      if (this.returns(p - j, p - 1, p)) return p;
    }
    return undefined;
  }

  /**
   * Frame `back` is close to `origin` again, compared with how far `away` was from it: in colours,
   * and in layout by either measure (quadrant colours, or the luma thumbnail). Either, because
   * during a fast pan the picture has moved on by the time a flash ends: one of the two still sees
   * the same place, while after a cut between two angles neither does.
   */
  private returns(origin: number, away: number, back: number): boolean {
    const o = this.at(origin);
    const [b, a] = [this.at(back), this.at(away)];
    const near = (d: (x: FrameFeatures, y: FrameFeatures) => number, slack: number) =>
      d(o, b) < FLASH_RETURN * d(o, a) + slack;
    return near(histogramDistance, 0.01) && (near(quadrantDistance, 0.01) || near(thumbDistance, 0.005));
  }

  private onCut(p: number, out: ShotBoundary[]): void {
    const c = this.candidate;
    const f = this.at(p);
    if (c?.dark) {
      // fade-out, (short) black, hard cut in: one FADE, from the fade-out to the cut (to any
      // picture, a dark still included)
      this.candidate = undefined;
      this.hold(c.ref, c.dark.start, c.dark.startStamp, stamp(f), p, "FADE", out);
      return;
    }
    // a cut to black (or to a dark still) is a cut: the black is the next shot
    out.push({
      kind: "CUT",
      frame: f.index,
      time: f.time,
      score: Math.min(1, Math.max(Math.max(this.hAt(p), this.qAt(p)) / 0.6, this.mAt(p) / 0.3)),
    });
    this.candidate = undefined;
    this.startShot(p);
    // a gradual candidate's reference lies at least a gap into the new shot: until then the shot's
    // own motion is unmeasured, and a shot that moves steadily from its first frame (a drifting
    // pattern) would look like a dissolve starting at the cut
    this.settled = p + this.lag.gap;
  }

  private startShot(p: number): void {
    this.shotStart = p;
    this.barrier = p;
    this.motionLevel = 0;
  }

  // ---- gradual transitions ----

  private updateMotionLevel(p: number): void {
    if (this.candidate || p - this.lag.stable < this.shotStart) return;
    const d = histogramDistance(this.at(p - this.lag.stable), this.at(p));
    this.motionLevel = this.motionLevel === 0 ? d : 0.9 * this.motionLevel + 0.1 * d;
  }

  private maybeOpen(p: number): void {
    if (p - this.shotStart < MIN_SHOT) return;
    const ref = Math.max(this.barrier, p - this.lag.gap);
    if (ref >= p || (ref < this.settled && !isDark(this.at(ref)))) return;
    const continues = this.pending;
    if (isDark(this.at(p)) && !isDark(this.at(ref))) {
      this.candidate = { ref, stableRun: 0, sawDark: true, continues };
      this.advanceCandidate(p, []);
      return;
    }
    // coming out of black (a black shot, or the black after a fade-out): a fade-in
    if (histogramDistance(this.at(ref), this.at(p)) >= OPEN_DRIFT)
      this.candidate = { ref, stableRun: 0, sawDark: isDark(this.at(ref)), continues };
  }

  private advanceCandidate(p: number, out: ShotBoundary[]): void {
    const c = this.candidate!;
    const f = this.at(p);
    if (isDark(f)) {
      c.sawDark = true;
      c.stableRun = 0;
      if (!c.dark) {
        // the fade-out reached black: where it began is found now, while its frames are in the ring
        const start = Math.max(
          this.changeStart(c.ref, p, histogramDistance(this.at(c.ref), f)),
          this.darkeningStart(c.ref, p),
        );
        c.dark = { first: stamp(f), start, startStamp: stamp(this.at(start)), frames: 0 };
      }
      c.dark.frames++;
      if (f.time - c.dark.first.time >= BLACK_SHOT) {
        // the black lasts: the fade-out ends on its first frame and the black is a shot
        this.candidate = undefined;
        this.hold(c.ref, c.dark.start, c.dark.startStamp, c.dark.first, p, "FADE", out);
        // final at once: a fade-in starting soon after must not merge with it across the black shot
        this.release(out);
        // the black shot began before p: let the way out of it compare with black right away
        this.barrier = p;
      }
      return;
    }
    if (p - c.ref - (c.dark?.frames ?? 0) > this.lag.maxLen) {
      this.candidate = undefined;
      this.release(out);
      return;
    }
    c.stableRun = this.isStill(c, p) ? c.stableRun + 1 : 0;
    if (c.stableRun >= this.lag.run) this.closeGradual(c, p - this.lag.run - this.lag.stable + 2, out);
  }

  /**
   * Still: the last STABLE_LAG frames changed no more than the shot moved before the candidate,
   * and the distance to A has stopped growing (inside a slow dissolve the short-lag change can dip,
   * the net change keeps growing).
   */
  private isStill(c: Candidate, p: number): boolean {
    const f = this.at(p);
    const back = this.at(p - this.lag.stable);
    if (histogramDistance(back, f) >= Math.max(STABLE_MAX, 2 * this.motionLevel)) return false;
    const a = this.at(c.ref);
    return histogramDistance(a, f) - histogramDistance(a, back) < NET_GROWTH;
  }

  /**
   * Ends the candidate with B = frame `end`; holds it when it is an edit. A candidate that opens
   * right after a reported transition and is an edit too is its second half (a slow dissolve whose
   * change paused): the two are merged into one boundary.
   */
  private closeGradual(c: Candidate, end: number, out: ShotBoundary[]): void {
    this.candidate = undefined;
    const last = Math.min(this.count - 1, Math.max(end, c.ref + 1));
    const judged = this.judge(c, last);
    const first = c.continues && judged && this.resumes(c.continues, judged.start) ? c.continues : undefined;
    if (!judged) {
      this.release(out);
      return;
    }
    let { kind, start } = judged;
    let startStamp = c.dark && start === c.dark.start ? c.dark.startStamp : stamp(this.at(start));
    let ref = c.ref;
    if (first) {
      start = first.start;
      startStamp = first.startStamp;
      ref = first.ref;
      if (first.kind === "FADE") kind = "FADE";
      else if (kind !== "FADE") kind = first.kind;
      this.pending = undefined;
    }
    this.hold(ref, start, startStamp, stamp(this.at(last)), last, kind, out);
  }

  /** a change starting at frame `start` resumes the gradual transition `pending` after a pause */
  private resumes(pending: Pending, start: number): boolean {
    if (start - pending.last <= MERGE_GAP) return true;
    return this.at(start).time - pending.boundary.time <= MERGE_SECONDS;
  }

  /** Is ref → last an edit? Returns its kind and first frame. */
  private judge(c: Candidate, last: number): { kind: GradualKind; start: number } | undefined {
    const net = histogramDistance(this.at(c.ref), this.at(last));
    if (net < NET_MIN && !c.sawDark) return undefined;
    // a fade-out's start was found when it reached black (its frames may have left the ring since)
    const start = c.dark?.start ?? this.changeStart(c.ref, last, net);
    if (c.sawDark) return { kind: "FADE", start };
    if (this.cameraMotion(start, last)) return undefined;
    const middle: FrameFeatures[] = [];
    for (let i = start; i < last; i++) middle.push(this.at(i));
    const kind = classifyGradual(this.at(Math.max(c.ref, start - 1)), this.at(last), middle);
    return kind ? { kind, start } : undefined;
  }

  /**
   * Reports (after a hold) the gradual transition [s, b]; the detector's new shot begins at frame
   * `last` (in the ring: b itself, or a later frame when b has left the ring, e.g. the first frame
   * of a long black).
   */
  private hold(
    ref: number,
    start: number,
    s: Stamp,
    b: Stamp,
    last: number,
    kind: GradualKind,
    out: ShotBoundary[],
  ): void {
    // a merged transition's reference may have left the ring: fall back to the oldest frame kept
    const net = histogramDistance(this.at(Math.max(ref, last - RING + LOOKAHEAD + 1)), this.at(last));
    const boundary: ShotBoundary = {
      kind,
      frame: b.index,
      time: b.time,
      startFrame: s.index,
      startTime: s.time,
      score: Math.min(1, Math.max(net, 0.3) / 0.6),
    };
    this.startShot(last);
    // the frames judged stable after B are the new shot's first reference
    this.barrier = Math.min(this.count - 1, last + this.lag.run + this.lag.stable - 2);
    this.release(out);
    this.pending = { boundary, kind, last, ref, start, startStamp: s, releaseAt: last + MIN_SHOT + this.lag.gap };
  }

  /**
   * No candidate opening at `p` or later can be the pending transition's second half: its change
   * starts after p - GAP, later than MERGE_GAP frames and MERGE_SECONDS after the pending one (at
   * 50-60 fps the seconds are the longer wait).
   */
  private mayRelease(pending: Pending, p: number): boolean {
    if (p < pending.releaseAt) return false;
    const gap = this.lag.gap;
    return p - gap < this.shotStart || this.at(p - gap).time - pending.boundary.time > MERGE_SECONDS;
  }

  private release(out: ShotBoundary[]): void {
    if (this.pending) out.push(this.pending.boundary);
    this.pending = undefined;
  }

  /**
   * Camera motion explains the change: a global shift lines consecutive frames up much better than
   * no shift does (a pan). In a dissolve or a wipe no shift helps, so both distances are alike.
   */
  private cameraMotion(start: number, last: number): boolean {
    let shifted = 0;
    let plain = 0;
    for (let i = start; i <= last; i++) {
      // flash frames (and the jump back from them) are no camera motion either way
      if (i >= this.flash[0] && i <= this.flash[1]) continue;
      shifted += this.m1[i % RING]!;
      plain += this.m0[i % RING]!;
    }
    return shifted < MOTION_SHARE * plain;
  }

  /**
   * The first frame of the steady darkening that ends in black frame `dark`: a fade-out lowers the
   * mean luma every frame. The histogram alone dates a fade-out from a moving shot (a pan) to where
   * the candidate opened, long before the fade began.
   */
  private darkeningStart(ref: number, dark: number): number {
    let i = dark;
    while (i - 1 > ref && this.at(i - 1).mean > this.at(i).mean + DARKENING_STEP) i--;
    return i;
  }

  /** the first frame whose histogram has moved a fifth of the net change away from A */
  private changeStart(ref: number, last: number, net: number): number {
    const a = this.at(ref);
    for (let i = ref + 1; i < last; i++) if (histogramDistance(a, this.at(i)) >= 0.2 * net) return i;
    return ref + 1;
  }
}

export { shotsFromBoundaries } from "./shot-records.js";
