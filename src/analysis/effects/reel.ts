// The reference reel: each reference shot cut from its clip (at most 4 s), scaled and padded to 640×360,
// titled with its script scene and effect (drawtext with a DejaVu font from the npm package
// dejavu-fonts-ttf; the title goes through a text file, so no escaping of the user's words is needed),
// then joined into one H.264 MP4 under <dataDir>/reels/, named by a hash of its shots (the same shots give
// the same file, made once). Served by src/server/reels.route.ts.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { AppError } from "../../errors/app-error.js";
import type { EffectsReadRepository } from "../../store/effects-read.repository.js";
import { ReferenceReel } from "./effects.types.js";

const run = promisify(execFile);
export const REELS_FOLDER = "reels";
const MAX_SHOT_SECONDS = 4;
const MAX_SHOTS = 40;

export interface ReelShot {
  clipId: string;
  startTime: number;
  endTime: number;
  title: string;
}

export interface ReelMaker {
  make(shots: ReelShot[]): Promise<ReferenceReel>;
}

export function dejavuFont(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf", "DejaVuSans.ttf");
}

export class FfmpegReelMaker implements ReelMaker {
  constructor(
    private readonly deps: { reads: EffectsReadRepository; ffmpeg: string; dataDir: string; timeoutMs: number },
  ) {}

  async make(all: ReelShot[]): Promise<ReferenceReel> {
    const shots = all.slice(0, MAX_SHOTS).map((s) => ({ ...s, duration: shotLength(s) }));
    const name = `${createHash("sha256").update(JSON.stringify(shots)).digest("hex").slice(0, 24)}.mp4`;
    const rel = path.join(REELS_FOLDER, name);
    const target = path.join(this.deps.dataDir, rel);
    const duration = shots.reduce((n, s) => n + s.duration, 0);
    const result = Object.assign(new ReferenceReel(), { path: rel, shots: shots.length, duration });
    if (existsSync(target)) return result;
    const files = await this.deps.reads.clipPaths([...new Set(shots.map((s) => s.clipId))]);
    await mkdir(path.dirname(target), { recursive: true });
    const work = await mkdtemp(path.join(path.dirname(target), ".work-"));
    try {
      const parts: string[] = [];
      for (const [i, shot] of shots.entries()) {
        const file = files.get(shot.clipId);
        if (!file || !existsSync(file)) continue; // a clip whose file has moved: its shots are left out
        parts.push(await this.segment(work, i, file, shot));
      }
      if (parts.length === 0) throw new AppError("NOT_FOUND", "none of the reference shots' clip files can be read");
      const list = path.join(work, "list.txt");
      await writeFile(list, parts.map((p) => `file '${p}'`).join("\n") + "\n");
      const out = path.join(work, "reel.mp4");
      await this.ffmpeg(["-f", "concat", "-safe", "0", "-i", list, "-c", "copy", "-movflags", "+faststart", out]);
      await rename(out, target);
      return Object.assign(result, { shots: parts.length });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private async segment(work: string, i: number, file: string, shot: ReelShot & { duration: number }): Promise<string> {
    const titleFile = path.join(work, `title-${i}.txt`);
    await writeFile(titleFile, shot.title);
    const out = path.join(work, `part-${String(i).padStart(3, "0")}.mp4`);
    const filter = [
      "scale=640:360:force_original_aspect_ratio=decrease",
      "pad=640:360:(ow-iw)/2:(oh-ih)/2",
      "setsar=1",
      "fps=25",
      `drawtext=fontfile=${dejavuFont()}:textfile=${titleFile}:fontsize=22:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8:x=16:y=h-44`,
    ].join(",");
    await this.ffmpeg([
      "-ss",
      String(shot.startTime),
      "-t",
      String(shot.duration),
      "-i",
      file,
      "-vf",
      filter,
      "-an",
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-pix_fmt",
      "yuv420p",
      out,
    ]);
    return out;
  }

  private async ffmpeg(args: string[]): Promise<void> {
    try {
      await run(this.deps.ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", ...args], {
        timeout: this.deps.timeoutMs,
        maxBuffer: 4 * 1024 * 1024,
      });
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim().split("\n").pop() ?? (error as Error).message;
      throw new AppError("MEDIA_TOOL_FAILED", `ffmpeg could not cut the reference reel: ${detail}`);
    }
  }
}

function shotLength(s: ReelShot): number {
  return Math.round(Math.min(Math.max(s.endTime - s.startTime, 1), MAX_SHOT_SECONDS) * 1000) / 1000;
}
