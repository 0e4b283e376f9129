// Turns detected boundaries into shots, as they arrive (the ingest writes each shot's keyframe as soon as
// the shot is known) or all at once (shotsFromBoundaries, the same rule). The first shot begins with START
// on the first frame. A cut starts the next shot at its frame and ends the previous one on the frame
// before. A gradual transition belongs to neither shot: the previous shot ends where it starts, the next
// one starts on the first frame after it, with `transitionStart` recording when the transition began.
// Times are rounded to the millisecond; a shot's endTime is the start of the frame after its last one.
import type { ShotBoundary, ShotRecord } from "../ingest.types.js";

const ms = (t: number) => Math.round(t * 1000) / 1000;

type OpenShot = Pick<ShotRecord, "startFrame" | "startTime" | "transition" | "transitionStart">;

export class ShotBuilder {
  readonly shots: ShotRecord[] = [];
  private open: OpenShot = { startFrame: 0, startTime: 0, transition: "START" };

  /** where the first shot begins: the first decoded frame */
  begin(frame: number, time: number): void {
    this.open = { ...this.open, startFrame: frame, startTime: ms(time) };
  }

  /** Closes the open shot at the boundary (undefined when that shot would be empty) and opens the next. */
  boundary(b: ShotBoundary): ShotRecord | undefined {
    const closed = this.close((b.startFrame ?? b.frame) - 1, b.startTime ?? b.time);
    const gradualStart = b.kind !== "CUT" && b.startTime !== undefined ? { transitionStart: ms(b.startTime) } : {};
    this.open = { startFrame: b.frame, startTime: ms(b.time), transition: b.kind, ...gradualStart };
    return closed;
  }

  /** Ends the open shot on `endFrame`, its end at `endTime`; undefined when it would be empty. */
  close(endFrame: number, endTime: number): ShotRecord | undefined {
    if (endFrame < this.open.startFrame) return undefined;
    const shot: ShotRecord = {
      index: this.shots.length,
      ...this.open,
      endFrame,
      endTime: ms(Math.max(endTime, this.open.startTime)),
    };
    this.shots.push(shot);
    return shot;
  }
}

export function shotsFromBoundaries(
  boundaries: ShotBoundary[],
  frameCount: number,
  lastFrameTime: number,
  frameDuration: number,
): ShotRecord[] {
  if (frameCount <= 0) return [];
  const builder = new ShotBuilder();
  for (const b of [...boundaries].sort((x, y) => x.frame - y.frame)) if (b.frame < frameCount) builder.boundary(b);
  builder.close(frameCount - 1, lastFrameTime + frameDuration);
  return builder.shots;
}
