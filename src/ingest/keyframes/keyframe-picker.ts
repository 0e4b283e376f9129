// Streaming keyframe picker: one representative frame per shot, chosen during the single decode pass
// without ever holding a whole shot in memory.
//
// How it works
// ------------
// Every decoded frame is `offer`ed. The picker keeps two small sets of copies:
//
//  * a sampled pool of at most `maxCandidates` (K, default 16) frames spread evenly over the "open
//    region" (everything offered since the last shot was taken). A frame joins the pool when its index
//    reaches `nextAccept`; the stride starts at 1. When the pool overflows it is decimated: adjacent
//    candidates are paired and the better-scoring one of each pair survives (so coverage stays even -
//    one survivor per pair - while blurred or black frames are the ones dropped), and the stride
//    doubles. A 10 000-frame shot therefore costs K copies, sampled every ~10000/K frames.
//
//  * a ring of the last `recentFrames` (R, default 8) frames, every frame. The shot detector reports a
//    boundary some frames late; by then the first frames of the next shot were only sampled at the
//    previous (possibly very coarse) stride. The ring guarantees they are still there, and a shot
//    shorter than the detector's delay still gets a keyframe. Ring frames newer than the shot being
//    taken are moved into the pool so they survive.
//
// Memory is bounded by K + R frame copies (+ recycled buffers of the same number), whatever the
// shot length: at 320x180 RGB24, 24 x 172.8 kB ≈ 4.1 MB.
//
// `take(shot)` (shots arrive in order) selects among the candidates with startFrame <= index <= endFrame
// and then forgets every candidate up to endFrame (those before startFrame were transition frames);
// candidates after endFrame stay for the next shot. The stride starts again at 1 for the new region.
//
// Which frame represents a shot
// -----------------------------
// We prefer the middle of the shot (20%..80% of its frames by default): the edges are where cuts are
// detected a frame late, where dissolves and fades blend two images, and where camera moves start or
// settle. Among the candidates we take the one with the best score:
//
//    score = (std of the 4-neighbour Laplacian of luma + 0.01) x exposure x (1 - 0.8 x clipped)
//
// The Laplacian's spread is the classic focus/motion-blur measure (a blurred or flat frame has almost
// none). `exposure` ramps from 0.05 (mean luma < 4% or > 96%: near-black or blown-out, e.g. the black
// of a fade) to 1 (mean luma between 15% and 85%), `clipped` is the share of pixels crushed to black or
// blown to white. Candidates outside the middle window are still eligible but their score is multiplied
// by `edgePenalty` (0.35): an edge frame only wins when it is clearly better (e.g. the middle of the
// shot is black) or when no middle candidate exists (a very short shot). Ties go to the frame closest to
// the shot's centre.
import type { Frame } from "../../media/media.port.js";

export interface KeptFrame extends Frame {
  /** the picker's score (higher is better); see frameScore */
  score: number;
  /** standard deviation of the luma Laplacian (0..255 scale) */
  sharpness: number;
  /** mean luma in [0, 1] (integer Rec.709 approximation) */
  meanLuma: number;
}

export interface KeyframePickerOptions {
  /** sampled candidates kept per open region before decimation (default 16, at least 2) */
  maxCandidates?: number;
  /** most recent frames always kept, to cover the shot detector's reporting delay (default 8) */
  recentFrames?: number;
  /** preferred part of a shot, as fractions of its length (default [0.2, 0.8]) */
  middle?: readonly [number, number];
  /** score multiplier for candidates outside the preferred part (default 0.35) */
  edgePenalty?: number;
}

export interface FrameScore {
  score: number;
  sharpness: number;
  meanLuma: number;
}

const ramp = (x: number, lo: number, hi: number) => (x <= lo ? 0 : x >= hi ? 1 : (x - lo) / (hi - lo));

/**
 * Sharpness / exposure score of one RGB24 frame. Visits a 2x2 grid (every other pixel of every other
 * row) and evaluates the Laplacian with the direct neighbours, so fine detail still counts.
 */
