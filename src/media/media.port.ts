// The media tools port: everything cinerag asks of ffmpeg/ffprobe. The ffmpeg adapter
// (src/media/ffmpeg/) implements it through fluent-ffmpeg, which is archived upstream: keep callers
// on this interface so the adapter can be replaced without touching the pipeline.

export type StreamType = "video" | "audio" | "subtitle" | "data" | "attachment";

export interface ProbedStream {
  index: number;
  type: StreamType;
  codec: string;
  language?: string;
  title?: string;
  /** subtitle streams: true for bitmap formats (PGS, VobSub, DVB) that carry no text */
  imageBased?: boolean;
  isDefault?: boolean;
}

export interface ProbeResult {
  path: string;
  formatName: string;
  sizeBytes: number;
  /** seconds, from the container's start */
  duration: number;
  /** the container's start time in seconds; every time we store is relative to it */
  startTime: number;
  video: {
    streamIndex: number;
    width: number;
    height: number;
    /** average frame rate (frames per second) */
    frameRate: number;
    /** true when r_frame_rate and avg_frame_rate disagree: timecodes must come from PTS, not frame numbers */
    variableFrameRate: boolean;
    frameCount?: number;
    /**
     * the video stream's own duration (its header or Matroska DURATION tag), when the file gives one: it
     * can be far shorter than `duration`, which spans every stream (a subtitle track running on, say)
     */
    duration?: number;
  };
  streams: ProbedStream[];
}

/** One decoded, downscaled video frame: packed RGB24, row-major. */
export interface Frame {
  /** zero-based index in decode order (presentation order after the decoder) */
  index: number;
  /** presentation time in seconds, normalised to the container's start */
  time: number;
  width: number;
  height: number;
  /** width * height * 3 bytes; the buffer may be reused after the consumer returns, copy to keep it */
  data: Uint8Array;
}

export interface DecodeOptions {
  /** output width in pixels (height follows the aspect ratio, rounded to even) */
  width: number;
  signal?: AbortSignal;
  /**
   * the lower band of every frame as well, from the same decode (burned-in subtitles): what `decodeBand`
   * gives, without decoding the clip a second time
   */
  band?: Omit<BandDecodeOptions, "signal">;
}

export interface ExtractedSubtitle {
  /** the text of the track converted by ffmpeg to a text format we parse */
  format: "srt" | "ass" | "vtt" | "ttml";
  text: string;
}

export interface MediaTools {
  /** which binaries are in use, and where from ("system" or "npm") */
  describe(): Promise<{
    ffmpeg: string;
    ffprobe: string;
    source: "system" | "npm" | "config";
    version: string;
    probeVersion?: string;
  }>;
  probe(path: string, signal?: AbortSignal): Promise<ProbeResult>;
  /**
   * one decode pass of the main video stream, downscaled, frame by frame, in presentation order (and,
   * with `band`, the subtitle band of each frame handed to its `onFrame` along the way)
   */
  decodeFrames(probe: ProbeResult, options: DecodeOptions): AsyncIterable<Frame>;
  /** the text of one embedded text subtitle stream */
  extractSubtitle(probe: ProbeResult, streamIndex: number, signal?: AbortSignal): Promise<ExtractedSubtitle>;
  /**
   * The first (or given) audio stream as 16 kHz mono 32-bit float samples (f32le) for speech recognition,
   * optionally a window of it: `start` seconds from the container's start, `duration` seconds long.
   */
  extractAudio(probe: ProbeResult, options?: ExtractAudioOptions): Promise<Float32Array>;
  /** the events of one image subtitle stream (PGS, VobSub, DVB) as grey bitmaps with exact times */
  extractBitmapSubtitles?(probe: ProbeResult, streamIndex: number, signal?: AbortSignal): Promise<BitmapTrack>;
  /** the lower band of every frame as grey pixels (burned-in subtitles), handed to `onFrame` in order */
  decodeBand?(probe: ProbeResult, options: BandDecodeOptions): Promise<void>;
}

export interface BitmapEvent {
  /** seconds from the container's start */
  startTime: number;
  endTime: number;
  /** grey bitmap of the event's ink (text bright on black), cropped with a margin */
  width: number;
  height: number;
  data: Uint8Array;
  /** where the crop sits on the video frame */
  x: number;
  y: number;
}

export interface BitmapTrack {
  events: BitmapEvent[];
  warnings: string[];
}

export interface BandDecodeOptions {
  /** output width in pixels */
  width: number;
  /** share of the frame's height, from the bottom, e.g. 0.3 */
  band: number;
  signal?: AbortSignal;
  /** called for each frame; the frame's buffer is reused after it returns */
  onFrame: (frame: BandFrame) => void;
}

export interface BandFrame {
  index: number;
  time: number;
  width: number;
  height: number;
  /** grey, width * height bytes; reused after the consumer returns: copy to keep */
  data: Uint8Array;
}

export interface ExtractAudioOptions {
  /** absolute stream index (default: the first audio stream) */
  streamIndex?: number;
  /** seconds from the container's start; default 0 */
  start?: number;
  /** seconds; default to the end */
  duration?: number;
  /** default 16000 */
  sampleRate?: number;
  signal?: AbortSignal;
}
