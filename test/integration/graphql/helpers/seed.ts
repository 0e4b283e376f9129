// Test data written with Prisma directly (no ingest needed): READY clips with scenes, shots, keyframes
// (real little JPEGs under the data directory) and cues.
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import sharp from "sharp";
import { loadConfig, type Config } from "../../../../src/config.js";
import type { PrismaClient } from "../../../../src/store/prisma.client.js";

export async function tempDataDir(prefix = "cinerag-gql-"): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({ CINERAG_DATA_DIR: dataDir, CINERAG_LOG_LEVEL: process.env.CINERAG_TEST_LOG ?? "silent", ...env });
}

export interface SeedOptions {
  title?: string;
  scenes?: number;
  shotsPerScene?: number;
  cuesPerScene?: number;
  status?: string;
  language?: string;
  /** write real JPEG files for the keyframes */
  jpegs?: boolean;
}

export interface SeededClip {
  clipId: string;
  sceneIds: string[];
  shotIds: string[];
  keyframePaths: string[];
}

let jpeg: Buffer | undefined;
async function tinyJpeg(): Promise<Buffer> {
  jpeg ??= await sharp({ create: { width: 16, height: 9, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .jpeg()
    .toBuffer();
  return jpeg;
}

/** Scenes of 10 s; shots split each scene evenly; cues of 1.5 s every 2 s; speakers alternate ALICE/BOB. */
export async function seedClip(prisma: PrismaClient, config: Config, options: SeedOptions = {}): Promise<SeededClip> {
  const nScenes = options.scenes ?? 3;
  const nShots = options.shotsPerScene ?? 2;
  const nCues = options.cuesPerScene ?? 3;
  const clipId = randomUUID();
  const duration = nScenes * 10;
  await prisma.clip.create({
    data: {
      id: clipId,
      contentHash: `hash-${clipId}`,
      path: `/media/${clipId}.mkv`,
      title: options.title ?? "Seeded clip",
      status: options.status ?? "READY",
      sizeBytes: 1234,
      formatName: "matroska,webm",
      duration,
      frameRate: 25,
      width: 320,
      height: 180,
      readyAt: new Date(),
    },
  });
  const trackId = randomUUID();
  await prisma.subtitleTrack.create({
    data: { id: trackId, clipId, index: 0, source: "EMBEDDED", codec: "subrip", language: options.language ?? "en" },
  });
  const sceneIds: string[] = [];
  const shotIds: string[] = [];
  const keyframePaths: string[] = [];
  const shots = [];
  const keyframes = [];
  const cues = [];
  let shotIndex = 0;
  let cueIndex = 0;
  for (let s = 0; s < nScenes; s++) {
    const sceneId = randomUUID();
    sceneIds.push(sceneId);
    const start = s * 10;
    await prisma.scene.create({
      data: { id: sceneId, clipId, index: s, startTime: start, endTime: start + 10, text: `scene ${s} dialogue` },
    });
    for (let k = 0; k < nShots; k++) {
      const shotId = randomUUID();
      shotIds.push(shotId);
      const a = start + (10 / nShots) * k;
      const b = start + (10 / nShots) * (k + 1);
      shots.push({
        id: shotId,
        clipId,
        sceneId,
        index: shotIndex,
        startTime: a,
        endTime: b,
        startFrame: Math.round(a * 25),
        endFrame: Math.round(b * 25) - 1,
        transition: shotIndex === 0 ? "START" : k === 0 ? "DISSOLVE" : "CUT",
        transitionStart: k === 0 && shotIndex > 0 ? a - 0.5 : null,
      });
      const rel = path.join("keyframes", clipId, `${String(shotIndex).padStart(6, "0")}.jpg`);
      keyframePaths.push(rel);
      keyframes.push({
        id: randomUUID(),
        clipId,
        shotId,
        time: (a + b) / 2,
        path: rel,
        width: 16,
        height: 9,
        brightness: 0.4,
        contrast: 0.1,
        saturation: 0.7,
        colourfulness: 55,
        palette: JSON.stringify([
          { hex: "#c82828", share: 0.9 },
          { hex: "#000000", share: 0.1 },
        ]),
      });
      shotIndex++;
    }
    for (let c = 0; c < nCues; c++) {
      const a = start + 1 + c * 2;
      cues.push({
        id: randomUUID(),
        clipId,
        trackId,
        sceneId,
        index: cueIndex++,
        startTime: a,
        endTime: a + 1.5,
        rawText: `<i>line ${s}.${c}</i>`,
        text: `line ${s}.${c}`,
        speaker: c % 2 === 0 ? "ALICE" : "BOB",
      });
    }
  }
  await prisma.shot.createMany({ data: shots });
  await prisma.keyframe.createMany({ data: keyframes });
  await prisma.cue.createMany({ data: cues });
  if (options.jpegs) {
    const { writeFile } = await import("node:fs/promises");
    await mkdir(path.join(config.keyframeDir, clipId), { recursive: true });
    for (const rel of keyframePaths) await writeFile(path.join(config.dataDir, rel), await tinyJpeg());
  }
  return { clipId, sceneIds, shotIds, keyframePaths };
}
