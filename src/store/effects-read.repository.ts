// What the effects breakdown reads: a scene's keyframes with their captions, CLIP vectors of keyframes, and
// the media files of clips for the reference reel.
import type { PrismaClient } from "./prisma.client.js";

export class EffectsReadRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** the scene's keyframes by time, with captions and their shot's span */
  keyframesOfScene(sceneId: string) {
    return this.prisma.keyframe.findMany({
      where: { shot: { sceneId } },
      orderBy: { time: "asc" },
      include: { captions: true, shot: { select: { startTime: true, endTime: true } } },
    });
  }

  scene(sceneId: string) {
    return this.prisma.scene.findUniqueOrThrow({ where: { id: sceneId } });
  }

  /** CLIP vectors of the clips' keyframes for one model, with their keyframe and shot */
  keyframeVectors(clipIds: string[], model: string) {
    return this.prisma.keyframeVector.findMany({
      where: { clipId: { in: clipIds }, model },
      include: { keyframe: { include: { shot: true } } },
    });
  }

  /** clip id → media file path */
  async clipPaths(clipIds: string[]): Promise<Map<string, string>> {
    const rows = await this.prisma.clip.findMany({ where: { id: { in: clipIds } }, select: { id: true, path: true } });
    return new Map(rows.map((c) => [c.id, c.path]));
  }
}
