// Speech to text for clips without text subtitles: runs in the ingest pipeline before scene grouping
// (scenes are made of cues). The first audio stream is extracted by ffmpeg as 16 kHz mono f32le, window by
// window (10 minutes each, so memory stays bounded on a feature film), each window transcribed by the
// registry's Whisper model in 30 s chunks; the segments become the cues of one `ASR` track whose language
// is the one Whisper detected on the first window. Skipped at once (undefined) when the clip has no audio
// or the ASR model cannot be had (offline and not downloaded, or switched off).
import type { MediaTools, ProbeResult } from "../../media/media.port.js";
import type { Logger } from "../../logging/logger.js";
import type { ModelRegistry } from "../../models/model-registry.js";
import type { SpeechTranscriber } from "../../models/model-ports.js";
import { isModelUnavailable } from "../../models/model-errors.js";
import type { ParsedCue, TrackRecord } from "../ingest.types.js";

export const ASR_WINDOW_SECONDS = 600;

export interface AsrStageDeps {
  media: MediaTools;
  registry: Pick<ModelRegistry, "available" | "transcriber" | "status"> &
    Partial<Pick<ModelRegistry, "unavailableError">>;
  logger?: Logger;
  /** seconds of audio per extraction; default 600 */
  windowSeconds?: number;
}

export type AsrTrack = Omit<TrackRecord, "index">;

export class AsrStage {
  constructor(private readonly deps: AsrStageDeps) {}

  /** Quick, local: is there anything to do for this clip (audio, and a model that may be had)? */
  applicable(probe: ProbeResult): boolean {
    return this.skipReason(probe) === undefined;
  }

  /** Why speech recognition does not run for this clip, in one line (undefined: it runs). */
  skipReason(probe: ProbeResult): string | undefined {
    if (!probe.streams.some((s) => s.type === "audio")) return "the clip has no audio stream";
    if (this.deps.registry.available("asr")) return undefined;
    return this.deps.registry.unavailableError?.("asr")?.message ?? "the asr model cannot be had";
  }

  /** The last reason transcribe() gave up for (a model that failed to load) */
  lastSkipReason?: string;

  async transcribe(
    probe: ProbeResult,
    options: { signal?: AbortSignal; onProgress?: (percent: number, message?: string) => void } = {},
  ): Promise<AsrTrack | undefined> {
    if (!this.applicable(probe)) return undefined;
    let transcriber: SpeechTranscriber;
    try {
      transcriber = await this.deps.registry.transcriber();
    } catch (error) {
      if (isModelUnavailable(error)) {
        this.lastSkipReason = (error as Error).message;
        this.deps.logger?.info({ err: (error as Error).message }, "no speech recognition: the asr model cannot be had");
        return undefined;
      }
      throw error;
    }
    const audio = probe.streams.find((s) => s.type === "audio")!;
    const window = this.deps.windowSeconds ?? ASR_WINDOW_SECONDS;
    const cues: ParsedCue[] = [];
    // the track's language: the one most of its cues were transcribed in
    const languages = new Map<string | undefined, number>();
    for (let start = 0; start < probe.duration; start += window) {
      options.signal?.throwIfAborted();
      const duration = Math.min(window, probe.duration - start);
      const samples = await this.deps.media.extractAudio(probe, {
        streamIndex: audio.index,
        start,
        duration,
        signal: options.signal,
      });
      // each window finds its own language (the stream's tag as the hint), not the first window's
      const result = await transcriber.transcribe(samples, {
        languageHint: audio.language,
        signal: options.signal,
        onProgress: (p) => options.onProgress?.(((start + (duration * p) / 100) / probe.duration) * 100),
      });
      if (result.segments.length > 0)
        languages.set(result.language, (languages.get(result.language) ?? 0) + result.segments.length);
      for (const s of result.segments) {
        cues.push({
          index: cues.length,
          startTime: round3(start + s.startTime),
          endTime: round3(start + s.endTime),
          rawText: s.text,
          text: s.text,
        });
      }
      options.onProgress?.((Math.min(probe.duration, start + window) / probe.duration) * 100, `${cues.length} cues`);
    }
    return {
      source: "ASR",
      codec: "whisper",
      language: [...languages.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? audio.language,
      title: `speech recognition (${transcriber.provenance.model})`,
      imageBased: false,
      skipped: false,
      warnings: [`transcribed by ${transcriber.provenance.model}; not checked by a person`],
      cues,
    };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
