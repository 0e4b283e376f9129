// Turns detected boundaries into shots. The first shot begins with START at frame 0. A cut starts
// the next shot at its frame and ends the previous one on the frame before. A gradual transition
// belongs to neither shot: the previous shot ends where it starts, the next one starts on the first
// frame after it, with `transitionStart` recording when the transition began. Times are rounded
// to the millisecond; a shot's endTime is the start of the frame after its last one.
import type { ShotBoundary, ShotRecord } from "../ingest.types.js";

const ms = (t: number) => Math.round(t * 1000) / 1000;

export function shotsFromBoundaries(boundaries: ShotBoundary[], frameCount: number, lastFrameTime: number, frameDuration: number): ShotRecord[] {
  if (frameCount <= 0) return [];
  const sorted = [...boundaries].sort((a, b) => a.frame - b.frame);
  const shots: ShotRecord[] = [];
  let open: Omit<ShotRecord, "endTime" | "endFrame" | "index"> = { startFrame: 0, startTime: 0, transition: "START" };
  for (const b of sorted) {
    const endFrame = (b.startFrame ?? b.frame) - 1;
    if (endFrame < open.startFrame || b.frame >= frameCount) continue;
    shots.push({ index: shots.length, ...open, endFrame, endTime: ms(Math.max(b.startTime ?? b.time, open.startTime)) });
    open = { startFrame: b.frame, startTime: ms(b.time), transition: b.kind, ...(b.startTime !== undefined ? { transitionStart: ms(b.startTime) } : {}) };
  }
  const endTime = ms(Math.max(lastFrameTime + frameDuration, open.startTime));
  shots.push({ index: shots.length, ...open, endFrame: frameCount - 1, endTime });
  return shots;
}
