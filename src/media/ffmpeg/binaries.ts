// Finds the ffmpeg and ffprobe binaries: an explicit path from configuration first, then a system
// install on PATH (newer, e.g. Debian's 5.x), then the static builds shipped in npm packages (4.1).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

export interface MediaBinaries {
  ffmpeg: string;
  ffprobe: string;
  source: "config" | "system" | "npm";
}

const require = createRequire(import.meta.url);

/** First line of `<binary> -version` of each binary found by running it (doctor reuses it: one run each). */
export const knownVersions = new Map<string, string>();

function onPath(name: string): string | undefined {
  const probe = spawnSync(name, ["-version"], {
    stdio: ["ignore", "pipe", "ignore"],
    timeout: 10_000,
    encoding: "utf8",
  });
  if (probe.status !== 0) return undefined;
  knownVersions.set(name, (probe.stdout.split("\n")[0] ?? "").trim());
  return name;
}

function fromNpm(): { ffmpeg: string; ffprobe: string } {
  const ffmpeg = (require("@ffmpeg-installer/ffmpeg") as { path: string }).path;
  const ffprobe = (require("@ffprobe-installer/ffprobe") as { path: string }).path;
  return { ffmpeg, ffprobe };
}

export function resolveMediaBinaries(configured?: { ffmpeg?: string; ffprobe?: string }): MediaBinaries {
  if (configured?.ffmpeg && configured.ffprobe) {
    return { ffmpeg: configured.ffmpeg, ffprobe: configured.ffprobe, source: "config" };
  }
  const systemFfmpeg = onPath("ffmpeg");
  const systemFfprobe = onPath("ffprobe");
  if (systemFfmpeg && systemFfprobe) return { ffmpeg: systemFfmpeg, ffprobe: systemFfprobe, source: "system" };
  return { ...fromNpm(), source: "npm" };
}
