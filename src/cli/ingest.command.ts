import type { Command } from "commander";
import type { Core } from "../app.js";
import type { IngestResult } from "../ingest/ingest.service.js";
import { IngestProgressBars } from "./progress-bars.js";
import { printError } from "./cli-error.js";
import { AppError } from "../errors/app-error.js";
import { catchUpSearchIndex } from "./search-catch-up.js";

interface IngestOptions {
  subtitles?: string[];
  title?: string;
  json?: boolean;
}

/** The shape printed by `cinerag ingest --json` (one object per clip, one per line). */
export function ingestJson(result: IngestResult) {
  return {
    clip: { ...result.clip, alreadyIngested: result.alreadyIngested, ...(result.joined ? { joined: true } : {}) },
    tracks: result.tracks.map((t) => ({
      index: t.index,
      source: t.source,
      codec: t.codec,
      language: t.language ?? null,
      encoding: t.encoding ?? null,
      imageBased: t.imageBased,
      skipped: t.skipped,
      cueCount: t.cues.length,
      warnings: t.warnings,
    })),
    shots: result.shots.map((s) => ({ index: s.index, start: s.startTime, end: s.endTime, transition: s.transition })),
    cues: result.tracks.flatMap((t) =>
      t.cues.map((c) => ({
        track: t.index,
        language: t.language ?? null,
        start: c.startTime,
        end: c.endTime,
        text: c.text,
        speaker: c.speaker ?? null,
        ...(c.ocr ? { ocr: c.ocr } : {}),
      })),
    ),
    keyframes: result.keyframes.map((k) => ({
      shot: k.shotIndex,
      time: k.time,
      path: k.path,
      width: k.width,
      height: k.height,
      ...k.stats,
    })),
    scenes: result.scenes.map((s) => ({
      index: s.index,
      start: s.startTime,
      end: s.endTime,
      shots: [s.firstShot, s.lastShot],
      text: s.text,
    })),
    // model enrichment: per step, what produced the results (method + model), how many were computed now
    ...(result.enrichment ? { enrichment: result.enrichment } : {}),
  };
}

function summary(result: IngestResult): string {
  const cues = result.tracks.reduce((n, t) => n + t.cues.length, 0);
  const state = result.joined
    ? "already ingested (waited for a concurrent ingest of the same file)"
    : result.alreadyIngested
      ? "already ingested"
      : "ingested";
  const enriched = (result.enrichment ?? [])
    .map(
      (e) =>
        `${e.step} ${e.status === "done" ? `${e.computed}/${e.total} by ${e.method === "model" ? e.model : e.method}` : e.status}`,
    )
    .join(", ");
  const n = (count: number, one: string) => `${count} ${one}${count === 1 ? "" : "s"}`;
  const counts = [
    n(result.shots.length, "shot"),
    n(result.keyframes.length, "keyframe"),
    `${n(cues, "cue")} in ${n(result.tracks.length, "track")}`,
    n(result.scenes.length, "scene"),
  ];
  return `${state}: ${result.clip.title} (${result.clip.id}) ${counts.join(", ")}${enriched ? `; ${enriched}` : ""}\n`;
}

export function registerIngest(program: Command, openCore: () => Promise<Core>, signal: AbortSignal): void {
  program
    .command("ingest")
    .description("ingest clips: subtitles, shots, keyframes and scenes into the database")
    .argument("<file...>", "media files (use -- before names that begin with '-')")
    .option("-s, --subtitles <file...>", "subtitle files for the clip (in addition to embedded tracks and sidecars)")
    .option("-t, --title <title>", "title of the clip (default: the file name)")
    .option("--json", "print one JSON object per clip on stdout")
    .action(async (files: string[], options: IngestOptions) => {
      if (files.length > 1 && (options.title || options.subtitles?.length)) {
        throw new AppError("BAD_INPUT", "--title and --subtitles describe one clip: give exactly one file with them");
      }
      const app = await openCore();
      let exit = 0;
      try {
        for (const file of files) {
          const bars = new IngestProgressBars(file, !options.json && Boolean(process.stderr.isTTY));
          try {
            const result = await app.ingest.ingest({
              file,
              title: options.title,
              subtitles: options.subtitles,
              signal,
              onProgress: (p) => bars.update(p),
            });
            bars.stop();
            process.stdout.write(options.json ? `${JSON.stringify(ingestJson(result))}\n` : summary(result));
          } catch (error) {
            bars.stop();
            app.logger.debug({ err: error, file }, "ingest failed");
            exit = Math.max(exit, printError(error));
            if (signal.aborted) break;
          }
        }
        if (!signal.aborted) await catchUpSearchIndex(app, signal);
      } finally {
        await app.close();
      }
      process.exitCode = exit;
    });
}
