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

function runs(name: string): string | undefined {
  const probe = spawnSync(name, ["-version"], {
    stdio: ["ignore", "pipe", "ignore"],
    timeout: 10_000,
    encoding: "utf8",
  });
  if (probe.status !== 0) return undefined;
  knownVersions.set(name, (probe.stdout.split("\n")[0] ?? "").trim());
  return name;
}

/**
 * Both binaries on PATH, found by the shell's `command -v` without running them: `ffmpeg -version` and
 * `ffprobe -version` cost 0.3 to 1.2 s of every start on a loaded machine (each loads about a hundred
 * shared libraries), for a version only `doctor` shows (it runs them itself). Without a POSIX shell
 * (Windows), each is run as before. A binary found but broken fails at its first use with its own error.
 */
function onPath(names: [string, string]): boolean {
  const found = spawnSync("sh", ["-c", 'command -v "$1" >/dev/null && command -v "$2" >/dev/null', "sh", ...names], {
    stdio: "ignore",
    timeout: 10_000,
  });
  if (found.error) return names.every((name) => runs(name) !== undefined);
  return found.status === 0;
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
  if (onPath(["ffmpeg", "ffprobe"])) return { ffmpeg: "ffmpeg", ffprobe: "ffprobe", source: "system" };
  return { ...fromNpm(), source: "npm" };
}