export function frameScore(frame: Pick<Frame, "width" | "height" | "data">): FrameScore {
  const { width: w, height: h, data } = frame;
  if (data.length < w * h * 3) throw new RangeError(`frame data has ${data.length} bytes, expected ${w * h * 3}`);
  const row = w * 3;
  let n = 0;
  let sumL = 0;
  let sumL2 = 0;
  let sumY = 0;
  let clipped = 0;
  if (w >= 3 && h >= 3) {
    for (let y = 1; y < h - 1; y += 2) {
      const base = y * row;
      for (let x = 1; x < w - 1; x += 2) {
        const p = base + x * 3;
        // integer Rec.709 luma: (54 R + 183 G + 19 B) / 256
        const c = (54 * data[p]! + 183 * data[p + 1]! + 19 * data[p + 2]!) >> 8;
        const l = (54 * data[p - 3]! + 183 * data[p - 2]! + 19 * data[p - 1]!) >> 8;
        const r = (54 * data[p + 3]! + 183 * data[p + 4]! + 19 * data[p + 5]!) >> 8;
        const u = (54 * data[p - row]! + 183 * data[p - row + 1]! + 19 * data[p - row + 2]!) >> 8;
        const d = (54 * data[p + row]! + 183 * data[p + row + 1]! + 19 * data[p + row + 2]!) >> 8;
        const lap = 4 * c - l - r - u - d;
        sumL += lap;
        sumL2 += lap * lap;
        sumY += c;
        if (c <= 6 || c >= 249) clipped++;
        n++;
      }
    }
  } else {
    // degenerate tiny frame: exposure only
    for (let p = 0; p + 2 < w * h * 3; p += 3) {
      const c = (54 * data[p]! + 183 * data[p + 1]! + 19 * data[p + 2]!) >> 8;
      sumY += c;
      if (c <= 6 || c >= 249) clipped++;
      n++;
    }
  }
  if (n === 0) return { score: 0, sharpness: 0, meanLuma: 0 };
  const meanLap = sumL / n;
  const sharpness = Math.sqrt(Math.max(0, sumL2 / n - meanLap * meanLap));
  const meanLuma = sumY / n / 255;
  const exposure = 0.05 + 0.95 * Math.min(ramp(meanLuma, 0.04, 0.15), ramp(1 - meanLuma, 0.04, 0.15));
  const score = (sharpness + 0.01) * exposure * (1 - (0.8 * clipped) / n);
  return { score, sharpness, meanLuma };
}

interface Candidate {
  index: number;
  time: number;
  width: number;
  height: number;
  data: Uint8Array;
  scored?: FrameScore;
  inPool: boolean;
  inRing: boolean;
}

export class KeyframePicker {
  private readonly maxCandidates: number;
  private readonly recentFrames: number;
  private readonly middle: readonly [number, number];
  private readonly edgePenalty: number;

  /** sampled candidates of the open region, in index order */
  private pool: Candidate[] = [];
  /** the most recent frames, oldest first */
  private ring: Candidate[] = [];
  /** buffers of dropped candidates, reused for new copies */
  private free: Uint8Array[] = [];
  private strideValue = 1;
  private nextAccept = Number.NEGATIVE_INFINITY;
  private lastOffered = Number.NEGATIVE_INFINITY;

  constructor(options: KeyframePickerOptions = {}) {
    this.maxCandidates = Math.max(2, Math.floor(options.maxCandidates ?? 16));
    this.recentFrames = Math.max(0, Math.floor(options.recentFrames ?? 8));
    const [lo, hi] = options.middle ?? [0.2, 0.8];
    if (!(lo >= 0 && hi <= 1 && lo <= hi)) throw new RangeError(`invalid middle window [${lo}, ${hi}]`);
    this.middle = [lo, hi];
    this.edgePenalty = options.edgePenalty ?? 0.35;
  }

  /** Offer every decoded frame, in order. Only the frames kept are copied. */
  offer(frame: Frame): void {
    if (frame.index <= this.lastOffered) return; // duplicates / out of order: ignore
    this.lastOffered = frame.index;
    const toPool = frame.index >= this.nextAccept;
    if (!toPool && this.recentFrames === 0) return;

    const cand = this.copy(frame);
    if (this.recentFrames > 0) {
      cand.inRing = true;
      this.ring.push(cand);
      if (this.ring.length > this.recentFrames) {
        const old = this.ring.shift()!;
        old.inRing = false;
        this.release(old);
      }
    }
    if (toPool) {
      this.score(cand);
      cand.inPool = true;
      this.pool.push(cand);
      this.nextAccept = frame.index + this.strideValue;
      if (this.pool.length > this.maxCandidates) this.decimate();
    }
  }

