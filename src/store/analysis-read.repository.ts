// What the analyses read from the database (src/analysis): the READY clips of a scope, each clip's main
// dialogue track, its cues, scenes, shots and keyframes, the scenes behind a piece of evidence, and what the
// ingest enrichment stored (cue emotions, keyframe vectors). Read-only; rows come back as plain objects.
import type { PrismaClient } from "./prisma.client.js";

export interface ScopeClipRow {
  id: string;
  title: string;
  duration: number;
  readyAt: Date | null;
}

export interface DialogueTrackRow {
  id: string;
  clipId: string;
  language: string | null;
}

export interface AnalysisCueRow {
  id: string;
  clipId: string;
  sceneId: string | null;
  startTime: number;
  endTime: number;
  text: string;
  speaker: string | null;
}

export interface AnalysisSceneRow {
  id: string;
  clipId: string;
  index: number;
  startTime: number;
  endTime: number;
  text: string;
}

export interface AnalysisShotRow {
  id: string;
  clipId: string;
  sceneId: string | null;
  index: number;
  startTime: number;
  endTime: number;
  transition: string;
}

export interface AnalysisKeyframeRow {
  id: string;
  clipId: string;
  shotId: string;
  time: number;
  path: string;
  brightness: number;
  contrast: number;
  saturation: number;
  colourfulness: number;
  /** JSON text as stored */
  palette: string;
  shot: { sceneId: string | null; startTime: number; endTime: number };
  captions: Array<{ text: string }>;
}

const CUE_FIELDS = {
  id: true,
  clipId: true,
  sceneId: true,
  startTime: true,
  endTime: true,
  text: true,
  speaker: true,
} as const;
const SCENE_FIELDS = { id: true, clipId: true, index: true, startTime: true, endTime: true, text: true } as const;
const KEYFRAME_INCLUDE = {
  shot: { select: { sceneId: true, startTime: true, endTime: true } },
  captions: { select: { text: true } },
} as const;

export class AnalysisReadRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** distinct speaker names named by the clips' cues */
  async speakers(clipIds: string[]): Promise<string[]> {
    const rows = await this.prisma.cue.findMany({
      where: { clipId: { in: clipIds }, speaker: { not: null } },
      select: { speaker: true },
      distinct: ["speaker"],
    });
    return rows.flatMap((r) => (r.speaker ? [r.speaker] : []));
  }

  /** READY clips: these ids (all of them that are READY), or the first `limit` by creation */
  readyClips(ids: string[], limit: number): Promise<ScopeClipRow[]> {
    return this.prisma.clip.findMany({
      where: { status: "READY", ...(ids.length ? { id: { in: ids } } : {}) },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: ids.length ? undefined : limit,
      select: { id: true, title: true, duration: true, readyAt: true },
    });
  }

  /** text tracks that are not skipped and have cues, by clip then index */
  dialogueTracks(clipIds: string[]): Promise<DialogueTrackRow[]> {
    return this.prisma.subtitleTrack.findMany({
      where: { clipId: { in: clipIds }, skipped: false, cues: { some: {} } },
      orderBy: [{ clipId: "asc" }, { index: "asc" }],
      select: { id: true, clipId: true, language: true },
    });
  }

  /** cues of these tracks, by clip then time */
  cuesOfTracks(trackIds: string[]): Promise<AnalysisCueRow[]> {
    return this.prisma.cue.findMany({
      where: { trackId: { in: trackIds } },
      orderBy: [{ clipId: "asc" }, { startTime: "asc" }, { index: "asc" }],
      select: CUE_FIELDS,
    });
  }

  /** cues of these scenes on these tracks, by time */
  cuesOfScenes(sceneIds: string[], trackIds: string[]): Promise<AnalysisCueRow[]> {
    return this.prisma.cue.findMany({
      where: { sceneId: { in: sceneIds }, trackId: { in: trackIds } },
      orderBy: [{ startTime: "asc" }, { index: "asc" }],
      select: CUE_FIELDS,
    });
  }

  scenesOfClips(clipIds: string[]): Promise<AnalysisSceneRow[]> {
    return this.prisma.scene.findMany({
      where: { clipId: { in: clipIds } },
      orderBy: [{ clipId: "asc" }, { index: "asc" }],
      select: SCENE_FIELDS,
    });
  }

  /** these scenes with their clip's title */
  scenesWithTitles(sceneIds: string[]): Promise<Array<AnalysisSceneRow & { clip: { title: string } }>> {
    return this.prisma.scene.findMany({
      where: { id: { in: sceneIds } },
      select: { ...SCENE_FIELDS, clip: { select: { title: true } } },
    });
  }

  shotsOfClips(clipIds: string[]): Promise<AnalysisShotRow[]> {
    return this.prisma.shot.findMany({
      where: { clipId: { in: clipIds } },
      orderBy: [{ clipId: "asc" }, { index: "asc" }],
      select: { id: true, clipId: true, sceneId: true, index: true, startTime: true, endTime: true, transition: true },
    });
  }

  keyframesOfClips(clipIds: string[]): Promise<Array<Omit<AnalysisKeyframeRow, "captions">>> {
    return this.prisma.keyframe.findMany({
      where: { clipId: { in: clipIds } },
      orderBy: [{ clipId: "asc" }, { time: "asc" }],
      include: { shot: KEYFRAME_INCLUDE.shot },
    });
  }

  keyframesOfScenes(sceneIds: string[]): Promise<AnalysisKeyframeRow[]> {
    return this.prisma.keyframe.findMany({
      where: { shot: { sceneId: { in: sceneIds } } },
      orderBy: { time: "asc" },
      include: KEYFRAME_INCLUDE,
    });
  }

  /** emotion scores (JSON text) the enrichment stored for these cues with this model */
  cueEmotions(cueIds: string[], model: string): Promise<Array<{ cueId: string; scores: string }>> {
    return this.prisma.cueEmotion.findMany({
      where: { cueId: { in: cueIds }, model },
      select: { cueId: true, scores: true },
    });
  }

  /** image vectors (float32 bytes) the enrichment stored for these keyframes with this model */
  keyframeVectors(keyframeIds: string[], model: string): Promise<Array<{ keyframeId: string; vector: Uint8Array }>> {
    return this.prisma.keyframeVector.findMany({
      where: { keyframeId: { in: keyframeIds }, model },
      select: { keyframeId: true, vector: true },
    });
  }
}
