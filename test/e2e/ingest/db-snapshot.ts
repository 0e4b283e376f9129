// Reads what an ingest stored, straight from the SQLite file, in a form two runs can be compared by.
import Database from "better-sqlite3";

export interface Snapshot {
  clips: Array<{ contentHash: string; status: string; title: string }>;
  tracks: unknown[];
  cues: unknown[];
  shots: unknown[];
  keyframes: unknown[];
  scenes: unknown[];
  checkpoints: number;
  outbox: number;
}

export function snapshot(databaseFile: string): Snapshot {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const all = <T>(sql: string) => db.prepare(sql).all() as T[];
    return {
      clips: all("SELECT contentHash, status, title FROM Clip ORDER BY contentHash"),
      tracks: all(
        'SELECT c.contentHash, t."index", t.source, t.codec, t.language, t.skipped FROM SubtitleTrack t JOIN Clip c ON c.id = t.clipId ORDER BY 1, 2',
      ),
      cues: all(
        'SELECT c.contentHash, t."index" AS track, q."index", q.startTime, q.endTime, q.text, s."index" AS scene FROM Cue q JOIN Clip c ON c.id = q.clipId JOIN SubtitleTrack t ON t.id = q.trackId LEFT JOIN Scene s ON s.id = q.sceneId ORDER BY 1, 2, 3',
      ),
      shots: all(
        'SELECT c.contentHash, h."index", h.startTime, h.endTime, h.transition, s."index" AS scene FROM Shot h JOIN Clip c ON c.id = h.clipId LEFT JOIN Scene s ON s.id = h.sceneId ORDER BY 1, 2',
      ),
      keyframes: all(
        'SELECT c.contentHash, h."index" AS shot, k.time, k.brightness, k.palette FROM Keyframe k JOIN Shot h ON h.id = k.shotId JOIN Clip c ON c.id = k.clipId ORDER BY 1, 2',
      ),
      scenes: all(
        'SELECT c.contentHash, s."index", s.startTime, s.endTime, s.text FROM Scene s JOIN Clip c ON c.id = s.clipId ORDER BY 1, 2',
      ),
      checkpoints: (db.prepare("SELECT count(*) AS n FROM IngestCheckpoint").get() as { n: number }).n,
      outbox: (db.prepare("SELECT count(*) AS n FROM SearchOutbox").get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

export function clipCount(databaseFile: string): number {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM Clip").get() as { n: number }).n;
  } finally {
    db.close();
  }
}
