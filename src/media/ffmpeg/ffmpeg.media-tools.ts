// MediaTools on ffmpeg/ffprobe (fluent-ffmpeg for subtitle extraction; the other readers spawn ffmpeg directly).
import { execFile } from "node:child_process";
import type {
  BandDecodeOptions,
  BitmapTrack,
  DecodeOptions,
  ExtractAudioOptions,
  ExtractedSubtitle,
  Frame,
  MediaTools,
  ProbeResult,
} from "../media.port.js";
import { extractAudio } from "./audio-extractor.js";
import { knownVersions, resolveMediaBinaries, type MediaBinaries } from "./binaries.js";
import { probeMedia } from "./probe.js";
import { decodeFrames } from "./frame-decoder.js";
import { extractSubtitle } from "./subtitle-extractor.js";
import { extractBitmapSubtitles } from "./bitmap-subtitle-extractor.js";
import { decodeBand } from "./band-decoder.js";

export interface FfmpegOptions {
  ffmpegPath?: string;
  ffprobePath?: string;
  timeoutMs: number;
  /** embedded subtitle tracks larger than this are refused while being extracted */
  maxSubtitleBytes?: number;
}

export class FfmpegMediaTools implements MediaTools {
  private binaries?: MediaBinaries;

  constructor(private readonly options: FfmpegOptions) {}

  private bins(): MediaBinaries {
    this.binaries ??= resolveMediaBinaries({ ffmpeg: this.options.ffmpegPath, ffprobe: this.options.ffprobePath });
    return this.binaries;
  }

  async describe() {
    const bins = this.bins();
    const versionOf = (binary: string) =>
      new Promise<string>((resolve) => {
        const known = knownVersions.get(binary); // run a moment ago (PATH lookup without a POSIX shell)
        if (known) return resolve(known);
        execFile(binary, ["-version"], { timeout: 10_000 }, (error, stdout) =>
          resolve(error ? "unavailable" : (stdout.split("\n")[0] ?? "").trim()),
        );
      });
    const [version, probeVersion] = await Promise.all([versionOf(bins.ffmpeg), versionOf(bins.ffprobe)]);
    return { ffmpeg: bins.ffmpeg, ffprobe: bins.ffprobe, source: bins.source, version, probeVersion };
  }

  probe(path: string, signal?: AbortSignal): Promise<ProbeResult> {
    return probeMedia(this.bins().ffprobe, path, this.options.timeoutMs, signal);
  }

  decodeFrames(probe: ProbeResult, options: DecodeOptions): AsyncIterable<Frame> {
    return decodeFrames(this.bins(), probe, { ...options, timeoutMs: this.options.timeoutMs });
  }

  extractSubtitle(probe: ProbeResult, streamIndex: number, signal?: AbortSignal): Promise<ExtractedSubtitle> {
    const codec = probe.streams.find((s) => s.index === streamIndex)?.codec ?? "subrip";
    return extractSubtitle(this.bins(), probe, streamIndex, codec, {
      signal,
      timeoutMs: this.options.timeoutMs,
      maxBytes: this.options.maxSubtitleBytes,
    });
  }

  extractBitmapSubtitles(probe: ProbeResult, streamIndex: number, signal?: AbortSignal): Promise<BitmapTrack> {
    return extractBitmapSubtitles(this.bins(), probe, streamIndex, { signal, timeoutMs: this.options.timeoutMs });
  }

  decodeBand(probe: ProbeResult, options: BandDecodeOptions): Promise<void> {
    return decodeBand(this.bins(), probe, { ...options, timeoutMs: this.options.timeoutMs });
  }

  extractAudio(probe: ProbeResult, options: ExtractAudioOptions = {}): Promise<Float32Array> {
    return extractAudio(this.bins(), probe, { ...options, timeoutMs: this.options.timeoutMs });
  }
}
