// Rows for search tests, written with Prisma the way the ingest transaction writes them (clip READY,
// subtitle tracks with cues, scenes, one SearchOutbox UPSERT row per scene).
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../../../src/store/prisma.client.js";

export interface SeedClip {
  clipId: string;
  title: string;
  sceneIds: string[];
}

export async function seedClip(
  prisma: PrismaClient,
  opts: { title: string; texts: string[]; language?: string; outbox?: boolean },
): Promise<SeedClip> {
  const clipId = randomUUID();
  const sceneIds = opts.texts.map(() => randomUUID());
  await prisma.$transaction(async (tx) => {
    await tx.clip.create({
      data: {
        id: clipId,
        contentHash: `hash-${clipId}`,
        path: `/media/${opts.title}.mkv`,
        title: opts.title,
        status: "READY",
        sizeBytes: 1000,
        formatName: "matroska,webm",
        duration: opts.texts.length * 30,
        frameRate: 24,
        width: 640,
        height: 360,
      },
    });
    // track 0: skipped image subtitles in another language; track 1: the main dialogue
    await tx.subtitleTrack.create({
      data: {
        id: randomUUID(),
        clipId,
        index: 0,
        source: "EMBEDDED",
        codec: "hdmv_pgs_subtitle",
        language: "de",
        imageBased: true,
        skipped: true,
      },
    });
    const trackId = randomUUID();
    await tx.subtitleTrack.create({
      data: { id: trackId, clipId, index: 1, source: "SIDECAR", codec: "subrip", language: opts.language ?? "en" },
    });
    await tx.scene.createMany({
      data: opts.texts.map((text, i) => ({
        id: sceneIds[i]!,
        clipId,
        index: i,
        startTime: i * 30,
        endTime: i * 30 + 30,
        text,
      })),
    });
    await tx.cue.createMany({
      data: opts.texts.map((text, i) => ({
        id: randomUUID(),
        clipId,
        trackId,
        sceneId: sceneIds[i]!,
        index: i,
        startTime: i * 30 + 1,
        endTime: i * 30 + 5,
        rawText: text,
        text,
      })),
    });
    if (opts.outbox !== false)
      await tx.searchOutbox.createMany({ data: sceneIds.map((sceneId) => ({ op: "UPSERT", sceneId, clipId })) });
  });
  return { clipId, title: opts.title, sceneIds };
}

export const TEXTS = [
  "The detective examines the bloody knife in the kitchen.",
  "Rain falls over the harbour while the old captain sings.",
  "Two lovers argue about money on the night train to Paris.",
  "A violin plays in an empty concert hall at midnight.",
  "The lighthouse keeper counts seagulls on the rocks.",
  "She burns the letters one by one in the fireplace.",
  "Children chase a red balloon through the market square.",
  "The astronaut watches the earth rise over the moon.",
  "A jazz trio improvises in a smoky basement club.",
  "The old farmer repairs the broken fence before the storm.",
];
