// What the ingest's enrichment steps read and write (src/ingest/enrich): one CueEmotion per cue and model,
// one KeyframeCaption and one KeyframeVector per keyframe and model. The reads select only the rows still
// without a result for the model at hand, which is what makes every step resumable.
import type { PrismaClient } from "./prisma.client.js";
import type { Emotion, EmotionScores } from "../models/model-ports.js";
import { vectorToBytes } from "./vector-codec.js";

/** a result's origin: "model" (with the model's id) or a fallback method such as "lexicon" */
interface Provenance {
  model: string;
  method: string;
}

export interface CueEmotionInput extends Provenance {
  cueId: string;
  clipId: string;
  label: Emotion;
  scores: EmotionScores;
}

export interface KeyframeCaptionInput extends Provenance {
  keyframeId: string;
  clipId: string;
  text: string;
}

export interface KeyframeVectorInput {
  keyframeId: string;
  clipId: string;
  model: string;
  vector: Float32Array;
}

/** A stored caption with where its keyframe sits. */
export interface SceneCaptionRow {
  keyframeId: string;
  model: string;
  text: string;
  createdAt: Date;
  /** the keyframe's time, seconds */
  time: number;
  sceneId: string | null;
}

export class EnrichmentRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** the clip's scene texts, in scene order */
  async sceneTexts(clipId: string): Promise<string[]> {
    const rows = await this.prisma.scene.findMany({
      where: { clipId },
      orderBy: { index: "asc" },
      select: { text: true },
    });
    return rows.map((s) => s.text);
  }

  countCues(clipId: string): Promise<number> {
    return this.prisma.cue.count({ where: { clipId } });
  }

  /** the clip's cues without an emotion from `model`, by track then index */
  cuesWithoutEmotion(clipId: string, model: string): Promise<Array<{ id: string; text: string }>> {
    return this.prisma.cue.findMany({
      where: { clipId, emotions: { none: { model } } },
      orderBy: [{ trackId: "asc" }, { index: "asc" }],
      select: { id: true, text: true },
    });
  }

  async saveCueEmotions(rows: readonly CueEmotionInput[]): Promise<void> {
    await this.prisma.cueEmotion.createMany({
      data: rows.map((r) => ({ ...r, scores: JSON.stringify(r.scores) })),
    });
  }

  countKeyframes(clipId: string): Promise<number> {
    return this.prisma.keyframe.count({ where: { clipId } });
  }

  /** the clip's keyframes without a caption from `model`, in time order, with their shot's scene */
  async keyframesWithoutCaption(
    clipId: string,
    model: string,
  ): Promise<Array<{ id: string; path: string; sceneId: string | null }>> {
    const rows = await this.prisma.keyframe.findMany({
      where: { clipId, captions: { none: { model } } },
      orderBy: { time: "asc" },
      select: { id: true, path: true, shot: { select: { sceneId: true } } },
    });
    return rows.map((k) => ({ id: k.id, path: k.path, sceneId: k.shot.sceneId }));
  }

  async saveCaptions(rows: readonly KeyframeCaptionInput[]): Promise<void> {
    await this.prisma.keyframeCaption.createMany({ data: [...rows] });
  }

  /** the clip's keyframes without an image-text vector from `model`, in time order */
  keyframesWithoutVector(clipId: string, model: string): Promise<Array<{ id: string; path: string }>> {
    return this.prisma.keyframe.findMany({
      where: { clipId, vectors: { none: { model } } },
      orderBy: { time: "asc" },
      select: { id: true, path: true },
    });
  }

  async saveKeyframeVectors(rows: readonly KeyframeVectorInput[]): Promise<void> {
    await this.prisma.keyframeVector.createMany({
      data: rows.map(({ vector, ...r }) => ({ ...r, dimension: vector.length, vector: vectorToBytes(vector) })),
    });
  }

  /** every caption of the keyframes of these scenes, newest first */
  async captionsOfScenes(sceneIds: readonly string[]): Promise<SceneCaptionRow[]> {
    const rows = await this.prisma.keyframeCaption.findMany({
      where: { keyframe: { shot: { sceneId: { in: [...sceneIds] } } } },
      select: {
        keyframeId: true,
        model: true,
        text: true,
        createdAt: true,
        keyframe: { select: { time: true, shot: { select: { sceneId: true } } } },
      },
      orderBy: { createdAt: "desc" },
    });
    return rows.map(({ keyframe, ...r }) => ({ ...r, time: keyframe.time, sceneId: keyframe.shot.sceneId }));
  }
}