  /**
   * The keyframe of a shot that has just become known (shots in order). Returns a frame the caller
   * owns (never reused by the picker), or undefined when no frame of the shot was offered.
   */
  take(shot: { startFrame: number; endFrame: number }): KeptFrame | undefined {
    const { startFrame, endFrame } = shot;
    const inShot = new Map<number, Candidate>();
    for (const c of this.pool) if (c.index >= startFrame && c.index <= endFrame) inShot.set(c.index, c);
    for (const c of this.ring)
      if (c.index >= startFrame && c.index <= endFrame && !inShot.has(c.index)) inShot.set(c.index, c);

    let best: Candidate | undefined;
    let bestValue = -1;
    let bestDist = Infinity;
    const len = endFrame - startFrame;
    const lo = startFrame + this.middle[0] * len;
    const hi = startFrame + this.middle[1] * len;
    const centre = startFrame + len / 2;
    for (const c of inShot.values()) {
      const s = this.score(c).score;
      const value = c.index >= lo && c.index <= hi ? s : s * this.edgePenalty;
      const dist = Math.abs(c.index - centre);
      const tie = Math.abs(value - bestValue) <= 1e-9 * Math.max(1, Math.abs(bestValue));
      if (!best || (tie ? dist < bestDist : value > bestValue)) {
        best = c;
        bestValue = value;
        bestDist = dist;
      }
    }

    let kept: KeptFrame | undefined;
    if (best) {
      const s = this.score(best);
      kept = { index: best.index, time: best.time, width: best.width, height: best.height, data: best.data, ...s };
      // hand the buffer over: the candidate is forgotten without recycling its data
      best.inPool = false;
      best.inRing = false;
    }

    // Forget everything up to the end of this shot; keep newer ring frames by moving them to the pool.
    const pool: Candidate[] = [];
    for (const c of this.pool) {
      if (c === best) continue;
      if (c.index > endFrame) pool.push(c);
      else {
        c.inPool = false;
        this.release(c);
      }
    }
    for (const c of this.ring) {
      if (c === best || c.index <= endFrame || c.inPool) continue;
      this.score(c);
      c.inPool = true;
      pool.push(c);
    }
    pool.sort((a, b) => a.index - b.index);
    const ring: Candidate[] = [];
    for (const c of this.ring) {
      if (c === best) continue;
      if (c.index > endFrame) ring.push(c);
      else {
        c.inRing = false;
        this.release(c);
      }
    }
    this.pool = pool;
    this.ring = ring;
    this.strideValue = 1;
    while (this.pool.length > this.maxCandidates) this.decimate();
    this.nextAccept = this.lastOffered + this.strideValue;
    return kept;
  }

  /** Forget everything (e.g. after an aborted pass). */
  reset(): void {
    this.pool = [];
    this.ring = [];
    this.free = [];
    this.strideValue = 1;
    this.nextAccept = Number.NEGATIVE_INFINITY;
    this.lastOffered = Number.NEGATIVE_INFINITY;
  }

  /** Frame copies currently held as candidates (pool and ring, counted once). */
  get retainedFrames(): number {
    let n = this.pool.length;
    for (const c of this.ring) if (!c.inPool) n++;
    return n;
  }

  /** Bytes held, including recycled buffers waiting for reuse. */
  get retainedBytes(): number {
    let bytes = 0;
    for (const c of this.pool) bytes += c.data.byteLength;
    for (const c of this.ring) if (!c.inPool) bytes += c.data.byteLength;
    for (const b of this.free) bytes += b.byteLength;
    return bytes;
  }

  /** Current sampling stride of the pool, in frames. */
  get stride(): number {
    return this.strideValue;
  }

  private score(c: Candidate): FrameScore {
    return (c.scored ??= frameScore(c));
  }

  private decimate(): void {
    const kept: Candidate[] = [];
    for (let i = 0; i < this.pool.length; i += 2) {
      const a = this.pool[i]!;
      const b = this.pool[i + 1];
      if (!b) {
        kept.push(a);
        continue;
      }
      const keepB = this.score(b).score > this.score(a).score;
      const winner = keepB ? b : a;
      const loser = keepB ? a : b;
      kept.push(winner);
      loser.inPool = false;
      this.release(loser);
    }
    this.pool = kept;
    this.strideValue *= 2;
  }

  private copy(frame: Frame): Candidate {
    const size = frame.width * frame.height * 3;
    if (frame.data.length < size)
      throw new RangeError(`frame ${frame.index} has ${frame.data.length} bytes, expected ${size}`);
    let buf: Uint8Array | undefined;
    while (this.free.length > 0 && !buf) {
      const b = this.free.pop()!;
      if (b.byteLength === size) buf = b;
    }
    buf ??= new Uint8Array(size);
    buf.set(frame.data.subarray(0, size));
    return {
      index: frame.index,
      time: frame.time,
      width: frame.width,
      height: frame.height,
      data: buf,
      inPool: false,
      inRing: false,
    };
  }

  private release(c: Candidate): void {
    if (c.inPool || c.inRing) return;
    if (this.free.length < this.maxCandidates + this.recentFrames) this.free.push(c.data);
  }
}
